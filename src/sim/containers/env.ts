/** @module env: a container's process environment as the kubelet builds it (image env, service links, pod env). */
import type { Container, EnvVar, Pod, Service } from 'kubernetes-types/core/v1.js'
import type { Registry } from '../../registry/registry.js'
import { versionFor } from '../images.js'
import { behaviourFor } from './behaviours.js'
import { podContainerSpec } from './pod-container-spec.js'
import { podHostname } from './pod-hostname.js'

/**
 * Docker-link style variables for every service with a cluster IP: the `kubernetes` service of
 * the default namespace always, the pod's own namespace when enableServiceLinks (default true).
 * Mirrors pkg/kubelet/envvars/envvars.go FromServices and kubelet_pods.go getServiceEnvVarMap.
 */
export function serviceEnv(registry: Registry, namespace: string, enableServiceLinks: boolean): Record<string, string> {
  const services = registry.find('', 'services')
  if (!services) return {}
  const chosen = new Map<string, Service>()
  const k = services.getStored('default', 'kubernetes')?.obj as Service | undefined
  for (const s of enableServiceLinks ? registry.store.list(services.key, namespace) : []) {
    chosen.set(s.obj.metadata.name ?? '', s.obj as Service)
  }
  if (k && !(namespace === 'default' && chosen.has('kubernetes'))) chosen.set('kubernetes', k)
  const out: Record<string, string> = {}
  for (const svc of chosen.values()) {
    const ip = svc.spec?.clusterIP
    if (!ip || ip === 'None') continue
    const name = (svc.metadata?.name ?? '').toUpperCase().replace(/-/g, '_')
    const ports = svc.spec?.ports ?? []
    if (!ports.length) continue
    out[`${name}_SERVICE_HOST`] = ip
    out[`${name}_SERVICE_PORT`] = String(ports[0].port)
    for (const p of ports) {
      if (p.name) out[`${name}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, '_')}`] = String(p.port)
    }
    const proto0 = (ports[0].protocol ?? 'TCP').toLowerCase()
    out[`${name}_PORT`] = `${proto0}://${ip}:${ports[0].port}`
    for (const p of ports) {
      const proto = p.protocol ?? 'TCP'
      const prefix = `${name}_PORT_${p.port}_${proto.toUpperCase()}`
      out[prefix] = `${proto.toLowerCase()}://${ip}:${p.port}`
      out[`${prefix}_PROTO`] = proto.toLowerCase()
      out[`${prefix}_PORT`] = String(p.port)
      out[`${prefix}_ADDR`] = ip
    }
  }
  return out
}

function fieldValue(pod: Pod, path: string): string {
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path)
  if (m) return pod.metadata?.[m[1] as 'labels' | 'annotations']?.[m[2]] ?? ''
  switch (path) {
    case 'metadata.name':
      return pod.metadata?.name ?? ''
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? ''
    case 'metadata.uid':
      return pod.metadata?.uid ?? ''
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? ''
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? ''
    case 'status.hostIP':
      return pod.status?.hostIP ?? ''
    case 'status.hostIPs':
      return (pod.status?.hostIPs ?? []).map((i) => i.ip).join(',')
    case 'status.podIP':
      return pod.status?.podIP ?? ''
    case 'status.podIPs':
      return (pod.status?.podIPs ?? []).map((i) => i.ip).join(',')
    default:
      return ''
  }
}

/** Expands `$(VAR)` from earlier variables (`$$` escapes), as third_party/forked/golang/expansion does. */
export function expandRefs(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (all, name: string | undefined) => {
    if (!name) return '$'
    return name in env ? env[name] : all
  })
}

function dataOf(registry: Registry, plural: 'configmaps' | 'secrets', ns: string, name: string): Record<string, string> | undefined {
  const obj = registry.find('', plural)?.getStored(ns, name)?.obj as { data?: Record<string, string>; stringData?: Record<string, string> } | undefined
  if (!obj) return undefined
  const data = obj.data ?? {}
  if (plural === 'configmaps') return data
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(data)) out[k] = Buffer.from(v, 'base64').toString('utf8')
  return out
}

function resolveVar(registry: Registry, pod: Pod, v: EnvVar, env: Record<string, string>): string | undefined {
  const ns = pod.metadata?.namespace ?? ''
  if (v.value !== undefined) return expandRefs(v.value, env)
  const from = v.valueFrom
  if (!from) return ''
  if (from.fieldRef) return fieldValue(pod, from.fieldRef.fieldPath)
  if (from.configMapKeyRef) return dataOf(registry, 'configmaps', ns, from.configMapKeyRef.name ?? '')?.[from.configMapKeyRef.key]
  if (from.secretKeyRef) return dataOf(registry, 'secrets', ns, from.secretKeyRef.name ?? '')?.[from.secretKeyRef.key]
  return undefined
}

/**
 * The environment of container `name` in `pod`: image ENV, then service links, then HOSTNAME,
 * then envFrom and env in order (later wins), like kubelet_pods.go makeEnvironmentVariables.
 * Missing optional references are skipped; nothing here throws for absent objects.
 */
export function containerEnv(registry: Registry, pod: Pod, name: string): Record<string, string> {
  const container: Container | undefined = podContainerSpec(pod, name)
  const behaviour = behaviourFor(container?.image ?? '')
  const env: Record<string, string> = {
    PATH: behaviour.path,
    HOSTNAME: podHostname(pod).hostname,
    ...behaviour.env(versionFor(container?.image ?? '')),
    HOME: behaviour.home,
  }
  Object.assign(env, serviceEnv(registry, pod.metadata?.namespace ?? '', pod.spec?.enableServiceLinks !== false))
  const podEnv: Record<string, string> = {}
  for (const src of container?.envFrom ?? []) {
    const data = src.configMapRef
      ? dataOf(registry, 'configmaps', pod.metadata?.namespace ?? '', src.configMapRef.name ?? '')
      : src.secretRef
        ? dataOf(registry, 'secrets', pod.metadata?.namespace ?? '', src.secretRef.name ?? '')
        : undefined
    for (const [k, v] of Object.entries(data ?? {})) podEnv[(src.prefix ?? '') + k] = v
  }
  for (const v of container?.env ?? []) {
    const val = resolveVar(registry, pod, v, { ...env, ...podEnv })
    if (val !== undefined) podEnv[v.name] = val
  }
  return { ...env, ...podEnv }
}
