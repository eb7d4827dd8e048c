import { describe, expect, it } from 'vitest'
import { Registry } from '../../../src/registry/registry.js'
import { definitions } from '../../../src/registry/definitions.js'
import { MemoryStore } from '../../../src/store/object-store.js'
import { SimClock } from '../../../src/sim/clock.js'
import { persistentVolumeClaims, type PersistentVolumeClaim } from '../../../src/registry/core/persistentvolumeclaims.js'

async function setup(withDefault = true) {
  const clock = new SimClock({ start: Date.parse('2026-11-27T10:00:00Z'), speed: 0 })
  const registry = new Registry({ store: new MemoryStore(), clock, definitions })
  await registry.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
  if (withDefault)
    await registry.resource('storage.k8s.io', 'storageclasses').create('', {
      metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'rancher.io/local-path',
    })
  return registry.resource<PersistentVolumeClaim>('', 'persistentvolumeclaims')
}

const claim = (spec: PersistentVolumeClaim['spec']): PersistentVolumeClaim => ({ metadata: { name: 'data' }, spec })
const valid = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }

describe('persistentvolumeclaims', () => {
  it('creates Pending with the default storage class (DefaultStorageClass admission)', async () => {
    const c = (await (await setup()).create('default', claim(valid))).obj as PersistentVolumeClaim
    expect(c.status).toEqual({ phase: 'Pending' })
    expect(c.spec?.storageClassName).toBe('standard')
    expect(c.spec?.volumeMode).toBe('Filesystem')
  })

  it('leaves an explicit empty class and clusters without a default alone', async () => {
    const r = await setup()
    const c = (await r.create('default', claim({ ...valid, storageClassName: '' }))).obj as PersistentVolumeClaim
    expect(c.spec?.storageClassName).toBe('')
    const n = (await (await setup(false)).create('default', claim(valid))).obj as PersistentVolumeClaim
    expect(n.spec?.storageClassName).toBeUndefined()
  })

  it('validates access modes and the storage request', async () => {
    await expect((await setup()).create('default', claim({}))).rejects.toThrow(
      'PersistentVolumeClaim "data" is invalid: [spec.accessModes: Required value: at least 1 access mode is required, spec.resources[storage]: Required value]',
    )
    await expect((await setup()).create('default', claim({ ...valid, resources: { requests: { storage: '0' } } }))).rejects.toThrow(
      'spec.resources[storage]: Invalid value: "0": must be greater than zero',
    )
  })

  it('keeps the spec immutable but lets a bound claim grow', async () => {
    const r = await setup()
    const c = (await r.create('default', claim(valid))).obj as PersistentVolumeClaim
    await expect(r.update('default', 'data', { ...c, spec: { ...c.spec, accessModes: ['ReadWriteMany'] } })).rejects.toThrow(
      'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    )
    await expect(r.update('default', 'data', { ...c, spec: { ...c.spec, resources: { requests: { storage: '2Gi' } } } })).rejects.toThrow('spec is immutable')
    const named = (await r.update('default', 'data', { ...c, spec: { ...c.spec, volumeName: 'pv-1' } })).obj as PersistentVolumeClaim
    const bound = (await r.update('default', 'data', { ...named, status: { phase: 'Bound', capacity: { storage: '1Gi' } } }, { subresource: 'status' }))
      .obj as PersistentVolumeClaim
    const grown = await r.update('default', 'data', { ...bound, spec: { ...bound.spec, resources: { requests: { storage: '2Gi' } } } })
    expect((grown.obj as PersistentVolumeClaim).spec?.resources?.requests?.storage).toBe('2Gi')
    await expect(
      r.update('default', 'data', { ...(grown.obj as PersistentVolumeClaim), spec: { ...bound.spec, resources: { requests: { storage: '1Gi' } } } }),
    ).rejects.toThrow('spec.resources.requests.storage: Forbidden: field can not be less than status.capacity')
  })

  it('prints capacity and access modes only once bound', () => {
    const now = new Date('2026-11-27T10:00:00Z')
    const meta = { name: 'data', creationTimestamp: '2026-11-27T09:59:30Z' }
    const pending = { metadata: meta, spec: { ...valid, storageClassName: 'standard', volumeMode: 'Filesystem' }, status: { phase: 'Pending' } }
    expect(persistentVolumeClaims.row!(pending, now)).toEqual(['data', 'Pending', '', '', '', 'standard', '<unset>', '30s', 'Filesystem'])
    const bound = {
      ...pending,
      spec: { ...pending.spec, volumeName: 'pvc-1' },
      status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] },
    }
    expect(persistentVolumeClaims.row!(bound, now)).toEqual(['data', 'Bound', 'pvc-1', '1Gi', 'RWO', 'standard', '<unset>', '30s', 'Filesystem'])
  })
})
