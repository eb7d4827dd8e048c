/** @module cronjobs: the batch/v1 CronJob definition (pkg/registry/batch/cronjob/strategy.go). */
import type { CronJobSpec, CronJobStatus, JobSpec } from 'kubernetes-types/batch/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { defaultPodSpec } from '../shared/pod-spec.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { containersAndImages } from '../shared/workload-columns.js'
import { labelSelectorAsString } from '../../store/selectors.js'
import { ageColumn, containersColumn, imagesColumn, intColumn, nameColumn, selectorColumn, stringColumn } from '../apps/columns.js'
import { validateNonnegative } from '../apps/int-or-percent.js'
import { goSelectorValue } from '../../util/go-value.js'
import { defaultTemplateMetadata } from '../apps/workload-validation.js'
import { statusSubresource } from '../apps/deployments.js'
import { validateJobSpecFields } from './jobs.js'
import { cronScheduleError } from './cron-schedule.js'
import { specStatusUpdates } from '../shared/spec-status.js'

/** A CronJob as stored. */
export type CronJob = KubeObject & { spec?: CronJobSpec; status?: CronJobStatus }

const tzPart = /^[A-Za-z.\-_0-9+]{1,14}$/

/** validateTimeZone: IANA-looking name that the runtime knows (time.LoadLocation). */
function validateTimeZone(tz: string | undefined): FieldError[] {
  if (tz === undefined) return []
  const bad = (detail: string): FieldError[] => [{ type: 'FieldValueInvalid', field: 'spec.timeZone', badValue: tz, detail }]
  if (tz === '') return bad('timeZone must be nil or non-empty string')
  if (tz.split('/').some((p) => p === '.' || p === '..' || p.startsWith('-') || !tzPart.test(p))) return bad(`unknown time zone ${tz}`)
  if (tz.toLowerCase() === 'local') return bad('timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
  } catch {
    return bad(`unknown time zone ${tz}`)
  }
  return []
}

/** validateCronJobSpec for a new object (ValidateCronJobCreate); the name limit leaves room for `-<timestamp>`. */
function validate(obj: CronJob): FieldError[] {
  const spec = obj.spec ?? ({} as CronJobSpec)
  const errs: FieldError[] = []
  if (!spec.schedule) errs.push({ type: 'FieldValueRequired', field: 'spec.schedule', detail: '' })
  else {
    const msg = cronScheduleError(spec.schedule)
    if (msg) errs.push({ type: 'FieldValueInvalid', field: 'spec.schedule', badValue: spec.schedule, detail: msg })
    if (spec.schedule.includes('TZ'))
      errs.push({
        type: 'FieldValueInvalid',
        field: 'spec.schedule',
        badValue: spec.schedule,
        detail: 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
      })
  }
  errs.push(...validateNonnegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'))
  errs.push(...validateTimeZone(spec.timeZone))
  const cp = spec.concurrencyPolicy
  if (!cp) errs.push({ type: 'FieldValueRequired', field: 'spec.concurrencyPolicy', detail: '' })
  else if (!['Allow', 'Forbid', 'Replace'].includes(cp))
    errs.push({ type: 'FieldValueNotSupported', field: 'spec.concurrencyPolicy', badValue: cp, detail: 'supported values: "Allow", "Forbid", "Replace"' })
  const jt = spec.jobTemplate?.spec ?? ({} as JobSpec)
  errs.push(...validateJobSpecFields(jt, 'spec.jobTemplate.spec'))
  if (jt.selector)
    errs.push({
      type: 'FieldValueInvalid',
      field: 'spec.jobTemplate.spec.selector',
      badValue: goSelectorValue(jt.selector),
      detail: '`selector` will be auto-generated',
    })
  if (jt.manualSelector)
    errs.push({ type: 'FieldValueNotSupported', field: 'spec.jobTemplate.spec.manualSelector', badValue: true, detail: 'supported values: "nil", "false"' })
  errs.push(...validateNonnegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'))
  errs.push(...validateNonnegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'))
  const name = obj.metadata.name ?? ''
  if (name.length > 52) errs.push({ type: 'FieldValueInvalid', field: 'metadata.name', badValue: name, detail: 'must be no more than 52 characters' })
  return errs
}

/** printBoolPtr: `True`, `False` or `<unset>`. */
function boolCell(v: boolean | undefined): string {
  return v === undefined ? '<unset>' : v ? 'True' : 'False'
}

/** `cj`: NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE | CONTAINERS IMAGES SELECTOR (printCronJob). */
export const cronJobs: ResourceDefinition<CronJob> = {
  group: 'batch',
  version: 'v1',
  kind: 'CronJob',
  plural: 'cronjobs',
  singular: 'cronjob',
  namespaced: true,
  shortNames: ['cj'],
  categories: ['all'],
  subresources: [statusSubresource],
  hasGeneration: true,
  applyDefaults(obj) {
    // SetDefaults_CronJob; the job template gets only the pod-template defaults, not SetDefaults_Job.
    const spec = (obj.spec ??= {} as CronJobSpec)
    spec.concurrencyPolicy ||= 'Allow'
    spec.suspend ??= false
    spec.successfulJobsHistoryLimit ??= 3
    spec.failedJobsHistoryLimit ??= 1
    const jt = (spec.jobTemplate ??= {})
    defaultTemplateMetadata(jt as { metadata?: Record<string, unknown> })
    const js = (jt.spec ??= {} as NonNullable<typeof jt.spec>)
    js.template ??= {}
    defaultTemplateMetadata(js.template as { metadata?: Record<string, unknown> })
    if (js.template.spec) defaultPodSpec(js.template.spec, { template: true })
  },
  prepareForCreate(obj) {
    obj.status = {}
  },
  ...specStatusUpdates<CronJob>(),
  validate,
  columns: [
    nameColumn,
    stringColumn('Schedule', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    stringColumn('Timezone', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'),
    {
      name: 'Suspend',
      type: 'boolean',
      description: 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.',
    },
    intColumn('Active', 'A list of pointers to currently running jobs.'),
    stringColumn('Last Schedule', 'Information when was the last time the job was successfully scheduled.'),
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
    const spec = obj.spec ?? ({} as CronJobSpec)
    const last = obj.status?.lastScheduleTime
    const js = spec.jobTemplate?.spec
    const [names, images] = containersAndImages(js?.template?.spec ?? { containers: [] })
    return [
      obj.metadata.name ?? '',
      spec.schedule ?? '',
      spec.timeZone ?? '<none>',
      boolCell(spec.suspend),
      obj.status?.active?.length ?? 0,
      last ? translateTimestampSince(last, now) : '<none>',
      translateTimestampSince(obj.metadata.creationTimestamp, now),
      names,
      images,
      labelSelectorAsString(js?.selector),
    ]
  },
}
