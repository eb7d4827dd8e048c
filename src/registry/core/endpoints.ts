/** @module endpoints: the core/v1 Endpoints definition (printEndpoints / formatEndpoints in printers.go). */
import type { EndpointSubset } from 'kubernetes-types/core/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { ageColumn, nameColumn } from '../shared/columns.js'
import { notSupported, required } from '../shared/field-errors.js'
import { isValidPortNum, supportedPortProtocols } from '../shared/container-validation.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { invalidEach, isDNS1123Label } from '../shared/validation.js'

/** An Endpoints object as stored. */
export type EndpointsObject = KubeObject & { subsets?: EndpointSubset[] }

/**
 * formatEndpoints: `ip:port` for every ready address × port (bare IPs for port-less subsets),
 * at most 3 listed then ` + N more...`; `<none>` without subsets. Not-ready addresses are not shown.
 */
export function formatEndpoints(subsets: EndpointSubset[] | undefined): string {
  if (!subsets?.length) return '<none>'
  const max = 3
  const list: string[] = []
  let count = 0
  let more = false
  for (const ss of subsets) {
    const addrs = ss.addresses ?? []
    const targets = ss.ports?.length ? ss.ports.map((p) => p.port) : [undefined]
    for (const port of targets) {
      count += addrs.length
      for (const a of addrs) {
        if (list.length === max) {
          more = true
          break
        }
        // net.JoinHostPort brackets IPv6 addresses.
        const host = a.ip.includes(':') ? `[${a.ip}]` : a.ip
        list.push(port === undefined ? a.ip : `${host}:${port}`)
      }
    }
  }
  const s = list.join(',')
  return more ? `${s} + ${count - max} more...` : s
}

function validateSubsets(subsets: EndpointSubset[]): FieldError[] {
  const errs: FieldError[] = []
  subsets.forEach((ss, i) => {
    const p = `subsets[${i}]`
    if (!ss.addresses?.length && !ss.notReadyAddresses?.length) errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'))
    ;(ss.ports ?? []).forEach((port, j) => {
      const pp = `${p}.ports[${j}]`
      if ((ss.ports ?? []).length > 1 && !port.name) errs.push(required(`${pp}.name`))
      if (port.name) errs.push(...invalidEach(`${pp}.name`, port.name, isDNS1123Label(port.name)))
      errs.push(...invalidEach(`${pp}.port`, port.port, isValidPortNum(port.port)))
      if (!port.protocol) errs.push(required(`${pp}.protocol`))
      else if (!supportedPortProtocols.includes(port.protocol)) errs.push(notSupported(`${pp}.protocol`, port.protocol, supportedPortProtocols))
    })
  })
  return errs
}

/** Endpoints: ports default to TCP; NAME ENDPOINTS AGE. */
export const endpoints: ResourceDefinition<EndpointsObject> = {
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  plural: 'endpoints',
  storagePrefix: 'services/endpoints',
  singular: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],

  applyDefaults(ep) {
    for (const ss of ep.subsets ?? []) for (const p of ss.ports ?? []) p.protocol ||= 'TCP'
  },

  validate: (ep) => validateSubsets(ep.subsets ?? []),

  columns: [nameColumn, { name: 'Endpoints', type: 'string', description: 'The set of all endpoints is the union of all subsets.' }, ageColumn],
  row: (ep, now) => [ep.metadata.name ?? '', formatEndpoints(ep.subsets), translateTimestampSince(ep.metadata.creationTimestamp as string | undefined, now)],
}
