/**
 * @module request-versions: the versions an admission request can be matched at — the one it came
 * in at first, then the kind's other served versions — as upstream's matchers try the request's own
 * version (matchPolicy Exact) before its equivalents (matchPolicy Equivalent)
 * (staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/generic/webhook.go ShouldCallHook).
 */
import type { AdmissionAttributes } from '../admission.js'
import type { Registry } from '../registry.js'

/**
 * The request's version, then every other served version of the kind. A storage version that is
 * not served (a CRD's `served: false`) is never a candidate: no request comes in at it.
 */
export function requestVersionsOf(registry: Registry, a: AdmissionAttributes): string[] {
  const def = registry.find(a.resource.group, a.resource.resource)?.def
  if (!def) return []
  const served = [...(def.storageVersionServed === false ? [] : [def.version]), ...(def.servedVersions ?? []).map((v) => v.version)]
  const own = a.version ?? def.version
  return [own, ...served.filter((v) => v !== own)]
}
