/** @module jobs: the batch/v1 Job definition (pkg/registry/batch/job/strategy.go, pkg/apis/batch/validation/validation.go). */
import type { JobSpec, JobStatus } from 'kubernetes-types/batch/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { defaultPodSpec, validatePodTemplateSpec } from '../shared/pod-spec.js'
import { validateLabelSelector } from '../shared/validation.js'
import { humanDuration, translateTimestampSince } from '../shared/human-duration.js'
import { containersAndImages } from '../shared/workload-columns.js'
import { labelSelectorAsString } from '../../store/selectors.js'
import { ageColumn, containersColumn, imagesColumn, nameColumn, selectorColumn, stringColumn } from '../apps/columns.js'
import { validateNonnegative } from '../apps/int-or-percent.js'
import { GoLiteral, goSelectorValue } from '../../util/go-value.js'
import { defaultTemplateMetadata, jsonEqual, selectorMatches, validateSelectorImmutable } from '../apps/workload-validation.js'
import { statusSubresource } from '../apps/deployments.js'
import { specStatusUpdates } from '../shared/spec-status.js'
import { defaultPodFailurePolicy, validatePodFailurePolicy } from './pod-failure-policy-validation.js'

/** A Job as stored. */
export type Job = KubeObject & { spec?: JobSpec; status?: JobStatus }

/** The labels generateSelector puts on the pod template (batch.kubernetes.io/… and the legacy ones). */
export const jobNameLabels = ['job-name', 'batch.kubernetes.io/job-name']
export const controllerUidLabels = ['controller-uid', 'batch.kubernetes.io/controller-uid']

/** SetDefaults_Job (JobPodReplacementPolicy is on in 1.32) plus the pod-template defaults. */
export function applyJobDefaults(obj: Job): void {
  const spec = (obj.spec ??= {} as JobSpec)
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1
  spec.parallelism ??= 1
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6
  const tplLabels = spec.template?.metadata?.labels
  if (tplLabels && Object.keys(obj.metadata.labels ?? {}).length === 0) obj.metadata.labels = { ...tplLabels }
  spec.completionMode ??= 'NonIndexed'
  spec.suspend ??= false
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed'
  defaultPodFailurePolicy(spec)
  spec.manualSelector ??= false
  spec.template ??= {} as JobSpec['template']
  defaultTemplateMetadata(spec.template as { metadata?: Record<string, unknown> })
  if (spec.template.spec) defaultPodSpec(spec.template.spec, { template: true })
}

/** generateSelector: template labels for name and uid, and a controller-uid selector; user labels win. */
function generateSelector(obj: Job): void {
  const spec = obj.spec!
  const meta = (spec.template.metadata ??= {})
  const labels = (meta.labels ??= {})
  for (const k of jobNameLabels) labels[k] ??= obj.metadata.name ?? ''
  for (const k of controllerUidLabels) labels[k] ??= obj.metadata.uid ?? ''
  const sel = (spec.selector ??= {})
  const ml = (sel.matchLabels ??= {})
  ml['batch.kubernetes.io/controller-uid'] ??= obj.metadata.uid ?? ''
}

/** ValidateHasLabel: `Required value: must be '<v>'` or `Invalid value: map…: must be '<v>'`. */
function hasLabel(labels: Record<string, string> | undefined, key: string, want: string): FieldError[] {
  const field = `spec.template.metadata.labels[${key}]`
  if (!labels || !(key in labels)) return [{ type: 'FieldValueRequired', field, detail: `must be '${want}'` }]
  return labels[key] === want ? [] : [{ type: 'FieldValueInvalid', field, badValue: labels, detail: `must be '${want}'` }]
}

/** validateGeneratedSelector with RequirePrefixedLabels (always true for new Jobs). */
function validateGeneratedSelector(obj: Job): FieldError[] {
  const spec = obj.spec ?? ({} as JobSpec)
  if (spec.manualSelector || !spec.selector) return []
  const errs: FieldError[] = obj.metadata.uid ? [] : [{ type: 'FieldValueRequired', field: 'metadata.uid', detail: '' }]
  const labels = spec.template?.metadata?.labels
  const name = obj.metadata.name ?? ''
  const uid = obj.metadata.uid ?? ''
  errs.push(...hasLabel(labels, 'controller-uid', uid), ...hasLabel(labels, 'job-name', name))
  errs.push(...hasLabel(labels, 'batch.kubernetes.io/controller-uid', uid), ...hasLabel(labels, 'batch.kubernetes.io/job-name', name))
  const expected = { 'controller-uid': uid, 'job-name': name, 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name }
  if (selectorMatches(spec.selector, expected) === false) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.selector', badValue: goSelectorValue(spec.selector), detail: '`selector` not auto-generated' })
  }
  return errs
}

/** validateJobSpec: the rules shared by Jobs and CronJob job templates (`path` is `spec` or `spec.jobTemplate.spec`). */
export function validateJobSpecFields(spec: JobSpec, path: string): FieldError[] {
  const errs: FieldError[] = []
  for (const k of [
    'parallelism',
    'completions',
    'activeDeadlineSeconds',
    'backoffLimit',
    'ttlSecondsAfterFinished',
    'backoffLimitPerIndex',
    'maxFailedIndexes',
  ] as const) {
    errs.push(...validateNonnegative(spec[k], `${path}.${k}`))
  }
  if (spec.maxFailedIndexes !== undefined && spec.backoffLimitPerIndex === undefined) {
    errs.push({ type: 'FieldValueRequired', field: `${path}.backoffLimitPerIndex`, detail: 'when maxFailedIndexes is specified' })
  }
  const mode = spec.completionMode
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') {
    errs.push({ type: 'FieldValueNotSupported', field: `${path}.completionMode`, badValue: mode, detail: 'supported values: "NonIndexed", "Indexed"' })
  }
  if (mode === 'Indexed' && spec.completions === undefined) {
    errs.push({ type: 'FieldValueRequired', field: `${path}.completions`, detail: 'when completion mode is Indexed' })
  }
  if (mode !== 'Indexed') {
    if (spec.backoffLimitPerIndex !== undefined)
      errs.push({
        type: 'FieldValueInvalid',
        field: `${path}.backoffLimitPerIndex`,
        badValue: spec.backoffLimitPerIndex,
        detail: 'requires indexed completion mode',
      })
    if (spec.maxFailedIndexes !== undefined)
      errs.push({ type: 'FieldValueInvalid', field: `${path}.maxFailedIndexes`, badValue: spec.maxFailedIndexes, detail: 'requires indexed completion mode' })
  }
  if (spec.podFailurePolicy) errs.push(...validatePodFailurePolicy(spec, `${path}.podFailurePolicy`))
  const prp = spec.podReplacementPolicy
  if (prp !== undefined) {
    if (spec.podFailurePolicy && prp !== 'Failed')
      errs.push({ type: 'FieldValueNotSupported', field: `${path}.podReplacementPolicy`, badValue: prp, detail: 'supported values: "Failed"' })
    else if (!spec.podFailurePolicy && prp !== 'Failed' && prp !== 'TerminatingOrFailed')
      errs.push({
        type: 'FieldValueNotSupported',
        field: `${path}.podReplacementPolicy`,
        badValue: prp,
        detail: 'supported values: "Failed", "TerminatingOrFailed"',
      })
  }
  errs.push(...validatePodTemplateSpec(spec.template ?? {}, `${path}.template`))
  // The pod defaults turn a missing restartPolicy into Always, hence "Required" for both.
  const rp = spec.template?.spec?.restartPolicy
  const rpField = `${path}.template.spec.restartPolicy`
  if (rp === 'Always' || !rp) errs.push({ type: 'FieldValueRequired', field: rpField, detail: 'valid values: "OnFailure", "Never"' })
  else if (rp !== 'OnFailure' && rp !== 'Never')
    errs.push({ type: 'FieldValueNotSupported', field: rpField, badValue: rp, detail: 'supported values: "OnFailure", "Never"' })
  else if (spec.podFailurePolicy && rp !== 'Never')
    errs.push({ type: 'FieldValueInvalid', field: rpField, badValue: rp, detail: 'only "Never" is supported when podFailurePolicy is specified' })
  return errs
}

/** ValidateJob minus metadata: generated selector, spec fields, selector and template labels. */
function validate(obj: Job): FieldError[] {
  const spec = obj.spec ?? ({} as JobSpec)
  const errs = [...validateGeneratedSelector(obj), ...validateJobSpecFields(spec, 'spec')]
  if (!spec.selector) errs.push({ type: 'FieldValueRequired', field: 'spec.selector', detail: '' })
  else errs.push(...validateLabelSelector(spec.selector, 'spec.selector'))
  const labels = spec.template?.metadata?.labels
  if (selectorMatches(spec.selector, labels) === false) {
    errs.push({
      type: 'FieldValueInvalid',
      field: 'spec.template.metadata.labels',
      badValue: labels ?? null,
      detail: '`selector` does not match template `labels`',
    })
  }
  return errs
}

/** ValidateJobSpecUpdate: the immutable parts of a Job. */
function validateUpdate(obj: Job, old: Job): FieldError[] {
  const spec = obj.spec ?? ({} as JobSpec)
  const prev = old.spec ?? ({} as JobSpec)
  const errs: FieldError[] = []
  const immutable = (field: string, a: unknown, b: unknown, bad: unknown = a) => {
    if (!jsonEqual(a, b)) errs.push({ type: 'FieldValueInvalid', field, badValue: bad ?? null, detail: 'field is immutable' })
  }
  // Elastic Indexed Jobs (GA in 1.31) may change completions together with parallelism.
  if (spec.completionMode === 'Indexed') {
    if (!jsonEqual(spec.completions, prev.completions) && spec.completions !== undefined && spec.completions !== spec.parallelism) {
      errs.push({
        type: 'FieldValueInvalid',
        field: 'spec.completions',
        badValue: spec.completions,
        detail: 'can only be modified in tandem with spec.parallelism',
      })
    }
  } else immutable('spec.completions', spec.completions, prev.completions)
  errs.push(...validateSelectorImmutable(spec.selector, prev.selector))
  // A suspended Job that never started may change its scheduling directives (AllowMutableSchedulingDirectives).
  const mutableWhileSuspended = prev.suspend === true && !old.status?.startTime
  const schedulingFree = (t: JobSpec['template'] | undefined) => {
    if (!t || !mutableWhileSuspended) return t
    const { nodeSelector: _n, tolerations: _t, schedulingGates: _g, affinity: _a, ...rest } = t.spec ?? ({} as NonNullable<typeof t.spec>)
    return { spec: rest, metadata: { ...t.metadata, labels: undefined, annotations: undefined } }
  }
  immutable('spec.template', schedulingFree(spec.template), schedulingFree(prev.template), new GoLiteral('core.PodTemplateSpec{…}'))
  immutable('spec.completionMode', spec.completionMode, prev.completionMode)
  immutable('spec.podFailurePolicy', spec.podFailurePolicy, prev.podFailurePolicy, new GoLiteral('batch.PodFailurePolicy{…}'))
  immutable('spec.backoffLimitPerIndex', spec.backoffLimitPerIndex, prev.backoffLimitPerIndex)
  immutable('spec.managedBy', spec.managedBy, prev.managedBy)
  immutable('spec.successPolicy', spec.successPolicy, prev.successPolicy, new GoLiteral('batch.SuccessPolicy{…}'))
  return errs
}

/** True when the condition of this type is present with status True (hasJobCondition). */
function hasCondition(obj: Job, type: string): boolean {
  const c = obj.status?.conditions?.find((x) => x.type === type)
  return c?.status === 'True'
}

/** The 1.32 STATUS column of printJob. */
export function jobStatus(obj: Job): string {
  if (hasCondition(obj, 'Complete')) return 'Complete'
  if (hasCondition(obj, 'Failed')) return 'Failed'
  if (obj.metadata.deletionTimestamp) return 'Terminating'
  if (hasCondition(obj, 'Suspended')) return 'Suspended'
  if (hasCondition(obj, 'FailureTarget')) return 'FailureTarget'
  return 'Running'
}

/** NAME STATUS COMPLETIONS DURATION AGE | CONTAINERS IMAGES SELECTOR (printJob). */
export const jobs: ResourceDefinition<Job> = {
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  plural: 'jobs',
  singular: 'job',
  namespaced: true,
  categories: ['all'],
  subresources: [statusSubresource],
  hasGeneration: true,
  applyDefaults: applyJobDefaults,
  prepareForCreate(obj) {
    obj.status = {}
    // Upstream generates the selector in Validate, once the uid exists; ours exists already here.
    if (!obj.spec!.manualSelector) generateSelector(obj)
  },
  ...specStatusUpdates<Job>(),
  validate,
  validateUpdate,
  // JobToSelectableFields adds status.successful.
  selectableFields: (obj) => ({ 'status.successful': String(obj.status?.succeeded ?? 0) }),
  columns: [
    nameColumn,
    stringColumn('Status', 'Status of the job.'),
    stringColumn(
      'Completions',
      'The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.',
    ),
    stringColumn('Duration', 'Time required to complete the job.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    {
      ...selectorColumn,
      description:
        'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
    },
  ],
  row(obj, now) {
    const spec = obj.spec ?? ({} as JobSpec)
    const succeeded = obj.status?.succeeded ?? 0
    let completions: string
    if (spec.completions !== undefined) completions = `${succeeded}/${spec.completions}`
    else completions = (spec.parallelism ?? 0) > 1 ? `${succeeded}/1 of ${spec.parallelism}` : `${succeeded}/1`
    const start = obj.status?.startTime
    const done = obj.status?.completionTime
    let duration = ''
    if (start) duration = humanDuration((done ? Date.parse(done) : now.getTime()) - Date.parse(start))
    const [names, images] = containersAndImages(spec.template?.spec ?? { containers: [] })
    return [
      obj.metadata.name ?? '',
      jobStatus(obj),
      completions,
      duration,
      translateTimestampSince(obj.metadata.creationTimestamp, now),
      names,
      images,
      labelSelectorAsString(spec.selector),
    ]
  },
}
