/** @module field-manager.test: the managers stack upstream's NewDefaultFieldManager builds, on plain objects. */
import { describe, expect, it } from 'vitest'
import { applyPatch, conflictError, type FieldManagerScope, trackUpdate } from '../../../src/registry/apply/field-manager.js'
import { FieldPathSet } from '../../../src/registry/apply/field-set.js'
import { fieldElement } from '../../../src/registry/apply/path-element.js'
import { updaterFor } from '../../../src/registry/apply/updater-for.js'
import type { KubeObject } from '../../../src/types.js'
import { statusOf } from '../../helpers/status-of.js'

let clock = Date.parse('2026-12-03T10:00:00Z')
const scope = (subresource?: string): FieldManagerScope => ({
  updater: updaterFor({ group: 'apps', version: 'v1', kind: 'Deployment' }),
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  ...(subresource ? { subresource } : {}),
  ignored: FieldPathSet.of([[fieldElement(subresource === 'status' ? 'spec' : 'status')]]),
  now: () => new Date(clock).toISOString().replace('.000Z', 'Z'),
})
const where = { namespace: 'default', name: 'web' }

const config = (replicas: number, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', ...extra },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } },
  },
})

// What the registry adds to a created object.
const stored = (o: KubeObject): KubeObject => ({ ...o, metadata: { ...o.metadata, uid: 'u1', namespace: 'default', resourceVersion: '5' } })
const managers = (o: KubeObject) => (o.metadata.managedFields ?? []).map((e) => [e.manager, e.operation, e.subresource ?? ''])

describe('applyPatch', () => {
  it('records exactly the applied fields as an Apply entry, without the stripped metadata', () => {
    const o = applyPatch(scope(), undefined, config(2), 'alice', false, where)
    expect(o.metadata.managedFields).toEqual([
      {
        manager: 'alice',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: '2026-12-03T10:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
            },
          },
        },
      },
    ])
  })

  it('a second manager changing an owned field conflicts with upstream text; force moves the field', () => {
    const live = stored(applyPatch(scope(), undefined, config(2), 'alice', false, where))
    const err = statusOf(() => applyPatch(scope(), live, config(3), 'bob', false, where))
    expect(err.code).toBe(409)
    expect(err.status.reason).toBe('Conflict')
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "alice": .spec.replicas')
    expect(err.status.details?.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' }])
    const forced = applyPatch(scope(), live, config(3), 'bob', true, where)
    expect((forced.spec as { replicas: number }).replicas).toBe(3)
    const alice = forced.metadata.managedFields!.find((e) => e.manager === 'alice')!
    expect(alice.fieldsV1).not.toHaveProperty(['f:spec', 'f:replicas'])
    // The same value is shared ownership, not a conflict. The object did not change, so bob's
    // entry has no time and sorts first (managedFieldsUpdater dates only changes).
    const shared = applyPatch(scope(), live, config(2), 'bob', false, where)
    expect(managers(shared)).toEqual([
      ['bob', 'Apply', ''],
      ['alice', 'Apply', ''],
    ])
    expect(shared.metadata.managedFields![0]!.time).toBeUndefined()
  })

  it('removes a field its manager stops applying, keeps it while another manager owns it', () => {
    const live = stored(applyPatch(scope(), undefined, config(2, { labels: { a: '1', b: '2' } }), 'alice', false, where))
    const dropped = applyPatch(scope(), live, config(2, { labels: { a: '1' } }), 'alice', false, where)
    expect(dropped.metadata.labels).toEqual({ a: '1' })
    const coOwned = stored(
      applyPatch(scope(), live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { b: '2' } } }, 'bob', false, where),
    )
    expect(applyPatch(scope(), coOwned, config(2, { labels: { a: '1' } }), 'alice', false, where).metadata.labels).toEqual({ a: '1', b: '2' })
  })

  it('a no-op apply keeps the entry time; a change dates it', () => {
    const live = stored(applyPatch(scope(), undefined, config(2), 'alice', false, where))
    clock += 60_000
    const again = applyPatch(scope(), live, config(2), 'alice', false, where)
    expect(again.metadata.managedFields).toEqual(live.metadata.managedFields)
    const changed = applyPatch(scope(), live, config(4), 'alice', false, where)
    expect(changed.metadata.managedFields![0]!.time).toBe('2026-12-03T10:01:00Z')
  })

  it('an object nobody tracked gets a before-first-apply owner of what it holds', () => {
    const untracked = stored(config(2) as KubeObject)
    const err = statusOf(() => applyPatch(scope(), untracked, config(5), 'alice', false, where))
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas')
  })

  it('kubectl upgrading from client-side apply takes the fields its last-applied annotation shows', () => {
    const lastApplied = JSON.stringify(config(2))
    const created = config(2, { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } }) as KubeObject
    const live = stored(created)
    trackUpdate(scope(), undefined, live, 'kubectl-client-side-apply')
    // Another name must not take them…
    expect(statusOf(() => applyPatch(scope(), stored(live), config(3), 'someone', false, where)).code).toBe(409)
    // …kubectl may, and the annotation follows what it applied.
    const upgraded = applyPatch(scope(), stored(live), config(3), 'kubectl', false, where)
    expect((upgraded.spec as { replicas: number }).replicas).toBe(3)
    expect(JSON.parse(upgraded.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration']!).spec.replicas).toBe(3)
  })

  it('refuses another kind or version, managedFields in the configuration, and values that do not fit the schema', () => {
    expect(statusOf(() => applyPatch(scope(), undefined, { ...config(1), apiVersion: 'apps/v1beta1' }, 'a', false, where)).message).toBe(
      'invalid object type: apps/v1beta1, Kind=Deployment',
    )
    expect(statusOf(() => applyPatch(scope(), undefined, { ...config(1), kind: 'Pod', apiVersion: 'v1' }, 'a', false, where)).message).toBe(
      'invalid object type: /v1, Kind=Pod',
    )
    expect(statusOf(() => applyPatch(scope(), undefined, config(1, { managedFields: [] }), 'a', false, where)).message).toBe(
      'metadata.managedFields must be nil',
    )
    const bad = config(1)
    ;(bad.spec.template.spec as { containers: unknown[] }).containers.push({ name: 'nginx', image: 'again' })
    const err = statusOf(() => applyPatch(scope(), undefined, bad, 'a', false, where))
    // structuredMergeManager.Apply's plain fmt.Errorf: an untranslated 500 without a reason.
    expect(err.code).toBe(500)
    expect(err.status.reason).toBeUndefined()
    expect(err.message).toMatch(/^failed to create typed patch object \(default\/web; apps\/v1, Kind=Deployment\): \.spec\.template\.spec\.containers/)
  })
})

describe('trackUpdate', () => {
  it('a create is tracked; an update moves the changed fields to their writer, status changes count for nobody', () => {
    const created = config(2) as KubeObject
    trackUpdate(scope(), undefined, created, 'kubectl-create')
    expect(managers(created)).toEqual([['kubectl-create', 'Update', '']])
    const live = stored(created)
    const next = structuredClone(live) as KubeObject & { spec: { replicas: number }; status?: unknown }
    next.spec.replicas = 7
    next.status = { replicas: 7 }
    trackUpdate(scope(), live, next, 'kubectl-edit')
    const edit = next.metadata.managedFields!.find((e) => e.manager === 'kubectl-edit')!
    expect(edit.fieldsV1).toEqual({ 'f:spec': { 'f:replicas': {} } })
    expect(next.metadata.managedFields!.find((e) => e.manager === 'kubectl-create')!.fieldsV1).not.toHaveProperty(['f:spec', 'f:replicas'])
  })

  it('a status write is recorded with its subresource and ignores spec', () => {
    const live = stored(applyPatch(scope(), undefined, config(2), 'alice', false, where))
    const next = { ...structuredClone(live), spec: { replicas: 9 }, status: { replicas: 2 } } as KubeObject
    trackUpdate(scope('status'), live, next, 'kube-controller-manager')
    expect(managers(next)).toEqual([
      ['alice', 'Apply', ''],
      ['kube-controller-manager', 'Update', 'status'],
    ])
    expect(next.metadata.managedFields![1]!.fieldsV1).toEqual({ 'f:status': { '.': {}, 'f:replicas': {} } })
  })

  it('an update that changes nothing leaves managedFields as they were; an untracked object stays untracked', () => {
    const live = stored(applyPatch(scope(), undefined, config(2), 'alice', false, where))
    const same = structuredClone(live)
    clock += 5000
    trackUpdate(scope(), live, same, 'kubectl-edit')
    expect(same.metadata.managedFields).toEqual(live.metadata.managedFields)
    const untracked = stored(config(2) as KubeObject)
    const edited = { ...structuredClone(untracked), spec: { ...(untracked.spec as object), replicas: 3 } } as KubeObject
    trackUpdate(scope(), untracked, edited, 'kubectl-edit')
    expect(edited.metadata.managedFields).toBeUndefined()
  })

  it('an empty managedFields list in the request strips them: the object is untracked until its next apply', () => {
    const live = stored(applyPatch(scope(), undefined, config(2), 'alice', false, where))
    const next = { ...structuredClone(live), metadata: { ...live.metadata, managedFields: [] } } as KubeObject
    ;(next.spec as { replicas: number }).replicas = 3
    trackUpdate(scope(), live, next, 'kubectl-edit')
    expect(next.metadata.managedFields).toBeUndefined()
  })

  it('keeps at most ten Update entries, folding the oldest into ancient-changes', () => {
    let live = stored(config(0) as KubeObject)
    trackUpdate(scope(), undefined, live, 'creator')
    for (let i = 1; i <= 11; i++) {
      clock += 1000
      const next = structuredClone(live)
      next.metadata.labels = { ...next.metadata.labels, [`l${i}`]: 'x' }
      trackUpdate(scope(), live, next, `writer-${i}`)
      live = stored(next)
    }
    const names = live.metadata.managedFields!.map((e) => e.manager)
    expect(names).toHaveLength(10)
    expect(names[0]).toBe('ancient-changes')
    expect(names).not.toContain('creator')
    expect(names).not.toContain('writer-1')
  })
})

describe('conflictError', () => {
  it('lists several conflicts by manager as upstream does', () => {
    const err = conflictError([
      { manager: '{"manager":"bob","operation":"Apply"}', path: '.spec.replicas' },
      { manager: '{"manager":"alice","operation":"Update","apiVersion":"apps/v1","subresource":"scale"}', path: '.spec.replicas' },
      { manager: '{"manager":"bob","operation":"Apply"}', path: '.metadata.labels.a' },
    ])
    expect(err.message).toBe(
      'Apply failed with 3 conflicts: conflicts with "alice" with subresource "scale" using apps/v1:\n- .spec.replicas\nconflicts with "bob":\n- .spec.replicas\n- .metadata.labels.a',
    )
  })
})
