/**
 * @module services: the core/v1 Service definition (pkg/registry/core/service/strategy.go, the
 * IP/port allocation in pkg/registry/core/service/storage/alloc.go, SetDefaults_Service).
 */
import type { HookContext, ResourceDefinition } from '../resource-definition.js'
import { nodePortRange, validateService, validateServiceUpdate } from './service-validation.js'
import { serviceColumns, serviceRow, type ServiceObject } from './service-printer.js'

export type { ServiceObject } from './service-printer.js'

const needsNodePort = (svc: ServiceObject): boolean =>
  svc.spec?.type === 'NodePort' || (svc.spec?.type === 'LoadBalancer' && svc.spec.allocateLoadBalancerNodePorts !== false)

/** Fallback when the registry supplies no allocator: a random address in 10.96.0.0/12. */
function randomClusterIP(): string {
  const n = 1 + Math.floor(Math.random() * (2 ** 20 - 2))
  return `10.${96 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`
}

/** Allocates what a new (or newly converted) service still lacks: cluster IP(s), IP families, node ports. */
function allocate(svc: ServiceObject, ctx: HookContext): void {
  const spec = svc.spec!
  if (spec.type !== 'ExternalName') {
    if (spec.clusterIP === 'None' || spec.clusterIPs?.[0] === 'None') {
      spec.clusterIP = 'None'
      spec.clusterIPs = ['None']
      // Headless services without a selector default to RequireDualStack (families the cluster has).
      spec.ipFamilyPolicy ??= Object.keys(spec.selector ?? {}).length ? 'SingleStack' : 'RequireDualStack'
    } else {
      spec.clusterIP ||= spec.clusterIPs?.[0] || (ctx.allocateClusterIP ?? randomClusterIP)()
      if (!spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP]
      spec.ipFamilyPolicy ??= 'SingleStack'
    }
    spec.ipFamilies ??= ['IPv4']
  }
  if (needsNodePort(svc)) {
    const used = new Set((spec.ports ?? []).map((p) => p.nodePort).filter(Boolean))
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue
      let port: number
      do port = nodePortRange.min + Math.floor(Math.random() * (nodePortRange.max - nodePortRange.min + 1))
      while (used.has(port))
      used.add(port)
      p.nodePort = port
    }
  }
}

/**
 * patchAllocatedValues + NormalizeClusterIPs + dropTypeDependentFields for updates: a PUT that
 * omits clusterIP or nodePorts keeps the allocated ones; changing only the singular clusterIP
 * rewrites the plural (so validation reports it); leaving NodePort drops untouched node ports.
 */
function carryAllocatedValues(svc: ServiceObject, old: ServiceObject): void {
  const spec = svc.spec!
  const os = old.spec ?? {}
  if (spec.type !== 'ExternalName' && os.type !== 'ExternalName') {
    const pluralUnchanged = JSON.stringify(spec.clusterIPs ?? []) === JSON.stringify(os.clusterIPs ?? [])
    if (!spec.clusterIP) spec.clusterIP = os.clusterIP
    else if (spec.clusterIP !== os.clusterIP && pluralUnchanged) spec.clusterIPs = [spec.clusterIP]
    if (!spec.clusterIPs?.length && os.clusterIPs?.length) spec.clusterIPs = [...os.clusterIPs]
    spec.ipFamilyPolicy ??= os.ipFamilyPolicy
    spec.ipFamilies ??= os.ipFamilies ? [...os.ipFamilies] : undefined
    if (spec.ipFamilies === undefined) delete spec.ipFamilies
    if (spec.ipFamilyPolicy === undefined) delete spec.ipFamilyPolicy
  }
  if (needsNodePort(old) && needsNodePort(svc)) {
    const byName = new Map((os.ports ?? []).map((p) => [p.name ?? '', p.nodePort]))
    const inUse = new Set((spec.ports ?? []).map((p) => p.nodePort).filter(Boolean))
    for (const p of spec.ports ?? []) {
      const prev = byName.get(p.name ?? '')
      if (!p.nodePort && prev && !inUse.has(prev)) p.nodePort = prev
    }
  } else if (needsNodePort(old) && !needsNodePort(svc)) {
    for (const p of spec.ports ?? []) delete p.nodePort
  }
  if (spec.type === 'ExternalName' && os.type !== 'ExternalName') {
    for (const k of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy', 'internalTrafficPolicy'] as const) delete spec[k]
  }
}

/**
 * Services: SetDefaults_Service, cluster IP and node port allocation, immutable primary
 * cluster IP, and the service printer.
 */
export const services: ResourceDefinition<ServiceObject> = {
  group: '',
  version: 'v1',
  kind: 'Service',
  plural: 'services',
  storagePrefix: 'services/specs',
  singular: 'service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  subresources: [
    { name: 'proxy', verbs: ['create', 'delete', 'get', 'patch', 'update'], kind: { group: '', version: 'v1', kind: 'ServiceProxyOptions' } },
    { name: 'status', verbs: ['get', 'patch', 'update'] },
  ],

  applyDefaults(svc) {
    const spec = (svc.spec ??= {})
    spec.sessionAffinity ||= 'None'
    if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig
    else if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined) {
      spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } }
    }
    spec.type ||= 'ClusterIP'
    for (const p of spec.ports ?? []) {
      p.protocol ||= 'TCP'
      if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port
    }
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ||= 'Cluster'
    if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ??= 'Cluster'
    if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true
  },

  prepareForCreate(svc, ctx) {
    svc.status = { loadBalancer: {} }
    allocate(svc, ctx)
  },

  prepareForUpdate(svc, old, ctx) {
    svc.status = structuredClone(old.status)
    carryAllocatedValues(svc, old)
    allocate(svc, ctx)
  },

  prepareForStatusUpdate(svc, old) {
    svc.spec = structuredClone(old.spec)
  },

  validate: validateService,
  validateUpdate: validateServiceUpdate,

  // Accepted by the v1 field-label conversion for Services (used by kube-proxy-like clients).
  selectableFields: (svc) => ({ 'spec.clusterIP': svc.spec?.clusterIP ?? '', 'spec.type': svc.spec?.type ?? '' }),

  returnDeletedObject: true,

  columns: serviceColumns,
  row: serviceRow,
}
