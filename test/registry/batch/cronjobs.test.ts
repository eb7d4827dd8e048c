import { describe, expect, it } from 'vitest'
import { cronJobs, type CronJob } from '../../../src/registry/batch/cronjobs.js'
import { fieldErrorString } from '../../../src/errors.js'
import type { HookContext } from '../../../src/registry/resource-definition.js'

const ctx: HookContext = { now: new Date('2026-01-01T02:00:00Z'), randomSuffix: () => 'abcde' }

function cj(spec: Record<string, unknown> = {}, name = 'hello'): CronJob {
  const c = {
    metadata: { name, namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      schedule: '*/1 * * * *',
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'hello', image: 'busybox:1.28' }] } } } },
      ...spec,
    },
  } as CronJob
  cronJobs.applyDefaults!(c, ctx)
  cronJobs.prepareForCreate!(c, ctx)
  return c
}

describe('cronjobs', () => {
  it('fills the CronJob defaults but not the Job ones', () => {
    const c = cj()
    expect(c.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 })
    expect(c.spec!.jobTemplate.spec!.backoffLimit).toBeUndefined()
    expect(c.spec!.jobTemplate.metadata).toEqual({ creationTimestamp: null })
    expect(c.spec!.jobTemplate.spec!.template.spec!.dnsPolicy).toBe('ClusterFirst')
    expect(cronJobs.validate!(c)).toEqual([])
  })

  it('validates the schedule, time zone, policy and job template', () => {
    expect(cronJobs.validate!(cj({ schedule: '' })).map(fieldErrorString)).toEqual(['spec.schedule: Required value'])
    expect(cronJobs.validate!(cj({ schedule: '61 * * * *' })).map(fieldErrorString)).toEqual([
      'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61',
    ])
    expect(cronJobs.validate!(cj({ timeZone: 'Mars/Olympus' })).map(fieldErrorString)).toEqual([
      'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
    ])
    expect(cronJobs.validate!(cj({ timeZone: 'Europe/Berlin' }))).toEqual([])
    expect(cronJobs.validate!(cj({ concurrencyPolicy: 'Sometimes' })).map(fieldErrorString)).toEqual([
      'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
    ])
    const always = cj()
    always.spec!.jobTemplate.spec!.template.spec!.restartPolicy = 'Always'
    expect(cronJobs.validate!(always).map(fieldErrorString)).toEqual([
      'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    ])
    expect(cronJobs.validate!(cj({}, 'x'.repeat(53))).map((e) => e.detail)).toContain('must be no more than 52 characters')
  })

  it('prints SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE', () => {
    const c = cj()
    expect(cronJobs.row!(c, ctx.now)).toEqual(['hello', '*/1 * * * *', '<none>', 'False', 0, '<none>', '120m', 'hello', 'busybox:1.28', '<none>'])
    c.status = { active: [{ name: 'hello-1' }], lastScheduleTime: '2026-01-01T01:59:00Z' }
    c.spec!.timeZone = 'Etc/UTC'
    expect(cronJobs.row!(c, ctx.now).slice(2, 6)).toEqual(['Etc/UTC', 'False', 1, '60s'])
    expect(cronJobs.columns!.map((c) => c.name)).toEqual([
      'Name',
      'Schedule',
      'Timezone',
      'Suspend',
      'Active',
      'Last Schedule',
      'Age',
      'Containers',
      'Images',
      'Selector',
    ])
  })
})
