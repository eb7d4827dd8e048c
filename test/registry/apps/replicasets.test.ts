import { describe, expect, it } from 'vitest'
import { replicaSets, type ReplicaSet } from '../../../src/registry/apps/replicasets.js'
import { fieldErrorString } from '../../../src/errors.js'
import type { HookContext } from '../../../src/registry/resource-definition.js'

const ctx: HookContext = { now: new Date('2026-01-01T01:00:00Z'), randomSuffix: () => 'abcde' }

function rs(over: Record<string, unknown> = {}): ReplicaSet {
  const r = {
    metadata: { name: 'web-7d9f8c', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      selector: { matchLabels: { app: 'web', 'pod-template-hash': '7d9f8c' } },
      template: {
        metadata: { labels: { app: 'web', 'pod-template-hash': '7d9f8c' } },
        spec: {
          containers: [
            { name: 'a', image: 'nginx' },
            { name: 'b', image: 'busybox:1.36' },
          ],
        },
      },
      ...over,
    },
  } as ReplicaSet
  replicaSets.applyDefaults!(r, ctx)
  replicaSets.prepareForCreate!(r, ctx)
  return r
}

describe('replicasets', () => {
  it('defaults replicas and reads back status.replicas 0', () => {
    const r = rs()
    expect(r.spec!.replicas).toBe(1)
    expect(r.status).toEqual({ replicas: 0 })
    expect(r.spec!.template!.spec!.containers[0]!.imagePullPolicy).toBe('Always')
    expect(replicaSets.validate!(r)).toEqual([])
  })

  it('reports the empty selector with upstream wording', () => {
    const r = rs({ selector: {} })
    expect(replicaSets.validate!(r).map((e) => `${e.field}: ${e.detail}`)).toContain('spec.selector: empty selector is invalid for deployment')
  })

  it('forbids activeDeadlineSeconds in the template', () => {
    const r = rs()
    r.spec!.template!.spec!.activeDeadlineSeconds = 5
    expect(replicaSets.validate!(r).map(fieldErrorString)).toContain(
      'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported',
    )
  })

  it('offers status.replicas as a field selector', () => {
    const r = rs()
    r.status = { replicas: 3 }
    expect(replicaSets.selectableFields!(r)).toEqual({ 'status.replicas': '3' })
  })

  it('prints DESIRED CURRENT READY as integers and the wide cells', () => {
    const r = rs({ replicas: 3 })
    r.status = { replicas: 3, readyReplicas: 1 }
    expect(replicaSets.columns!.map((c) => [c.name, c.type, c.priority ?? 0])).toEqual([
      ['Name', 'string', 0],
      ['Desired', 'integer', 0],
      ['Current', 'integer', 0],
      ['Ready', 'integer', 0],
      ['Age', 'string', 0],
      ['Containers', 'string', 1],
      ['Images', 'string', 1],
      ['Selector', 'string', 1],
    ])
    expect(replicaSets.row!(r, ctx.now)).toEqual(['web-7d9f8c', 3, 3, 1, '60m', 'a,b', 'nginx,busybox:1.36', 'app=web,pod-template-hash=7d9f8c'])
  })
})
