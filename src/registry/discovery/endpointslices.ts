/** @module endpointslices: the discovery.k8s.io/v1 EndpointSlice definition (pkg/apis/discovery/validation/validation.go). */
import { isIPv4, isIPv6 } from 'node:net'
import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from '../shared/validation.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { ageColumn, nameColumn, stringColumn } from '../apps/columns.js'

/** An EndpointSlice as stored. */
export type EndpointSlice = KubeObject & { addressType?: string; endpoints?: Endpoint[]; ports?: EndpointPort[] }

const addressTypes = ['FQDN', 'IPv4', 'IPv6']
const protocols = ['SCTP', 'TCP', 'UDP']

/** ValidateNonSpecialIP for IPv4 addresses. */
function specialIPv4(ip: string): string | undefined {
  const [a, b, c] = ip.split('.').map(Number)
  if (ip === '0.0.0.0') return 'may not be unspecified (0.0.0.0)'
  if (a === 127) return 'may not be in the loopback range (127.0.0.0/8, ::1/128)'
  if (a === 169 && b === 254) return 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'
  if (a === 224 && b === 0 && c === 0) return 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'
  return undefined
}

/** validateEndpoints: addresses per type, hostname and nodeName. */
function validateEndpoints(endpoints: Endpoint[], addressType: string | undefined): FieldError[] {
  const errs: FieldError[] = []
  if (endpoints.length > 1000) return [{ type: 'FieldValueTooMany', field: 'endpoints', badValue: endpoints.length, detail: 'must have at most 1000 items' }]
  endpoints.forEach((ep, i) => {
    const path = `endpoints[${i}]`
    const addrs = ep.addresses ?? []
    if (addrs.length === 0) errs.push({ type: 'FieldValueRequired', field: `${path}.addresses`, detail: 'must contain at least 1 address' })
    else if (addrs.length > 100)
      errs.push({ type: 'FieldValueTooMany', field: `${path}.addresses`, badValue: addrs.length, detail: 'must have at most 100 items' })
    addrs.forEach((addr, j) => {
      const field = `${path}.addresses[${j}]`
      if (addressType === 'IPv4') {
        if (!isIPv4(addr)) errs.push({ type: 'FieldValueInvalid', field, badValue: addr, detail: 'must be a valid IPv4 address' })
        else {
          const special = specialIPv4(addr)
          if (special) errs.push({ type: 'FieldValueInvalid', field, badValue: addr, detail: special })
        }
      } else if (addressType === 'IPv6' && !isIPv6(addr)) {
        errs.push({ type: 'FieldValueInvalid', field, badValue: addr, detail: 'must be a valid IPv6 address' })
      }
    })
    if (ep.nodeName !== undefined) {
      for (const msg of isDNS1123Subdomain(ep.nodeName)) errs.push({ type: 'FieldValueInvalid', field: `${path}.nodeName`, badValue: ep.nodeName, detail: msg })
    }
    if (ep.hostname !== undefined) {
      for (const msg of isDNS1123Label(ep.hostname)) errs.push({ type: 'FieldValueInvalid', field: `${path}.hostname`, badValue: ep.hostname, detail: msg })
    }
  })
  return errs
}

/** validatePorts: DNS-label names, unique names, protocol, appProtocol. */
function validatePorts(ports: EndpointPort[]): FieldError[] {
  const errs: FieldError[] = []
  const seen = new Set<string>()
  ports.forEach((p, i) => {
    const path = `ports[${i}]`
    const name = p.name ?? ''
    if (name) for (const msg of isDNS1123Label(name)) errs.push({ type: 'FieldValueInvalid', field: `${path}.name`, badValue: name, detail: msg })
    if (seen.has(name)) errs.push({ type: 'FieldValueDuplicate', field: `${path}.name`, badValue: name })
    seen.add(name)
    if (p.protocol === undefined) errs.push({ type: 'FieldValueRequired', field: `${path}.protocol`, detail: '' })
    else if (!protocols.includes(p.protocol))
      errs.push({ type: 'FieldValueNotSupported', field: `${path}.protocol`, badValue: p.protocol, detail: 'supported values: "SCTP", "TCP", "UDP"' })
    if (p.appProtocol !== undefined) {
      for (const msg of isQualifiedName(p.appProtocol))
        errs.push({ type: 'FieldValueInvalid', field: `${path}.appProtocol`, badValue: p.appProtocol, detail: msg })
    }
  })
  return errs
}

/** ValidateEndpointSlice (metadata aside). */
function validate(obj: EndpointSlice): FieldError[] {
  const errs: FieldError[] = []
  const at = obj.addressType
  if (!at) errs.push({ type: 'FieldValueRequired', field: 'addressType', detail: '' })
  else if (!addressTypes.includes(at))
    errs.push({ type: 'FieldValueNotSupported', field: 'addressType', badValue: at, detail: 'supported values: "FQDN", "IPv4", "IPv6"' })
  errs.push(...validateEndpoints(obj.endpoints ?? [], at))
  if ((obj.ports ?? []).length > 20000)
    errs.push({ type: 'FieldValueTooMany', field: 'ports', badValue: obj.ports!.length, detail: 'must have at most 20000 items' })
  else errs.push(...validatePorts(obj.ports ?? []))
  return errs
}

/** listWithMoreString: the first 3 joined with ",", then ` + N more...`; `<unset>` when empty. */
function listWithMore(items: string[]): string {
  if (items.length === 0) return '<unset>'
  const shown = items.slice(0, 3).join(',')
  return items.length > 3 ? `${shown} + ${items.length - 3} more...` : shown
}

/** formatDiscoveryPorts: the port number, else its name, else `*`. */
export function formatPorts(ports: EndpointPort[] | undefined): string {
  return listWithMore((ports ?? []).map((p) => (p.port !== undefined ? String(p.port) : p.name !== undefined ? p.name : '*')))
}

/** formatDiscoveryEndpoints: every address of every endpoint. */
export function formatEndpoints(endpoints: Endpoint[] | undefined): string {
  return listWithMore((endpoints ?? []).flatMap((e) => e.addresses ?? []))
}

/** NAME ADDRESSTYPE PORTS ENDPOINTS AGE (printEndpointSlice). */
export const endpointSlices: ResourceDefinition<EndpointSlice> = {
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  singular: 'endpointslice',
  namespaced: true,
  // The strategy bumps generation when anything outside metadata changes.
  hasGeneration: true,
  generationFields: (obj) => ({ addressType: obj.addressType, endpoints: obj.endpoints, ports: obj.ports }),
  applyDefaults(obj) {
    // SetDefaults_EndpointPort: name "" and protocol TCP.
    for (const p of obj.ports ?? []) {
      p.name ??= ''
      p.protocol ??= 'TCP'
    }
  },
  validate,
  validateUpdate(obj, old) {
    if (obj.addressType === old.addressType) return []
    return [{ type: 'FieldValueInvalid', field: 'addressType', badValue: obj.addressType ?? '', detail: 'field is immutable' }]
  },
  columns: [
    nameColumn,
    stringColumn('AddressType', 'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type.'),
    stringColumn('Ports', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    stringColumn('Endpoints', 'endpoints is a list of unique endpoints in this slice.'),
    ageColumn,
  ],
  row: (obj, now) => [
    obj.metadata.name ?? '',
    obj.addressType ?? '',
    formatPorts(obj.ports),
    formatEndpoints(obj.endpoints),
    translateTimestampSince(obj.metadata.creationTimestamp, now),
  ],
}
