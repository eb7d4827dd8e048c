/**
 * @module priority-admission: the Priority admission plugin (plugin/pkg/admission/priority/admission.go):
 * a new pod's priorityClassName resolves to spec.priority and spec.preemptionPolicy, and only one
 * PriorityClass may be the global default.
 */
import type { PodSpec } from 'kubernetes-types/core/v1.js'
import { StatusError } from '../../errors.js'
import type { KubeObject } from '../../types.js'
import type { AdmissionAttributes, AdmissionPlugin } from '../admission-plugin.js'
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

function classes(attrs: Pick<AdmissionAttributes, 'lister'>): PriorityClass[] {
  return (attrs.lister('scheduling.k8s.io', 'priorityclasses')?.list() ?? []) as PriorityClass[]
}

/**
 * Admit for pods: on create, no class name takes the global default class (its name too) or
 * priority 0 with PreemptLowerPriority; an unknown name is refused; a priority or preemption
 * policy the client set must equal the computed one. On update the stored values are kept when
 * the request leaves them out (validation forbids changing them).
 */
export const podPriorityAdmission: AdmissionPlugin<PodLike> = {
  name: 'Priority',
  admit(pod, attrs) {
    const spec = (pod.spec ??= { containers: [] })
    if (attrs.operation === 'update') {
      if (spec.priority === undefined && attrs.old?.spec?.priority !== undefined) spec.priority = attrs.old.spec.priority
      if (spec.preemptionPolicy === undefined && attrs.old?.spec?.preemptionPolicy !== undefined) spec.preemptionPolicy = attrs.old.spec.preemptionPolicy
      return
    }
    let priority = 0
    let policy: string | undefined = 'PreemptLowerPriority'
    if (!spec.priorityClassName) {
      const dpc = defaultPriorityClass(classes(attrs))
      if (dpc) {
        spec.priorityClassName = dpc.metadata.name
        priority = dpc.value ?? 0
        policy = dpc.preemptionPolicy
      }
    } else {
      const pc = attrs.lister('scheduling.k8s.io', 'priorityclasses')?.get('', spec.priorityClassName) as PriorityClass | undefined
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
  },
}

/** Validate for PriorityClasses: a second globalDefault class is refused (validatePriorityClass). */
export const priorityClassAdmission: AdmissionPlugin<PriorityClass> = {
  name: 'Priority',
  validate(pc, attrs) {
    if (!pc.globalDefault) return
    const dpc = defaultPriorityClass(classes(attrs))
    if (!dpc) return
    if (attrs.operation === 'create' || dpc.metadata.name !== pc.metadata.name) {
      throw StatusError.forbidden(priorityClassesRef, attrs.name, `PriorityClass ${dpc.metadata.name} is already marked as default. Only one default can exist`)
    }
  },
}
