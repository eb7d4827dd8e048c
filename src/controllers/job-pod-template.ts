/** @module job-pod-template: the pod a Job creates, with an Indexed Job's index annotation, label, hostname and env (pkg/controller/job/job_controller.go manageJob). */
import type { EnvVar } from 'kubernetes-types/core/v1.js'
import type { Job } from '../registry/batch/jobs.js'
import { cloneJSON } from '../util/deep-equal.js'
import { completionIndexEnvName, completionIndexKey, generateNameWithIndex, indexFailureCountKey, indexIgnoredFailureCountKey } from './job-indexes.js'
import { newControllerRef, type PodObject } from './workload-pods.js'

/** The finalizer that keeps a Job's pods until the controller has counted them. */
export const jobTrackingFinalizer = 'batch.kubernetes.io/job-tracking'

/** JOB_COMPLETION_INDEX from the index label (PodIndexLabel is GA in 1.32). */
const indexEnv: EnvVar = { name: completionIndexEnvName, valueFrom: { fieldRef: { fieldPath: `metadata.labels['${completionIndexKey}']` } } }

/**
 * A new pod for `job` from its template: the tracking finalizer and controller reference, and for
 * an index `<job>-<index>-` names, the index annotation and label, hostname `<job>-<index>`,
 * JOB_COMPLETION_INDEX in every container and, with backoffLimitPerIndex, the failure counts.
 * Must not mutate `job`.
 */
export function jobPodFor(job: Job, index?: number, failures?: { failed: number; ignored: number }): PodObject {
  const tpl = job.spec!.template
  const name = job.metadata.name ?? ''
  const spec = cloneJSON(tpl.spec!)
  const labels: Record<string, string> = { ...(tpl.metadata?.labels ?? {}) }
  const annotations: Record<string, string> = { ...(tpl.metadata?.annotations ?? {}) }
  if (index !== undefined) {
    for (const c of [...(spec.initContainers ?? []), ...spec.containers])
      if (!(c.env ?? []).some((e) => e.name === completionIndexEnvName)) c.env = [...(c.env ?? []), cloneJSON(indexEnv)]
    annotations[completionIndexKey] = String(index)
    labels[completionIndexKey] = String(index)
    spec.hostname = `${name}-${index}`
    if (failures) {
      annotations[indexFailureCountKey] = String(failures.failed)
      if (failures.ignored > 0) annotations[indexIgnoredFailureCountKey] = String(failures.ignored)
    }
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: index !== undefined ? generateNameWithIndex(name, index) : `${name}-`,
      namespace: job.metadata.namespace,
      labels,
      ...(Object.keys(annotations).length ? { annotations } : {}),
      finalizers: [jobTrackingFinalizer],
      ownerReferences: [newControllerRef(job)],
    },
    spec,
  }
}
