import { describe, expect, it } from 'vitest'
import { statefulSets, type StatefulSet } from '../../../src/registry/apps/statefulsets.js'
import { fieldErrorString } from '../../../src/errors.js'
import type { HookContext } from '../../../src/registry/resource-definition.js'

const ctx: HookContext = { now: new Date('2026-01-01T00:00:45Z'), randomSuffix: () => 'abcde' }

function sts(over: Record<string, unknown> = {}): StatefulSet {
  const s = {
    metadata: { name: 'db', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'pg', image: 'postgres:16' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...over,
    },
  } as StatefulSet
  statefulSets.applyDefaults!(s, ctx)
  statefulSets.prepareForCreate!(s, ctx)
  return s
}

describe('statefulsets', () => {
  it('fills the 1.32 defaults', () => {
    const s = sts()
    expect(s.spec).toMatchObject({
      replicas: 1,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    })
    expect(s.spec!.volumeClaimTemplates![0]).toMatchObject({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      spec: { volumeMode: 'Filesystem' },
      status: { phase: 'Pending' },
    })
    expect(s.status).toEqual({ replicas: 0, availableReplicas: 0 })
    expect(statefulSets.validate!(s)).toEqual([])
  })

  it('rejects a bad podManagementPolicy and forbids changing other spec fields', () => {
    const bad = sts({ podManagementPolicy: 'Random' })
    expect(statefulSets.validate!(bad).map(fieldErrorString)).toEqual([
      "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'",
    ])
    const old = sts()
    const scaled = sts({ replicas: 5 })
    expect(statefulSets.validateUpdate!(scaled, old)).toEqual([])
    const renamed = sts({ serviceName: 'other' })
    expect(statefulSets.validateUpdate!(renamed, old).map(fieldErrorString)).toEqual([
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ])
  })

  it('prints READY ready/replicas', () => {
    const s = sts({ replicas: 3 })
    s.status = { replicas: 3, readyReplicas: 2 }
    expect(statefulSets.columns!.map((c) => c.name)).toEqual(['Name', 'Ready', 'Age', 'Containers', 'Images'])
    expect(statefulSets.row!(s, ctx.now)).toEqual(['db', '2/3', '45s', 'pg', 'postgres:16'])
  })
})
