/**
 * @module runtimeclass-admission: the RuntimeClass admission plugin for new pods
 * (plugin/pkg/admission/runtimeclass/admission.go): the named class must exist; its overhead
 * becomes the pod's, its scheduling constraints join the pod's.
 */
import type { PodSpec, Toleration } from 'kubernetes-types/core/v1.js'
import { StatusError } from '../../errors.js'
import type { KubeObject } from '../../types.js'
import { deepEqual } from '../../util/deep-equal.js'
import { type AdmissionPlugin, admissionLister, admissionName, isResource } from '../admission.js'
import type { Registry } from '../registry.js'
import { parseQuantity } from '../shared/quantity.js'
import type { RuntimeClass } from './runtimeclasses.js'

type PodLike = KubeObject & { spec?: PodSpec }

const podsRef = { group: '', resource: 'pods' }

/** apiequality.Semantic.DeepEqual over two resource lists: the same names with equal quantities. */
function sameResources(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  return ka.every((k) => k in b && parseQuantity(a[k]) === parseQuantity(b[k]))
}

/** tolerations.MergeTolerations, simplified: the pod's, then the class's that the pod lacks. */
function mergeTolerations(pod: Toleration[] | undefined, extra: Toleration[]): Toleration[] {
  const out = [...(pod ?? [])]
  for (const t of extra) if (!out.some((x) => deepEqual(x, t))) out.push(t)
  return out
}

/** Admit (create only): refuses a missing class, sets the overhead, merges nodeSelector and tolerations. */
export function createRuntimeClassAdmission(registry: Registry): AdmissionPlugin {
  return { name: 'RuntimeClass', admit: (a) => admitPod(registry, a) }
}

function admitPod(registry: Registry, a: Parameters<NonNullable<AdmissionPlugin['admit']>>[0]): void {
  if (a.operation !== 'CREATE' || !isResource(a, '', 'pods')) return
  const attrs = { name: admissionName(a) }
  const spec = (a.obj as PodLike).spec
  const name = spec?.runtimeClassName
  if (!spec || !name) return
  const rc = admissionLister(registry, 'node.k8s.io', 'runtimeclasses').get('', name) as RuntimeClass | undefined
  if (!rc) throw StatusError.forbidden(podsRef, attrs.name, `pod rejected: RuntimeClass "${name}" not found`)
  const fixed = rc.overhead?.podFixed
  const podOverhead = spec.overhead as Record<string, string> | undefined
  if (fixed) {
    if (podOverhead && Object.keys(podOverhead).length && !sameResources(fixed, podOverhead)) {
      throw StatusError.forbidden(podsRef, attrs.name, "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead")
    }
    spec.overhead = { ...fixed }
  } else if (podOverhead) {
    throw StatusError.forbidden(podsRef, attrs.name, 'pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead')
  }
  const sched = rc.scheduling
  if (!sched) return
  if (sched.nodeSelector) {
    const sel = spec.nodeSelector ? { ...spec.nodeSelector } : {}
    for (const [k, v] of Object.entries(sched.nodeSelector)) {
      if (k in sel && sel[k] !== v) {
        throw StatusError.forbidden(podsRef, attrs.name, `conflict: runtimeClass.scheduling.nodeSelector[${k}] = ${v}; pod.spec.nodeSelector[${k}] = ${sel[k]}`)
      }
      sel[k] = v
    }
    spec.nodeSelector = sel
  }
  if (sched.tolerations?.length) spec.tolerations = mergeTolerations(spec.tolerations, sched.tolerations)
}
