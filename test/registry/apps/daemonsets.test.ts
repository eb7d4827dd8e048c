import { describe, expect, it } from 'vitest'
import { daemonSets, templateGenerationAnnotation, type DaemonSet } from '../../../src/registry/apps/daemonsets.js'
import { fieldErrorString } from '../../../src/errors.js'
import type { HookContext } from '../../../src/registry/resource-definition.js'

const ctx: HookContext = { now: new Date('2026-01-03T02:00:00Z'), randomSuffix: () => 'abcde' }

function ds(over: Record<string, unknown> = {}): DaemonSet {
  const d = {
    metadata: { name: 'fluentd', namespace: 'kube-system', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      selector: { matchLabels: { name: 'fluentd' } },
      template: {
        metadata: { labels: { name: 'fluentd' } },
        spec: { nodeSelector: { 'kubernetes.io/os': 'linux', disk: 'ssd' }, containers: [{ name: 'fluentd', image: 'fluentd:v1' }] },
      },
      ...over,
    },
  } as DaemonSet
  daemonSets.applyDefaults!(d, ctx)
  daemonSets.prepareForCreate!(d, ctx)
  return d
}

describe('daemonsets', () => {
  it('defaults the update strategy and history, and starts templateGeneration at 1', () => {
    const d = ds()
    expect(d.spec!.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } })
    expect(d.spec!.revisionHistoryLimit).toBe(10)
    expect(d.metadata.annotations).toEqual({ [templateGenerationAnnotation]: '1' })
    expect(d.status).toEqual({ currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 })
    expect(daemonSets.validate!(d)).toEqual([])
  })

  it('bumps templateGeneration only when the template changes', () => {
    const old = ds()
    const same = ds()
    daemonSets.prepareForUpdate!(same, old, ctx)
    expect(same.metadata.annotations![templateGenerationAnnotation]).toBe('1')
    const changed = ds()
    changed.spec!.template.spec!.containers[0].image = 'fluentd:v2'
    daemonSets.prepareForUpdate!(changed, old, ctx)
    expect(changed.metadata.annotations![templateGenerationAnnotation]).toBe('2')
  })

  it('rejects both maxSurge and maxUnavailable non-zero, and both zero', () => {
    const both = ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } })
    expect(daemonSets.validate!(both).map((e) => `${e.field}: ${e.detail}`)).toEqual([
      'spec.updateStrategy.rollingUpdate.maxSurge: may not be set when maxUnavailable is non-zero',
    ])
    const none = ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } })
    expect(daemonSets.validate!(none).map(fieldErrorString)).toEqual([
      'spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
    ])
  })

  it('prints the counters and a sorted NODE SELECTOR', () => {
    const d = ds()
    d.status = { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2, numberMisscheduled: 0 }
    expect(daemonSets.columns!.map((c) => c.name)).toEqual([
      'Name',
      'Desired',
      'Current',
      'Ready',
      'Up-to-date',
      'Available',
      'Node Selector',
      'Age',
      'Containers',
      'Images',
      'Selector',
    ])
    expect(daemonSets.row!(d, ctx.now)).toEqual(['fluentd', 3, 3, 2, 3, 2, 'disk=ssd,kubernetes.io/os=linux', '2d2h', 'fluentd', 'fluentd:v1', 'name=fluentd'])
    const bare = ds()
    bare.spec!.template.spec!.nodeSelector = undefined
    expect(daemonSets.row!(bare, ctx.now)[6]).toBe('<none>')
  })
})
