import { describe, expect, it } from 'vitest'
import { fieldErrorString } from '../../../src/errors.js'
import { nodes, type NodeObject } from '../../../src/registry/core/nodes.js'

const now = new Date('2026-11-27T22:20:00Z')
const ctx = { now, randomSuffix: () => 'abcde' }

const node = (): NodeObject => ({
  metadata: {
    name: 'control-plane-1',
    creationTimestamp: '2026-11-25T20:20:00Z',
    labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'control-plane-1' },
  },
  spec: { unschedulable: true },
  status: {
    conditions: [
      { type: 'MemoryPressure', status: 'False' },
      { type: 'Ready', status: 'True' },
    ],
    addresses: [
      { type: 'InternalIP', address: '172.18.0.2' },
      { type: 'Hostname', address: 'control-plane-1' },
    ],
    nodeInfo: {
      kubeletVersion: 'v1.32.4',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      kernelVersion: '6.8.0',
      containerRuntimeVersion: 'containerd://1.7.24',
      architecture: 'amd64',
      bootID: '',
      machineID: '',
      systemUUID: '',
      kubeProxyVersion: '',
      operatingSystem: 'linux',
    },
  },
})

describe('nodes', () => {
  it('prints Ready,SchedulingDisabled with roles and wide cells', () => {
    expect(nodes.row!(node(), now)).toEqual([
      'control-plane-1',
      'Ready,SchedulingDisabled',
      'control-plane',
      '2d2h',
      'v1.32.4',
      '172.18.0.2',
      '<none>',
      'Debian GNU/Linux 12 (bookworm)',
      '6.8.0',
      'containerd://1.7.24',
    ])
  })
  it('prints NotReady / Unknown and <none> roles', () => {
    const n = node()
    n.spec = {}
    n.metadata.labels = { 'kubernetes.io/role': 'worker', 'node-role.kubernetes.io/infra': 'x' }
    n.status!.conditions = [{ type: 'Ready', status: 'Unknown' }]
    expect(nodes.row!(n, now).slice(1, 3)).toEqual(['NotReady', 'infra,worker'])
    n.status = {}
    n.metadata.labels = {}
    expect(nodes.row!(n, now)).toEqual(['control-plane-1', 'Unknown', '<none>', '2d2h', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'])
  })
  it('has the real columns', () => {
    expect(nodes.columns!.map((c) => c.name)).toEqual([
      'Name',
      'Status',
      'Roles',
      'Age',
      'Version',
      'Internal-IP',
      'External-IP',
      'OS-Image',
      'Kernel-Version',
      'Container-Runtime',
    ])
    expect(nodes.columns!.filter((c) => c.priority === 1)).toHaveLength(5)
  })
  it('keeps status on update and spec on status update', () => {
    const old = node()
    const next = structuredClone(old)
    next.status = {}
    next.spec = {}
    nodes.prepareForUpdate!(next, old, ctx)
    expect(next.status).toEqual(old.status)
    expect(next.spec).toEqual({})
    const st = structuredClone(old)
    st.spec = {}
    nodes.prepareForStatusUpdate!(st, old, ctx)
    expect(st.spec).toEqual({ unschedulable: true })
  })
  it('defaults allocatable from capacity and selects spec.unschedulable', () => {
    const n = node()
    n.status!.capacity = { cpu: '4', pods: '110' }
    nodes.applyDefaults!(n, ctx)
    expect(n.status!.allocatable).toEqual({ cpu: '4', pods: '110' })
    expect(nodes.selectableFields!(n)).toEqual({ 'spec.unschedulable': 'true' })
  })
  it('podCIDRs may be set once', () => {
    const old = node()
    old.spec!.podCIDRs = ['10.244.0.0/24']
    const next = structuredClone(old)
    next.spec!.podCIDRs = ['10.244.1.0/24']
    expect(nodes.validateUpdate!(next, old).map(fieldErrorString)).toEqual([
      'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
    ])
  })
})
