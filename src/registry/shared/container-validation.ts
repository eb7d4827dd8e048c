/**
 * @module container-validation: per-container rules of pkg/apis/core/validation/validation.go
 * (validateContainerCommon, validateContainerPorts, validateEnv, validateVolumeMounts,
 * ValidateResourceRequirements, validateProbe) — the ones users actually trip on.
 */
import type { Container, Probe, ContainerPort } from 'kubernetes-types/core/v1.js'
import type { FieldError } from '../../types.js'
import { duplicate, forbidden, invalid, notFound, notSupported, required } from './field-errors.js'
import { invalidEach, isDNS1123Label } from './validation.js'
import { parseQuantity } from './quantity.js'

/** validation.InclusiveRangeError. */
export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`
}

/** IsValidPortNum. */
export function isValidPortNum(port: number): string[] {
  return port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)]
}

/** IsValidPortName (IANA_SVC_NAME). */
export function isValidPortName(port: string): string[] {
  const errs: string[] = []
  if (port.length > 15) errs.push('must be no more than 15 characters')
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)')
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)')
  if (port.includes('--')) errs.push('must not contain consecutive hyphens')
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen')
  return errs
}

/** ValidatePortNumOrName for IntOrString ports (probes, targetPort). */
export function validatePortNumOrName(port: number | string | undefined, path: string): FieldError[] {
  if (typeof port === 'number') return invalidEach(path, port, isValidPortNum(port))
  if (typeof port === 'string' && port !== '') return invalidEach(path, port, isValidPortName(port))
  return [required(path)]
}

/** The protocols a port may use, sorted as upstream's set. */
export const supportedPortProtocols = ['SCTP', 'TCP', 'UDP']

/** Context shared by all containers of one pod spec. */
export interface ContainerContext {
  volumeNames: Set<string>
}

/** validateContainerCommon plus the image-required rule, for one container at `path`. */
export function validateContainer(c: Container, path: string, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = []
  if (!c.name) errs.push(required(`${path}.name`))
  else errs.push(...invalidEach(`${path}.name`, c.name, isDNS1123Label(c.name)))
  if (!c.image) errs.push(required(`${path}.image`))
  else if (c.image.trim() !== c.image) errs.push(invalid(`${path}.image`, c.image, 'must not have leading or trailing whitespace'))
  errs.push(...validatePorts(c.ports ?? [], `${path}.ports`))
  ;(c.env ?? []).forEach((e, i) => {
    const p = `${path}.env[${i}]`
    if (!e.name) errs.push(required(`${p}.name`))
    // RelaxedEnvironmentVariableValidation is on by default in 1.32.
    else if ([...e.name].some((ch) => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) > 126 || ch === '=')) {
      errs.push(invalid(`${p}.name`, e.name, "a valid environment variable name must consist only of printable ASCII characters other than '='"))
    }
  })
  const mountPaths = new Set<string>()
  ;(c.volumeMounts ?? []).forEach((m, i) => {
    const p = `${path}.volumeMounts[${i}]`
    if (!m.name) errs.push(required(`${p}.name`))
    else if (!ctx.volumeNames.has(m.name)) errs.push(notFound(`${p}.name`, m.name))
    if (!m.mountPath) errs.push(required(`${p}.mountPath`))
    else if (mountPaths.has(m.mountPath)) errs.push(invalid(`${p}.mountPath`, m.mountPath, 'must be unique'))
    if (m.mountPath) mountPaths.add(m.mountPath)
  })
  errs.push(...validateResources(c, `${path}.resources`))
  if (!c.imagePullPolicy) errs.push(required(`${path}.imagePullPolicy`))
  else if (!['Always', 'IfNotPresent', 'Never'].includes(c.imagePullPolicy))
    errs.push(notSupported(`${path}.imagePullPolicy`, c.imagePullPolicy, ['Always', 'IfNotPresent', 'Never']))
  if (!c.terminationMessagePolicy) errs.push(required(`${path}.terminationMessagePolicy`))
  else if (!['File', 'FallbackToLogsOnError'].includes(c.terminationMessagePolicy)) {
    errs.push(invalid(`${path}.terminationMessagePolicy`, c.terminationMessagePolicy, "must be 'File' or 'FallbackToLogsOnError'"))
  }
  errs.push(...validateProbe(c.livenessProbe, `${path}.livenessProbe`, true))
  errs.push(...validateProbe(c.readinessProbe, `${path}.readinessProbe`, false))
  errs.push(...validateProbe(c.startupProbe, `${path}.startupProbe`, true))
  return errs
}

/** validateContainerPorts. */
function validatePorts(ports: ContainerPort[], path: string): FieldError[] {
  const errs: FieldError[] = []
  const names = new Set<string>()
  ports.forEach((p, i) => {
    const ip = `${path}[${i}]`
    if (p.name) {
      errs.push(...invalidEach(`${ip}.name`, p.name, isValidPortName(p.name)))
      if (names.has(p.name)) errs.push(duplicate(`${ip}.name`, p.name))
      names.add(p.name)
    }
    if (!p.containerPort) errs.push(required(`${ip}.containerPort`))
    else errs.push(...invalidEach(`${ip}.containerPort`, p.containerPort, isValidPortNum(p.containerPort)))
    if (p.hostPort) errs.push(...invalidEach(`${ip}.hostPort`, p.hostPort, isValidPortNum(p.hostPort)))
    if (!p.protocol) errs.push(required(`${ip}.protocol`))
    else if (!supportedPortProtocols.includes(p.protocol)) errs.push(notSupported(`${ip}.protocol`, p.protocol, supportedPortProtocols))
  })
  return errs
}

/** ValidateResourceRequirements: non-negative quantities and requests ≤ limits. */
function validateResources(c: Container, path: string): FieldError[] {
  const errs: FieldError[] = []
  const limits = (c.resources?.limits ?? {}) as Record<string, string | number>
  const requests = (c.resources?.requests ?? {}) as Record<string, string | number>
  for (const [k, v] of Object.entries(limits)) {
    if ((parseQuantity(v) ?? 0) < 0) errs.push(invalid(`${path}.limits[${k}]`, String(v), 'must be greater than or equal to 0'))
  }
  for (const [k, v] of Object.entries(requests)) {
    const q = parseQuantity(v) ?? 0
    if (q < 0) errs.push(invalid(`${path}.requests[${k}]`, String(v), 'must be greater than or equal to 0'))
    const lim = limits[k]
    if (lim !== undefined && q > (parseQuantity(lim) ?? Infinity)) {
      errs.push(invalid(`${path}.requests`, String(v), `must be less than or equal to ${k} limit of ${String(lim)}`))
    }
  }
  return errs
}

/** validateProbe: one handler, positive thresholds, liveness/startup successThreshold 1. */
function validateProbe(probe: Probe | undefined, path: string, successMustBeOne: boolean): FieldError[] {
  if (!probe) return []
  const errs: FieldError[] = []
  const handlers = (['exec', 'httpGet', 'tcpSocket', 'grpc'] as const).filter((h) => probe[h])
  if (handlers.length === 0) errs.push(required(path, 'must specify a handler type'))
  for (const h of handlers.slice(1)) errs.push(forbidden(`${path}.${h}`, 'may not specify more than 1 handler type'))
  if (probe.httpGet) errs.push(...validatePortNumOrName(probe.httpGet.port, `${path}.httpGet.port`))
  if (probe.tcpSocket) errs.push(...validatePortNumOrName(probe.tcpSocket.port, `${path}.tcpSocket.port`))
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    const v = probe[f]
    if (v !== undefined && v < 0) errs.push(invalid(`${path}.${f}`, v, 'must be greater than or equal to 0'))
  }
  if (successMustBeOne && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    errs.push(invalid(`${path}.successThreshold`, probe.successThreshold, 'must be 1'))
  }
  return errs
}
