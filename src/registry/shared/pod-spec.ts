/**
 * @module pod-spec: PodSpec defaulting (SetDefaults_PodSpec, SetDefaults_Container, SetDefaults_Pod …
 * from pkg/apis/core/v1/defaults.go) plus a re-export of PodSpec validation.
 */
import type { Container, PodSpec, Probe, Volume, EnvVar, HTTPGetAction, LifecycleHandler } from 'kubernetes-types/core/v1.js'

export { validatePodSpec, validatePodTemplateSpec } from './pod-spec-validation.js'

/** Options for defaultPodSpec. */
export interface PodSpecDefaultOptions {
  /**
   * True for a PodTemplateSpec inside a workload. False for a Pod: then the Pod-only defaults
   * (SetDefaults_Pod) also apply: limits copied into missing requests, enableServiceLinks true,
   * hostNetwork hostPorts.
   */
  template: boolean
}

/**
 * Fills the API defaults of a PodSpec in place, idempotently (it runs again on every update).
 * Never removes or overrides a value the user set.
 */
export function defaultPodSpec(spec: PodSpec, opts: PodSpecDefaultOptions): void {
  spec.restartPolicy ??= 'Always'
  spec.dnsPolicy ??= 'ClusterFirst'
  spec.securityContext ??= {}
  spec.terminationGracePeriodSeconds ??= 30
  spec.schedulerName ??= 'default-scheduler'
  // SetDefaults_EphemeralContainer defaults the EphemeralContainerCommon as a Container.
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...((spec.ephemeralContainers ?? []) as Container[])]) defaultContainer(c)
  for (const v of spec.volumes ?? []) defaultVolume(v)
  if (spec.hostNetwork) {
    // defaultHostNetworkPorts: with host networking the host port is the container port.
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort
    }
  }
  if (!opts.template) {
    // SetDefaults_Pod: only real pods (not templates) copy limits into missing requests.
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      const limits = c.resources?.limits
      if (!limits) continue
      const requests = (c.resources!.requests ??= {})
      for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v
    }
    spec.enableServiceLinks ??= true
  }
}

/** SetDefaults_Container and the defaults of everything nested in a container. */
function defaultContainer(c: Container): void {
  c.imagePullPolicy ??= imageTag(c.image ?? '') === 'latest' ? 'Always' : 'IfNotPresent'
  c.terminationMessagePath ??= '/dev/termination-log'
  c.terminationMessagePolicy ??= 'File'
  // ResourceRequirements is a struct, not a pointer, so the server always prints `resources: {}`.
  c.resources ??= {}
  for (const p of c.ports ?? []) p.protocol ??= 'TCP'
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) if (probe) defaultProbe(probe)
  for (const h of [c.lifecycle?.postStart, c.lifecycle?.preStop]) if (h) defaultHandler(h)
  for (const e of c.env ?? []) defaultEnvVar(e)
}

/** SetDefaults_Probe plus its handler. */
function defaultProbe(p: Probe): void {
  p.timeoutSeconds ??= 1
  p.periodSeconds ??= 10
  p.successThreshold ??= 1
  p.failureThreshold ??= 3
  defaultHandler(p)
}

function defaultHandler(h: LifecycleHandler | Probe): void {
  if (h.httpGet) defaultHTTPGet(h.httpGet)
}

/** SetDefaults_HTTPGetAction. */
function defaultHTTPGet(a: HTTPGetAction): void {
  a.path ||= '/'
  a.scheme ??= 'HTTP'
}

/** SetDefaults_ObjectFieldSelector via env valueFrom.fieldRef. */
function defaultEnvVar(e: EnvVar): void {
  if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ||= 'v1'
}

/** Volume source keys of v1.VolumeSource, used to decide "no source given → emptyDir". */
export const volumeSourceKeys = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
] as const

/** SetDefaults_Volume and the DefaultMode (0644 = 420) of the file-projecting sources. */
function defaultVolume(v: Volume): void {
  const vv = v as unknown as Record<string, unknown>
  if (!volumeSourceKeys.some((k) => vv[k] !== undefined && vv[k] !== null)) v.emptyDir = {}
  if (v.secret) v.secret.defaultMode ??= 420
  if (v.configMap) v.configMap.defaultMode ??= 420
  if (v.downwardAPI) {
    v.downwardAPI.defaultMode ??= 420
    for (const i of v.downwardAPI.items ?? []) if (i.fieldRef) i.fieldRef.apiVersion ||= 'v1'
  }
  if (v.projected) {
    v.projected.defaultMode ??= 420
    for (const s of v.projected.sources ?? []) {
      for (const i of s.downwardAPI?.items ?? []) if (i.fieldRef) i.fieldRef.apiVersion ||= 'v1'
      if (s.serviceAccountToken) s.serviceAccountToken.expirationSeconds ??= 3600
    }
  }
  if (v.hostPath) v.hostPath.type ??= ''
}

/**
 * The tag parsers.ParseImageName reports: the explicit tag, "" when only a digest is given,
 * else "latest". A ':' counts as a tag separator only after the last '/' (registry ports).
 */
export function imageTag(image: string): string {
  const at = image.indexOf('@')
  const name = at >= 0 ? image.slice(0, at) : image
  const colon = name.lastIndexOf(':')
  if (colon > name.lastIndexOf('/')) return name.slice(colon + 1)
  return at >= 0 ? '' : 'latest'
}
