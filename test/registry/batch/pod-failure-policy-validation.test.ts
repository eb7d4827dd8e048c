import { describe, expect, it } from 'vitest'
import { fieldErrorString } from '../../../src/errors.js'
import { jobs, type Job } from '../../../src/registry/batch/jobs.js'
import type { HookContext } from '../../../src/registry/resource-definition.js'

const ctx: HookContext = { now: new Date('2026-01-01T00:03:00Z'), randomSuffix: () => 'abcde' }

function job(rules: unknown[], spec: Record<string, unknown> = {}): Job {
  const j = {
    metadata: { name: 'pi', namespace: 'default', uid: '0f2c1d3e-1111-2222-3333-444455556666', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      podFailurePolicy: { rules },
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }], initContainers: [{ name: 'setup', image: 'busybox' }] } },
      ...spec,
    },
  } as Job
  jobs.applyDefaults!(j, ctx)
  jobs.prepareForCreate!(j, ctx)
  return j
}
const errors = (j: Job) => jobs.validate!(j).map(fieldErrorString)

describe('podFailurePolicy validation', () => {
  it('accepts upstream examples; an onPodConditions status defaults to True', () => {
    const j = job([
      { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [1, 42] } },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
      { action: 'Count', onExitCodes: { containerName: 'setup', operator: 'NotIn', values: [0] } },
    ])
    expect(errors(j)).toEqual([])
    expect(j.spec!.podFailurePolicy!.rules[1].onPodConditions![0].status).toBe('True')
  })

  it('actions, operators and statuses with upstream texts', () => {
    expect(errors(job([{ action: 'Retry', onExitCodes: { operator: 'Within', values: [1] } }]))).toEqual([
      'spec.podFailurePolicy.rules[0].action: Unsupported value: "Retry": supported values: "Count", "FailIndex", "FailJob", "Ignore"',
      'spec.podFailurePolicy.rules[0].onExitCodes.operator: Unsupported value: "Within": supported values: "In", "NotIn"',
    ])
    expect(errors(job([{ onPodConditions: [{ type: 'DisruptionTarget', status: 'Maybe' }] }]))).toEqual([
      'spec.podFailurePolicy.rules[0].action: Required value: valid values: ["Count" "FailIndex" "FailJob" "Ignore"]',
      'spec.podFailurePolicy.rules[0].onPodConditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"',
    ])
    expect(errors(job([{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [1] } }]))).toEqual([
      'spec.podFailurePolicy.rules[0].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set',
    ])
  })

  it('exit code values: not empty, no 0 for In, unique, ordered; containerName must exist', () => {
    expect(errors(job([{ action: 'FailJob', onExitCodes: { containerName: 'nope', operator: 'In', values: [] } }]))).toEqual([
      'spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: "nope": must be one of the container or initContainer names in the pod template',
      'spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32(nil): at least one value is required',
    ])
    expect(errors(job([{ action: 'FailJob', onExitCodes: { operator: 'In', values: [0, 5, 5, 3] } }]))).toEqual([
      'spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[2]: Duplicate value: 5',
      'spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{0, 5, 5, 3}: must be ordered',
    ])
  })

  it('exactly one of onExitCodes and onPodConditions; at most 20 rules', () => {
    expect(errors(job([{ action: 'Ignore' }]))).toEqual([
      'spec.podFailurePolicy.rules[0]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required',
    ])
    expect(
      errors(job([{ action: 'Ignore', onExitCodes: { operator: 'In', values: [1] }, onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }])),
    ).toEqual(['spec.podFailurePolicy.rules[0]: Invalid value: specifying both OnExitCodes and OnPodConditions is not supported'])
    const many = Array.from({ length: 21 }, () => ({ action: 'Count', onExitCodes: { operator: 'In', values: [1] } }))
    expect(errors(job(many))).toEqual(['spec.podFailurePolicy.rules: Too many: 21: must have at most 20 items'])
  })
})
