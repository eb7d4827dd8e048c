/**
 * @module service-routing: what kube-proxy and CoreDNS do for a connection from inside a pod —
 * a Service's ClusterIP or DNS name (`web`, `web.default`, `web.default.svc`,
 * `web.default.svc.cluster.local`) and port lead to one ready endpoint of its EndpointSlices.
 */
import type { Service } from 'kubernetes-types/core/v1.js'
import type { Registry } from '../registry/registry.js'
import type { EndpointSlice } from '../registry/discovery/endpointslices.js'
import { RegistryMap } from '../registry/with-field-manager.js'

/** Where a connection to a Service address goes. */
export type ServiceRoute =
  /** The host is no Service's (an IP, or a name outside the cluster domain). */
  | { kind: 'none' }
  /** A cluster name nothing answers to: CoreDNS says NXDOMAIN. */
  | { kind: 'unresolved' }
  /** A Service, but not on this port: nothing answers (no kube-proxy rule; the packets go nowhere). */
  | { kind: 'no-port' }
  /** No ready endpoint: kube-proxy's REJECT rule refuses the connection. */
  | { kind: 'no-endpoints' }
  | { kind: 'endpoint'; ip: string; port: number; namespace: string; pod: string }

const clusterDomain = 'cluster.local'
const rotation = new RegistryMap<Map<string, number>>()

/** The Service a host names from a pod in `namespace`, by ClusterIP or through the pod's DNS search path. */
export function serviceForHost(registry: Registry, namespace: string, host: string): Service | undefined {
  const h = host.toLowerCase().replace(/\.$/, '')
  if (/^\d+\.\d+\.\d+\.\d+$/.test(h)) {
    for (const s of registry.store.list('services')) {
      const svc = s.obj as Service
      if (svc.spec?.clusterIP === h || svc.spec?.clusterIPs?.includes(h)) return svc
    }
    return undefined
  }
  const parts = h.split('.')
  let name: string
  let ns: string
  if (parts.length === 1) [name, ns] = [parts[0], namespace]
  else if (parts.length === 2 || (parts.length === 3 && parts[2] === 'svc') || h === `${parts[0]}.${parts[1]}.svc.${clusterDomain}`)
    [name, ns] = [parts[0], parts[1]]
  else return undefined
  return registry.store.get('services', ns, name)?.obj as Service | undefined
}

/**
 * Whether CoreDNS would answer for this name rather than forward it: a bare name (completed by the
 * search path), `<x>.<namespace>`, or anything under `svc`/`cluster.local`.
 */
function inClusterDomain(registry: Registry, host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '')
  if (/^\d+\.\d+\.\d+\.\d+$/.test(h)) return false
  const parts = h.split('.')
  if (parts.length === 1 || h.endsWith('.svc') || h.endsWith(`.${clusterDomain}`)) return true
  return parts.length === 2 && registry.store.get('namespaces', '', parts[1]) !== undefined
}

/**
 * Where `host:port` leads from a pod in `namespace`: a ready endpoint of the Service's port
 * (round-robin over its EndpointSlices, as kube-proxy balances), or why not.
 */
export function routeToService(registry: Registry, namespace: string, host: string, port: number): ServiceRoute {
  const svc = serviceForHost(registry, namespace, host)
  if (!svc) return inClusterDomain(registry, host) ? { kind: 'unresolved' } : { kind: 'none' }
  if (svc.spec?.type === 'ExternalName') return { kind: 'none' }
  // A headless Service's name resolves to its ready pods themselves: the port is theirs.
  const headless = svc.spec?.clusterIP === 'None'
  const sp = headless ? undefined : svc.spec?.ports?.find((p) => p.port === port && (p.protocol ?? 'TCP') === 'TCP')
  if (!sp && !headless) return { kind: 'no-port' }
  const ns = svc.metadata?.namespace ?? ''
  const name = svc.metadata?.name ?? ''
  const targets: { ip: string; port: number; pod: string; namespace: string }[] = []
  for (const s of registry.store.list('endpointslices.discovery.k8s.io', ns)) {
    const slice = s.obj as EndpointSlice
    if (slice.metadata.labels?.['kubernetes.io/service-name'] !== name) continue
    const p = sp ? slice.ports?.find((x) => (x.name ?? '') === (sp.name ?? '') && (x.protocol ?? 'TCP') === 'TCP') : { port }
    if (p?.port === undefined || p.port === null) continue
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.ready === false || !ep.addresses[0]) continue
      targets.push({ ip: ep.addresses[0], port: p.port, pod: ep.targetRef?.name ?? '', namespace: ep.targetRef?.namespace ?? ns })
    }
  }
  // Without ready pods a headless name has no addresses at all.
  if (!targets.length) return headless ? { kind: 'unresolved' } : { kind: 'no-endpoints' }
  targets.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0))
  let m = rotation.get(registry)
  if (!m) rotation.set(registry, (m = new Map()))
  const key = `${ns}/${name}:${port}`
  const i = m.get(key) ?? 0
  m.set(key, i + 1)
  return { kind: 'endpoint', ...targets[i % targets.length] }
}
