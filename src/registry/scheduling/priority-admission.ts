/**
 * @module priority-admission: the Priority admission plugin (plugin/pkg/admission/priority/admission.go):
 * a new pod's priorityClassName resolves to spec.priority and spec.preemptionPolicy, and only one
 * PriorityClass may be the global default.
 */
import type { PodSpec } from 'kubernetes-types/core/v1.js'
import { StatusError } from '../../errors.js'
import type { KubeObject } from '../../types.js'
import { type AdmissionLister, type AdmissionPlugin, admissionLister, admissionName, isResource } from '../admission.js'
import type { Registry } from '../registry.js'
import type { PriorityClass } from './priorityclasses.js'

type PodLike = KubeObject & { spec?: PodSpec }

const podsRef = { group: '', resource: 'pods' }
const priorityClassesRef = { group: 'scheduling.k8s.io', resource: 'priorityclasses' }

/** getDefaultPriorityClass: the globalDefault class, the lowest value if a race left several. */
export function defaultPriorityClass(classes: PriorityClass[]): PriorityClass | undefined {
  let found: PriorityClass | undefined
  for (const pc of classes) if (pc.globalDefault && (!found || (found.value ?? 0) > (pc.value ?? 0))) found = pc
  return found
}

function classes(lister: AdmissionLister): PriorityClass[] {
  return lister.list() as PriorityClass[]
}

/**
 * Admit for pods: on create, no class name takes the global default class (its name too) or
 * priority 0 with PreemptLowerPriority; an unknown name is refused; a priority or preemption
 * policy the client set must equal the computed one. On update the stored values are kept when
 * the request leaves them out (validation forbids changing them).
 */
function admitPod(pod: PodLike, attrs: { operation: string; name: string; old?: PodLike }, lister: AdmissionLister): void {
  const spec = (pod.spec ??= { containers: [] })
  if (attrs.operation === 'UPDATE') {
    if (spec.priority === undefined && attrs.old?.spec?.priority !== undefined) spec.priority = attrs.old.spec.priority
    if (spec.preemptionPolicy === undefined && attrs.old?.spec?.preemptionPolicy !== undefined) spec.preemptionPolicy = attrs.old.spec.preemptionPolicy
    return
  }
  let priority = 0
  let policy: string | undefined = 'PreemptLowerPriority'
  if (!spec.priorityClassName) {
    const dpc = defaultPriorityClass(classes(lister))
    if (dpc) {
      spec.priorityClassName = dpc.metadata.name
      priority = dpc.value ?? 0
      policy = dpc.preemptionPolicy
    }
  } else {
    const pc = lister.get('', spec.priorityClassName) as PriorityClass | undefined
    if (!pc) throw StatusError.forbidden(podsRef, attrs.name, `no PriorityClass with name ${spec.priorityClassName} was found`)
    priority = pc.value ?? 0
    policy = pc.preemptionPolicy
  }
  if (spec.priority !== undefined && spec.priority !== priority) {
    throw StatusError.forbidden(
      podsRef,
      attrs.name,
      `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`,
    )
  }
  spec.priority = priority
  if (policy !== undefined) {
    if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== policy) {
      throw StatusError.forbidden(
        podsRef,
        attrs.name,
        `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`,
      )
    }
    spec.preemptionPolicy = policy
  }
}

/** Validate for PriorityClasses: a second globalDefault class is refused (validatePriorityClass). */
function validateClass(pc: PriorityClass, attrs: { operation: string; name: string }, lister: AdmissionLister): void {
  if (!pc.globalDefault) return
  const dpc = defaultPriorityClass(classes(lister))
  if (!dpc) return
  if (attrs.operation === 'CREATE' || dpc.metadata.name !== pc.metadata.name) {
    throw StatusError.forbidden(priorityClassesRef, attrs.name, `PriorityClass ${dpc.metadata.name} is already marked as default. Only one default can exist`)
  }
}

/** The Priority plugin of the admission chain: pods are admitted, PriorityClasses validated. */
export function createPriorityAdmission(registry: Registry): AdmissionPlugin {
  const lister = () => admissionLister(registry, 'scheduling.k8s.io', 'priorityclasses')
  return {
    name: 'Priority',
    admit(a) {
      if (isResource(a, '', 'pods')) admitPod(a.obj as PodLike, { operation: a.operation, name: admissionName(a), old: a.old as PodLike | undefined }, lister())
    },
    validate(a) {
      if (isResource(a, 'scheduling.k8s.io', 'priorityclasses'))
        validateClass(a.obj as PriorityClass, { operation: a.operation, name: admissionName(a) }, lister())
    },
  }
}
