import { describe, expect, it } from 'vitest'
import { Registry } from '../../../src/registry/registry.js'
import { definitions } from '../../../src/registry/definitions.js'
import { MemoryStore } from '../../../src/store/object-store.js'
import { SimClock } from '../../../src/sim/clock.js'
import { storageClasses, type StorageClass } from '../../../src/registry/storage/storageclasses.js'
import { defaultStorageClass } from '../../../src/registry/storage/default-storage-class.js'

function setup() {
  const clock = new SimClock({ start: Date.parse('2026-11-27T10:00:00Z'), speed: 0 })
  return new Registry({ store: new MemoryStore(), clock, definitions }).resource<StorageClass>('storage.k8s.io', 'storageclasses')
}

const standard: StorageClass = {
  metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  provisioner: 'rancher.io/local-path',
  volumeBindingMode: 'WaitForFirstConsumer',
}

describe('storageclasses', () => {
  it('defaults reclaimPolicy Delete and volumeBindingMode Immediate', async () => {
    const sc = (await setup().create('', { metadata: { name: 'fast' }, provisioner: 'example.com/fast' })).obj as StorageClass
    expect(sc.reclaimPolicy).toBe('Delete')
    expect(sc.volumeBindingMode).toBe('Immediate')
  })

  it('prints the default class as `standard (default)`', () => {
    const row = storageClasses.row!(
      { ...standard, reclaimPolicy: 'Delete', metadata: { ...standard.metadata, creationTimestamp: '2026-11-27T09:00:00Z' } },
      new Date('2026-11-27T10:00:00Z'),
    )
    expect(row).toEqual(['standard (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '60m'])
  })

  it('requires a provisioner and rejects unknown policies', async () => {
    await expect(setup().create('', { metadata: { name: 'x' }, provisioner: '', reclaimPolicy: 'Recycle', volumeBindingMode: 'Later' })).rejects.toThrow(
      'StorageClass.storage.k8s.io "x" is invalid: [provisioner: Required value, reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain", volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"]',
    )
  })

  it('forbids changing provisioner and parameters', async () => {
    const r = setup()
    const s = await r.create('', { ...standard, parameters: { a: 'b' } })
    await expect(r.update('', 'standard', { ...(s.obj as StorageClass), provisioner: 'other.io/x', parameters: { a: 'c' } })).rejects.toThrow(
      'StorageClass.storage.k8s.io "standard" is invalid: [parameters: Forbidden: updates to parameters are forbidden., provisioner: Forbidden: updates to provisioner are forbidden.]',
    )
    const ok = await r.update('', 'standard', { ...(s.obj as StorageClass), allowVolumeExpansion: true })
    expect((ok.obj as StorageClass).allowVolumeExpansion).toBe(true)
  })

  it('picks the newest default class', () => {
    const a = { metadata: { name: 'a', creationTimestamp: '2026-01-01T00:00:00Z', annotations: standard.metadata.annotations } }
    const b = { metadata: { name: 'b', creationTimestamp: '2026-02-01T00:00:00Z', annotations: standard.metadata.annotations } }
    const c = { metadata: { name: 'c', creationTimestamp: '2026-03-01T00:00:00Z' } }
    expect(defaultStorageClass([a, b, c])?.metadata.name).toBe('b')
    expect(defaultStorageClass([c])).toBeUndefined()
  })
})
