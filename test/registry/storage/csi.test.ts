import { describe, expect, it } from 'vitest'
import { Registry } from '../../../src/registry/registry.js'
import { definitions } from '../../../src/registry/definitions.js'
import { MemoryStore } from '../../../src/store/object-store.js'
import { SimClock } from '../../../src/sim/clock.js'
import { csiDrivers, type CSIDriver } from '../../../src/registry/storage/csidrivers.js'
import { csiNodes } from '../../../src/registry/storage/csinodes.js'
import { csiStorageCapacities } from '../../../src/registry/storage/csistoragecapacities.js'
import { volumeAttachments, type VolumeAttachment } from '../../../src/registry/storage/volumeattachments.js'

async function setup() {
  const clock = new SimClock({ start: Date.parse('2026-11-27T10:00:00Z'), speed: 0 })
  const registry = new Registry({ store: new MemoryStore(), clock, definitions })
  await registry.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
  return registry
}
const now = new Date('2026-11-27T10:00:00Z')
const meta = (name: string) => ({ name, creationTimestamp: '2026-11-27T09:00:00Z' })

describe('CSI kinds and VolumeAttachments', () => {
  it('defaults a CSIDriver and keeps attachRequired immutable', async () => {
    const r = (await setup()).resource<CSIDriver>('storage.k8s.io', 'csidrivers')
    const d = (await r.create('', { metadata: { name: 'hostpath.csi.k8s.io' } })).obj as CSIDriver
    expect(d.spec).toEqual({
      attachRequired: true,
      podInfoOnMount: false,
      storageCapacity: false,
      fsGroupPolicy: 'ReadWriteOnceWithFSType',
      volumeLifecycleModes: ['Persistent'],
      requiresRepublish: false,
      seLinuxMount: false,
    })
    await expect(r.update('', d.metadata.name!, { ...d, spec: { ...d.spec, attachRequired: false } })).rejects.toThrow(
      'spec.attachRequired: Invalid value: false: field is immutable',
    )
    expect(csiDrivers.row!(d, now).slice(1, 7)).toEqual([true, false, false, '<unset>', false, 'Persistent'])
  })

  it('prints CSINode driver counts and CSIStorageCapacity capacity', () => {
    expect(csiNodes.row!({ metadata: meta('kind-worker'), spec: { drivers: [{ name: 'a', nodeID: 'n' }] } }, now)).toEqual(['kind-worker', 1, '60m'])
    expect(csiStorageCapacities.row!({ metadata: meta('c'), storageClassName: 'standard' }, now)).toEqual(['c', 'standard', '<unset>'])
  })

  it('requires exactly one VolumeAttachment source and freezes the spec', async () => {
    const r = (await setup()).resource<VolumeAttachment>('storage.k8s.io', 'volumeattachments')
    await expect(r.create('', { metadata: { name: 'va' }, spec: { attacher: 'csi.example.com', nodeName: 'n', source: {} } })).rejects.toThrow(
      'spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName',
    )
    const va = (await r.create('', { metadata: { name: 'va' }, spec: { attacher: 'csi.example.com', nodeName: 'n', source: { persistentVolumeName: 'pv' } } }))
      .obj as VolumeAttachment
    expect(va.status).toEqual({ attached: false })
    await expect(r.update('', 'va', { ...va, spec: { ...va.spec!, nodeName: 'm' } })).rejects.toThrow('spec: Invalid value')
    expect(volumeAttachments.row!(va, now).slice(1, 5)).toEqual(['csi.example.com', 'pv', 'n', false])
  })
})
