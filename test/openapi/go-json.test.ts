import { describe, expect, it } from 'vitest'
import { normalizeGoJSON } from '../../src/openapi/go-json.js'

const pod = (extra: Record<string, unknown> = {}) =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', labels: {}, annotations: { a: '' } },
    spec: {
      nodeName: '',
      containers: [{ name: 'c', image: 'nginx', args: [], ports: [{ containerPort: 80, hostPort: 0, protocol: 'TCP' }] }],
    },
    status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False', reason: '', lastProbeTime: null }] },
    ...extra,
  }) as Record<string, unknown> & { apiVersion: string; kind: string }

describe('normalizeGoJSON', () => {
  it('drops what encoding/json omits: empty omitempty values, nil pointers; keeps a zero Time as null', () => {
    const p = pod()
    normalizeGoJSON(p)
    expect(p).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      // An empty map with omitempty goes; a map entry with an empty string is a value, not a field.
      metadata: { name: 'p', annotations: { a: '' } },
      spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
      status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False', lastProbeTime: null }] },
    })
  })

  it('with `only`, walks that top-level field alone', () => {
    const p = pod()
    normalizeGoJSON(p, 'status')
    expect((p.spec as { nodeName?: string }).nodeName).toBe('')
    expect((p.status as { conditions: { reason?: string }[] }).conditions[0]).not.toHaveProperty('reason')
  })

  it('skips the values an update shares with the stored version it replaces, and walks the rest', () => {
    const stored = pod()
    normalizeGoJSON(stored)
    // A shallow draft: a new status, spec and its containers shared, a new metadata with shared labels.
    const spec = stored.spec as Record<string, unknown>
    const next = pod({
      metadata: { ...(stored.metadata as object), labels: {} },
      spec: { ...spec, nodeName: '' },
      status: { phase: 'Running', podIP: '', hostIPs: [] },
    })
    ;(next.spec as Record<string, unknown>).containers = spec.containers
    normalizeGoJSON(next, undefined, stored)
    expect(next.spec).toEqual({ containers: spec.containers })
    expect((next.spec as Record<string, unknown>).containers).toBe(spec.containers)
    expect(next.status).toEqual({ phase: 'Running' })
    expect(next.metadata).toEqual({ name: 'p', annotations: { a: '' } })
    // A shared value is trusted as already normal: it is not walked (nor mutated) again.
    const shared = { name: 'c', image: 'x', args: [] }
    const before = pod({ spec: { containers: [shared] } })
    const after = pod({ spec: { containers: [shared, { name: 'd', image: 'y', args: [] }] } })
    normalizeGoJSON(after, undefined, before)
    const [first, second] = (after.spec as { containers: Record<string, unknown>[] }).containers
    expect(first).toBe(shared)
    expect(first).toHaveProperty('args')
    expect(second).toEqual({ name: 'd', image: 'y' })
  })

  it('leaves kinds it has no table for alone', () => {
    const o = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { labels: {} }, spec: { x: '' } }
    normalizeGoJSON(o)
    expect(o).toEqual({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { labels: {} }, spec: { x: '' } })
  })
})
