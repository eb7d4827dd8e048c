/** @module job-pod-failure-policy: matches a failed pod against a Job's podFailurePolicy rules (pkg/controller/job/pod_failure_policy.go, 1.32). */
import type { PodFailurePolicy, PodFailurePolicyOnExitCodesRequirement, PodFailurePolicyOnPodConditionsPattern } from 'kubernetes-types/batch/v1.js'
import type { ContainerStatus, PodCondition } from 'kubernetes-types/core/v1.js'
import type { PodObject } from './workload-pods.js'

/** A podFailurePolicy rule's action. */
export type PodFailurePolicyAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count'

/** What a failed pod means for its Job: the FailJob message, whether it counts against backoffLimit, and the matched action. */
export interface PodFailurePolicyMatch {
  message?: string
  countFailed: boolean
  action?: PodFailurePolicyAction
}

/** operator In / NotIn over the rule's values (an unknown operator matches nothing). */
function exitCodeMatches(code: number, req: PodFailurePolicyOnExitCodesRequirement): boolean {
  if (req.operator === 'In') return req.values.includes(code)
  if (req.operator === 'NotIn') return !req.values.includes(code)
  return false
}

/** The first terminated container with a non-zero exit code the requirement matches (containerName optional). */
function matchingContainer(statuses: ContainerStatus[] | undefined, req: PodFailurePolicyOnExitCodesRequirement): ContainerStatus | undefined {
  return statuses?.find((s) => {
    const t = s.state?.terminated
    if (!t) return false // still terminating: no exit code to match yet
    if (req.containerName && req.containerName !== s.name) return false
    return t.exitCode !== 0 && exitCodeMatches(t.exitCode, req)
  })
}

/** A pod condition equal in type and status to one of the patterns. */
function matchingCondition(conditions: PodCondition[] | undefined, patterns: PodFailurePolicyOnPodConditionsPattern[]): PodCondition | undefined {
  return conditions?.find((c) => patterns.some((p) => p.type === c.type && p.status === c.status))
}

/**
 * matchPodFailurePolicy: the first rule matching `pod` decides. onExitCodes looks at the regular
 * containers, then the init containers; onPodConditions at the pod's conditions. No policy or no
 * match counts the failure as usual. Pure; must not mutate its arguments.
 */
export function matchPodFailurePolicy(policy: PodFailurePolicy | undefined, pod: PodObject): PodFailurePolicyMatch {
  if (!policy) return { countFailed: true }
  const ns = pod.metadata.namespace ?? ''
  const name = pod.metadata.name ?? ''
  for (const [index, rule] of (policy.rules ?? []).entries()) {
    const action = rule.action as PodFailurePolicyAction
    let message: string | undefined
    if (rule.onExitCodes) {
      const c = matchingContainer(pod.status?.containerStatuses, rule.onExitCodes) ?? matchingContainer(pod.status?.initContainerStatuses, rule.onExitCodes)
      if (!c) continue
      message = `Container ${c.name} for pod ${ns}/${name} failed with exit code ${c.state!.terminated!.exitCode} matching ${action} rule at index ${index}`
    } else if (rule.onPodConditions) {
      const c = matchingCondition(pod.status?.conditions, rule.onPodConditions)
      if (!c) continue
      message = `Pod ${ns}/${name} has condition ${c.type} matching ${action} rule at index ${index}`
    } else continue
    switch (action) {
      case 'Ignore':
        return { countFailed: false, action }
      case 'Count':
      case 'FailIndex':
        return { countFailed: true, action }
      case 'FailJob':
        return { message, countFailed: true, action }
    }
  }
  return { countFailed: true }
}
