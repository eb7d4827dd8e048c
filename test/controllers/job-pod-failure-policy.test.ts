import { describe, expect, it } from 'vitest'
import type { PodFailurePolicy } from 'kubernetes-types/batch/v1.js'
import { matchPodFailurePolicy } from '../../src/controllers/job-pod-failure-policy.js'
import type { PodObject } from '../../src/controllers/workload-pods.js'

const terminated = (name: string, exitCode: number) => ({
  name,
  image: 'busybox',
  imageID: '',
  ready: false,
  restartCount: 0,
  state: { terminated: { exitCode } },
})
const pod = (containers: [string, number][], init: [string, number][] = [], conditions: [string, string][] = []): PodObject => ({
  metadata: { name: 'pi-abcde', namespace: 'default' },
  status: {
    phase: 'Failed',
    containerStatuses: containers.map(([n, c]) => terminated(n, c)),
    initContainerStatuses: init.map(([n, c]) => terminated(n, c)),
    conditions: conditions.map(([type, status]) => ({ type, status })),
  },
})

describe('matchPodFailurePolicy', () => {
  const policy: PodFailurePolicy = {
    rules: [
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
      { action: 'Count', onExitCodes: { operator: 'NotIn', values: [1, 2] } },
    ],
  }

  it('without a policy every failure counts', () => {
    expect(matchPodFailurePolicy(undefined, pod([['main', 42]]))).toEqual({ countFailed: true })
  })

  it('FailJob names the container, pod, exit code, action and rule index', () => {
    expect(matchPodFailurePolicy(policy, pod([['main', 42]]))).toEqual({
      message: 'Container main for pod default/pi-abcde failed with exit code 42 matching FailJob rule at index 1',
      countFailed: true,
      action: 'FailJob',
    })
  })

  it('containerName restricts the rule; NotIn matches the other codes', () => {
    expect(matchPodFailurePolicy(policy, pod([['side', 42]]))).toEqual({ countFailed: true, action: 'Count' })
    expect(matchPodFailurePolicy(policy, pod([['side', 1]]))).toEqual({ countFailed: true })
  })

  it('exit code 0 and containers not terminated never match', () => {
    const p = pod([['main', 0]])
    p.status!.containerStatuses!.push({ name: 'main2', image: 'x', imageID: '', ready: false, restartCount: 0, state: { running: {} } })
    expect(matchPodFailurePolicy({ rules: [{ action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [1] } }] }, p)).toEqual({ countFailed: true })
  })

  it('init containers are looked at after the regular ones', () => {
    const r = matchPodFailurePolicy(policy, pod([], [['main', 42]]))
    expect(r.action).toBe('FailJob')
  })

  it('rules are evaluated in order: the first match decides', () => {
    expect(matchPodFailurePolicy(policy, pod([['main', 42]], [], [['DisruptionTarget', 'True']]))).toEqual({ countFailed: false, action: 'Ignore' })
    expect(matchPodFailurePolicy(policy, pod([['main', 42]], [], [['DisruptionTarget', 'False']])).action).toBe('FailJob')
  })

  it('onPodConditions with FailJob names the condition', () => {
    const p = pod([['main', 137]], [], [['DisruptionTarget', 'True']])
    expect(matchPodFailurePolicy({ rules: [{ action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] }, p)).toEqual({
      message: 'Pod default/pi-abcde has condition DisruptionTarget matching FailJob rule at index 0',
      countFailed: true,
      action: 'FailJob',
    })
  })

  it('FailIndex counts the failure and reports the action', () => {
    expect(matchPodFailurePolicy({ rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [3] } }] }, pod([['main', 3]]))).toEqual({
      countFailed: true,
      action: 'FailIndex',
    })
  })
})
