/**
 * @module endpoint-subsets: RepackSubsets and SortSubsets (pkg/api/v1/endpoints/util.go) and the
 * endpoints controller's truncation to 1000 addresses (truncateEndpoints).
 */
import { createHash } from 'node:crypto'
import type { EndpointAddress, EndpointPort, EndpointSubset } from 'kubernetes-types/core/v1.js'

/** maxCapacity: addresses an Endpoints object holds before it is truncated. */
export const maxEndpointsCapacity = 1000
/** v1.EndpointsOverCapacity and its value. */
export const overCapacityAnnotation = 'endpoints.kubernetes.io/over-capacity'

/*
 * Upstream orders ports and subsets by the md5 of their go-spew `%#v` rendering
 * (hashutil.DeepHashObject), so the same ports come out in the same order as on a real cluster
 * (kube-dns: dns-tcp, dns, metrics). The renderings below are that format for these three types.
 */
const str = (v: string | undefined) => `(string)${v ?? ''}`
const strPtr = (v: string | undefined | null) => `(*string)${v ?? '<nil>'}`

function spewPort(p: EndpointPort): string {
  return `{Name:${str(p.name)} Port:(int32)${p.port} Protocol:(v1.Protocol)${p.protocol ?? ''} AppProtocol:${strPtr(p.appProtocol)}}`
}

function spewAddress(a: EndpointAddress): string {
  const r = a.targetRef
  const ref = r
    ? `(*v1.ObjectReference){Kind:${str(r.kind)} Namespace:${str(r.namespace)} Name:${str(r.name)} UID:(types.UID)${r.uid ?? ''} APIVersion:${str(r.apiVersion)} ResourceVersion:${str(r.resourceVersion)} FieldPath:${str(r.fieldPath)}}`
    : '(*v1.ObjectReference)<nil>'
  return `{IP:${str(a.ip)} Hostname:${str(a.hostname)} NodeName:${strPtr(a.nodeName)} TargetRef:${ref}}`
}

function spewList<T>(type: string, items: T[] | undefined, one: (x: T) => string): string {
  return items ? `([]${type})[${items.map(one).join(' ')}]` : `([]${type})<nil>`
}

function md5(s: string): string {
  return createHash('md5').update(s).digest('hex')
}

/** The DeepHashObject of one EndpointPort. */
export function portHash(p: EndpointPort): string {
  return md5(`(v1.EndpointPort)${spewPort(p)}`)
}

function subsetHash(ss: EndpointSubset): string {
  return md5(
    `(v1.EndpointSubset){Addresses:${spewList('v1.EndpointAddress', ss.addresses, spewAddress)} NotReadyAddresses:${spewList('v1.EndpointAddress', ss.notReadyAddresses, spewAddress)} Ports:${spewList('v1.EndpointPort', ss.ports, spewPort)}}`,
  )
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** LessEndpointAddress: by IP (bytewise), then by target UID. */
function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  const c = compareBytes(a.ip, b.ip)
  if (c !== 0 || !a.targetRef || !b.targetRef) return c
  return compareBytes(a.targetRef.uid ?? '', b.targetRef.uid ?? '')
}

function byHash<T>(items: T[], hash: (x: T) => string): T[] {
  return items
    .map((x) => ({ x, h: hash(x) }))
    .sort((a, b) => compareBytes(a.h, b.h))
    .map((e) => e.x)
}

/** SortSubsets: addresses by IP and UID, ports and subsets by hash. */
export function sortSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  for (const ss of subsets) {
    ss.addresses?.sort(compareAddresses)
    ss.notReadyAddresses?.sort(compareAddresses)
    if (ss.ports) ss.ports = byHash(ss.ports, portHash)
  }
  return subsets.length > 1 ? byHash(subsets, subsetHash) : subsets
}

const portKey = (p: EndpointPort) => `${p.name ?? ''}\u0000${p.port}\u0000${p.protocol ?? ''}\u0000${p.appProtocol ?? '\u0001'}`
const addressKey = (a: EndpointAddress) => `${a.ip}\u0000${a.targetRef?.uid ?? ''}`

/**
 * RepackSubsets: one subset per distinct set of addresses (ready or not), carrying every port
 * those addresses offer; an address ready on a port in any input is ready there. Port-less
 * subsets (headless Services without ports) keep their addresses.
 */
export function repackSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  const addrs = new Map<string, EndpointAddress>()
  // port key → (address key → ready), in first-seen order.
  const byPort = new Map<string, { port: EndpointPort | undefined; ready: Map<string, boolean> }>()
  const note = (port: EndpointPort | undefined, a: EndpointAddress, ready: boolean) => {
    const ak = addressKey(a)
    if (!addrs.has(ak)) addrs.set(ak, a)
    const pk = port ? portKey(port) : '\u0000sentinel'
    let entry = byPort.get(pk)
    if (!entry) byPort.set(pk, (entry = { port, ready: new Map() }))
    if (!entry.ready.get(ak)) entry.ready.set(ak, ready)
  }
  for (const ss of subsets) {
    const ports: (EndpointPort | undefined)[] = ss.ports?.length ? ss.ports : [undefined]
    for (const port of ports) {
      for (const a of ss.addresses ?? []) note(port, a, true)
      for (const a of ss.notReadyAddresses ?? []) note(port, a, false)
    }
  }
  // Group the ports by the exact set of (address, ready) they map to.
  const groups = new Map<string, { ready: Map<string, boolean>; ports: EndpointPort[] }>()
  for (const { port, ready } of byPort.values()) {
    const key = [...ready]
      .map(([k, r]) => `${k}\u0000${r}`)
      .sort()
      .join('\u0001')
    let g = groups.get(key)
    if (!g) groups.set(key, (g = { ready, ports: [] }))
    if (port) g.ports.push(port)
  }
  const out: EndpointSubset[] = []
  for (const g of groups.values()) {
    const ready: EndpointAddress[] = []
    const notReady: EndpointAddress[] = []
    for (const [k, r] of g.ready) (r ? ready : notReady).push({ ...addrs.get(k)! })
    const ss: EndpointSubset = {}
    if (ready.length) ss.addresses = ready
    if (notReady.length) ss.notReadyAddresses = notReady
    if (g.ports.length) ss.ports = g.ports
    out.push(ss)
  }
  return sortSubsets(out)
}

/**
 * truncateEndpoints: over {@link maxEndpointsCapacity} addresses, keep ready addresses first,
 * spreading what fits over the subsets in proportion (rounded up). Returns whether it truncated.
 */
export function truncateSubsets(subsets: EndpointSubset[]): boolean {
  let totalReady = 0
  let totalNotReady = 0
  for (const ss of subsets) {
    totalReady += ss.addresses?.length ?? 0
    totalNotReady += ss.notReadyAddresses?.length ?? 0
  }
  if (totalReady + totalNotReady <= maxEndpointsCapacity) return false
  const truncateReady = totalReady > maxEndpointsCapacity
  const max = truncateReady ? maxEndpointsCapacity : maxEndpointsCapacity - totalReady
  const numTotal = truncateReady ? totalReady : totalNotReady
  let canBeAdded = max
  for (const ss of subsets) {
    const inSubset = (truncateReady ? ss.addresses?.length : ss.notReadyAddresses?.length) ?? 0
    const toBeAdded = Math.min(Math.ceil((inSubset / numTotal) * max), canBeAdded)
    if (truncateReady) {
      if (ss.addresses) ss.addresses = ss.addresses.slice(0, toBeAdded)
      delete ss.notReadyAddresses
      canBeAdded -= ss.addresses?.length ?? 0
    } else {
      if (ss.notReadyAddresses) ss.notReadyAddresses = ss.notReadyAddresses.slice(0, toBeAdded)
      canBeAdded -= ss.notReadyAddresses?.length ?? 0
    }
  }
  return true
}
