/** @module nodes: the core/v1 Node definition (pkg/registry/core/node/strategy.go, printNode). */
import type { NodeSpec, NodeStatus } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../../types.js'
import type { Cell, ResourceDefinition } from '../resource-definition.js'
import { ageColumn, nameColumn } from '../shared/columns.js'
import { forbidden } from '../shared/field-errors.js'
import { translateTimestampSince } from '../shared/human-duration.js'

/** A Node as stored. */
export type NodeObject = KubeObject & { spec?: NodeSpec; status?: NodeStatus }

/** Sorted roles from `node-role.kubernetes.io/<role>` labels and a non-empty `kubernetes.io/role` (findNodeRoles). */
export function nodeRoles(labels: Record<string, string> | undefined): string[] {
  const roles = new Set<string>()
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length)
      if (role) roles.add(role)
    } else if (k === 'kubernetes.io/role' && v) {
      roles.add(v)
    }
  }
  return [...roles].sort()
}

/** `Ready` / `NotReady` / `Unknown` from the Ready condition, plus `,SchedulingDisabled` when cordoned. */
export function nodeStatusText(node: NodeObject): string {
  const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready')
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown']
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled')
  return parts.join(',')
}

/** SetDefaults_NodeStatus: allocatable defaults to capacity. */
function defaultAllocatable(node: NodeObject): void {
  const st = node.status
  if (st?.capacity && !st.allocatable) st.allocatable = { ...st.capacity }
}

const address = (node: NodeObject, type: string): string => node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>'

function nodeRow(node: NodeObject, now: Date): Cell[] {
  const info = node.status?.nodeInfo
  const roles = nodeRoles(node.metadata.labels).join(',')
  return [
    node.metadata.name ?? '',
    nodeStatusText(node),
    roles || '<none>',
    translateTimestampSince(node.metadata.creationTimestamp as string | undefined, now),
    info?.kubeletVersion ?? '',
    address(node, 'InternalIP'),
    address(node, 'ExternalIP'),
    info?.osImage || '<unknown>',
    info?.kernelVersion || '<unknown>',
    info?.containerRuntimeVersion || '<unknown>',
  ]
}

/**
 * Nodes: cluster-scoped, created with their status (the kubelet registers that way), status
 * kept on spec updates and spec kept on /status updates; podCIDR(s)/providerID settable once.
 */
export const nodes: ResourceDefinition<NodeObject> = {
  group: '',
  version: 'v1',
  kind: 'Node',
  plural: 'nodes',
  storagePrefix: 'minions',
  singular: 'node',
  namespaced: false,
  shortNames: ['no'],
  subresources: [
    { name: 'proxy', verbs: ['create', 'delete', 'get', 'patch', 'update'], kind: { group: '', version: 'v1', kind: 'NodeProxyOptions' } },
    { name: 'status', verbs: ['get', 'patch', 'update'] },
  ],

  applyDefaults: defaultAllocatable,

  prepareForUpdate(node, old) {
    node.status = structuredClone(old.status)
  },

  prepareForStatusUpdate(node, old) {
    node.spec = structuredClone(old.spec)
    // Defaulting runs on every decoded write upstream, /status included.
    defaultAllocatable(node)
  },

  validateUpdate(node, old) {
    const errs = []
    const oldCIDRs = old.spec?.podCIDRs ?? []
    if (oldCIDRs.length > 0 && JSON.stringify(node.spec?.podCIDRs ?? []) !== JSON.stringify(oldCIDRs)) {
      errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'))
    }
    if (old.spec?.providerID && node.spec?.providerID !== old.spec.providerID) {
      errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'))
    }
    return errs
  },

  selectableFields: (node) => ({ 'spec.unschedulable': String(node.spec?.unschedulable ?? false) }),

  columns: [
    nameColumn,
    { name: 'Status', type: 'string', description: 'The status of the node' },
    { name: 'Roles', type: 'string', description: 'The roles of the node' },
    ageColumn,
    { name: 'Version', type: 'string', description: 'Kubelet Version reported by the node.' },
    { name: 'Internal-IP', type: 'string', priority: 1, description: 'List of addresses reachable to the node.' },
    { name: 'External-IP', type: 'string', priority: 1, description: 'List of addresses reachable to the node.' },
    { name: 'OS-Image', type: 'string', priority: 1, description: 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).' },
    { name: 'Kernel-Version', type: 'string', priority: 1, description: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)." },
    {
      name: 'Container-Runtime',
      type: 'string',
      priority: 1,
      description: 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
    },
  ],
  row: nodeRow,
}
