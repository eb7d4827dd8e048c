import { describe, expect, it } from 'vitest'
import { Registry } from '../../../src/registry/registry.js'
import { definitions } from '../../../src/registry/definitions.js'
import { MemoryStore } from '../../../src/store/object-store.js'
import { SimClock } from '../../../src/sim/clock.js'
import { persistentVolumes, type PersistentVolume } from '../../../src/registry/core/persistentvolumes.js'

function setup() {
  const clock = new SimClock({ start: Date.parse('2026-11-27T10:00:00Z'), speed: 0 })
  return new Registry({ store: new MemoryStore(), clock, definitions }).resource<PersistentVolume>('', 'persistentvolumes')
}

const pv = (spec: PersistentVolume['spec']): PersistentVolume => ({ metadata: { name: 'pv-1' }, spec })
const valid = { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' } }

describe('persistentvolumes', () => {
  it('creates Pending with reclaim policy Retain and volumeMode Filesystem', async () => {
    const s = (await setup().create('', pv(valid))).obj as PersistentVolume
    expect(s.status).toEqual({ phase: 'Pending', lastPhaseTransitionTime: '2026-11-27T10:00:00Z' })
    expect(s.spec?.persistentVolumeReclaimPolicy).toBe('Retain')
    expect(s.spec?.volumeMode).toBe('Filesystem')
  })

  it('validates access modes, capacity and the volume source', async () => {
    await expect(setup().create('', pv({ accessModes: ['ReadWriteSometimes'] }))).rejects.toThrow(
      'PersistentVolume "pv-1" is invalid: [spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod", spec.capacity: Required value, spec.capacity: Unsupported value: core.ResourceList(nil): supported values: "storage", spec: Required value: must specify a volume type]',
    )
    await expect(setup().create('', pv({ ...valid, nfs: { server: 'nfs', path: '/' } }))).rejects.toThrow(
      'spec.nfs: Forbidden: may not specify more than 1 volume type',
    )
    await expect(setup().create('', pv({ ...valid, hostPath: undefined, local: { path: '/mnt' } }))).rejects.toThrow(
      'spec.nodeAffinity: Required value: Local volume requires node affinity',
    )
  })

  it('keeps the volume source immutable', async () => {
    const r = setup()
    const s = (await r.create('', pv(valid))).obj as PersistentVolume
    await expect(r.update('', 'pv-1', { ...s, spec: { ...s.spec, hostPath: { path: '/other' } } })).rejects.toThrow(
      'spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation',
    )
    const grown = await r.update('', 'pv-1', { ...s, spec: { ...s.spec, capacity: { storage: '2Gi' } } })
    expect((grown.obj as PersistentVolume).spec?.capacity?.storage).toBe('2Gi')
  })

  it('prints NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE VOLUMEMODE', () => {
    const obj: PersistentVolume = {
      metadata: { name: 'pvc-1', creationTimestamp: '2026-11-27T09:59:00Z' },
      spec: {
        ...valid,
        accessModes: ['ReadWriteMany', 'ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: 'standard',
        claimRef: { namespace: 'default', name: 'data' },
        volumeMode: 'Filesystem',
      },
      status: { phase: 'Bound' },
    }
    expect(persistentVolumes.row!(obj, new Date('2026-11-27T10:00:00Z'))).toEqual([
      'pvc-1',
      '1Gi',
      'RWO,RWX',
      'Delete',
      'Bound',
      'default/data',
      'standard',
      '<unset>',
      '',
      '60s',
      'Filesystem',
    ])
  })
})
