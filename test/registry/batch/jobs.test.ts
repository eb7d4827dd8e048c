import { describe, expect, it } from 'vitest'
import { jobs, jobStatus, type Job } from '../../../src/registry/batch/jobs.js'
import { fieldErrorString } from '../../../src/errors.js'
import type { HookContext } from '../../../src/registry/resource-definition.js'

const ctx: HookContext = { now: new Date('2026-01-01T00:03:00Z'), randomSuffix: () => 'abcde' }
const uid = '0f2c1d3e-1111-2222-3333-444455556666'

function job(spec: Record<string, unknown> = {}, restartPolicy: string | null = 'Never'): Job {
  const j = {
    metadata: { name: 'pi', namespace: 'default', uid, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { template: { spec: { restartPolicy: restartPolicy ?? undefined, containers: [{ name: 'pi', image: 'perl:5.34.0' }] } }, ...spec },
  } as Job
  jobs.applyDefaults!(j, ctx)
  jobs.prepareForCreate!(j, ctx)
  return j
}

describe('jobs', () => {
  it('fills defaults and generates the selector and template labels from the uid', () => {
    const j = job()
    expect(j.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      manualSelector: false,
      podReplacementPolicy: 'TerminatingOrFailed',
    })
    expect(j.spec!.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': uid } })
    expect(j.spec!.template.metadata!.labels).toEqual({
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': uid,
      'job-name': 'pi',
    })
    expect(j.status).toEqual({})
    expect(jobs.validate!(j)).toEqual([])
  })

  it('only defaults completions when parallelism is unset too', () => {
    const j = job({ parallelism: 3 })
    expect(j.spec!.completions).toBeUndefined()
    expect(j.spec!.parallelism).toBe(3)
  })

  it('requires restartPolicy OnFailure or Never', () => {
    const j = job({}, null)
    expect(jobs.validate!(j).map(fieldErrorString)).toEqual(['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'])
  })

  it('rejects a user label that conflicts with the generated ones', () => {
    const j = {
      metadata: { name: 'pi', namespace: 'default', uid },
      spec: { template: { metadata: { labels: { 'job-name': 'other' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } },
    } as Job
    jobs.applyDefaults!(j, ctx)
    jobs.prepareForCreate!(j, ctx)
    const errs = jobs.validate!(j)
    expect(errs.map((e) => `${e.field}: ${e.detail}`)).toEqual(["spec.template.metadata.labels[job-name]: must be 'pi'"])
  })

  it('keeps completions and the template immutable', () => {
    const old = job()
    const next = job({ completions: 3 })
    next.spec!.template.spec!.containers[0].image = 'perl:6'
    const fields = jobs.validateUpdate!(next, old).map((e) => `${e.field}: ${e.detail}`)
    expect(fields).toEqual(['spec.completions: field is immutable', 'spec.template: field is immutable'])
    expect(fieldErrorString(jobs.validateUpdate!(next, old)[0])).toBe('spec.completions: Invalid value: 3: field is immutable')
  })

  it('computes the 1.32 STATUS column', () => {
    const j = job()
    expect(jobStatus(j)).toBe('Running')
    j.status = { conditions: [{ type: 'Suspended', status: 'True' }] }
    expect(jobStatus(j)).toBe('Suspended')
    j.status = { conditions: [{ type: 'Failed', status: 'True' }] }
    expect(jobStatus(j)).toBe('Failed')
    j.status = { conditions: [{ type: 'Complete', status: 'True' }] }
    expect(jobStatus(j)).toBe('Complete')
  })

  it('prints COMPLETIONS and DURATION', () => {
    const j = job()
    j.status = { succeeded: 1, startTime: '2026-01-01T00:00:05Z', completionTime: '2026-01-01T00:00:17Z', conditions: [{ type: 'Complete', status: 'True' }] }
    expect(jobs.row!(j, ctx.now)).toEqual(['pi', 'Complete', '1/1', '12s', '3m', 'pi', 'perl:5.34.0', `batch.kubernetes.io/controller-uid=${uid}`])
    const running = job({ parallelism: 2 })
    running.status = { active: 2, startTime: '2026-01-01T00:01:00Z' }
    expect(jobs.row!(running, ctx.now).slice(1, 4)).toEqual(['Running', '0/1 of 2', '2m'])
    expect(jobs.row!(job(), ctx.now)[3]).toBe('')
    expect(jobs.selectableFields!(j)).toEqual({ 'status.successful': '1' })
  })
})
