import { describe, expect, it } from 'vitest'
import { fieldErrorString } from '../../../src/errors.js'
import { namespaces, type NamespaceObject } from '../../../src/registry/core/namespaces.js'

const now = new Date('2026-11-27T22:20:00Z')
const ctx = { now, randomSuffix: () => 'abcde' }

function create(ns: NamespaceObject): NamespaceObject {
  namespaces.applyDefaults!(ns, ctx)
  namespaces.prepareForCreate!(ns, ctx)
  return ns
}

describe('namespaces', () => {
  it('sets the finalizer, phase and name label on create', () => {
    const ns = create({ metadata: { name: 'team-a' } })
    expect(ns).toEqual({
      metadata: { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'team-a' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    })
  })
  it('keeps status on update and restores the name label', () => {
    const old = create({ metadata: { name: 'team-a' } })
    const next: NamespaceObject = { metadata: { name: 'team-a', labels: { env: 'dev' } }, spec: {}, status: { phase: 'Terminating' } }
    namespaces.applyDefaults!(next, ctx)
    namespaces.prepareForUpdate!(next, old, ctx)
    expect(next.spec).toEqual({})
    expect(next.status).toEqual({ phase: 'Active' })
    expect(next.metadata.labels).toEqual({ env: 'dev', 'kubernetes.io/metadata.name': 'team-a' })
  })
  it('requires DNS-1123 label names', () => {
    expect(namespaces.validate!({ metadata: { name: 'a.b' } }).map(fieldErrorString)).toEqual(['metadata.name: Invalid value: "a.b": must not contain dots'])
    expect(namespaces.validate!({ metadata: { name: 'team-a' } })).toEqual([])
  })
  it('has no deletecollection and prints NAME STATUS AGE', () => {
    expect(namespaces.verbs).not.toContain('deletecollection')
    const ns = create({ metadata: { name: 'default', creationTimestamp: '2026-11-27T19:00:00Z' } })
    expect(namespaces.columns!.map((c) => c.name)).toEqual(['Name', 'Status', 'Age'])
    expect(namespaces.row!(ns, now)).toEqual(['default', 'Active', '3h20m'])
    expect(namespaces.selectableFields!(ns)['status.phase']).toBe('Active')
  })
})

describe('namespaces: deletion', () => {
  it('is held by spec.finalizers and marked Terminating', () => {
    const ns = create({ metadata: { name: 'team-a' } })
    expect(namespaces.holdsDeletion!(ns)).toBe(true)
    namespaces.prepareForDeletion!(ns)
    expect(ns.status).toEqual({ phase: 'Terminating' })
    ns.spec = { finalizers: [] }
    expect(namespaces.holdsDeletion!(ns)).toBe(false)
  })
  it('refuses to delete the immortal namespaces (NamespaceLifecycle), and only those', () => {
    for (const name of ['default', 'kube-system', 'kube-public'])
      expect(namespaces.admitDelete!({ metadata: { name } })).toBe('this namespace may not be deleted')
    for (const name of ['kube-node-lease', 'team-a']) expect(namespaces.admitDelete!({ metadata: { name } })).toBeUndefined()
  })
})
