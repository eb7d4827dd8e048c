/** @module persistentvolume.test: binder, local-path provisioner and protection controllers against an in-memory store. */
import { afterEach, describe, expect, it } from 'vitest'
import { createPersistentVolumeController } from '../../src/controllers/persistentvolume.js'
import { createLocalPathProvisioner } from '../../src/controllers/local-path-provisioner.js'
import { createVolumeProtectionController } from '../../src/controllers/volume-protection.js'
import type { PersistentVolume, PersistentVolumeClaim } from '../../src/controllers/volume-binding.js'
import { startHarness, type Harness } from './workload-harness.js'

let h: Harness | undefined
afterEach(() => h?.close())

async function start(bindingMode = 'WaitForFirstConsumer', reclaimPolicy = 'Delete') {
  h = await startHarness([createPersistentVolumeController, createLocalPathProvisioner, createVolumeProtectionController])
  await h.registry.resource('storage.k8s.io', 'storageclasses').create('', {
    metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'rancher.io/local-path',
    reclaimPolicy,
    volumeBindingMode: bindingMode,
  })
  return h
}

const claims = () => h!.registry.resource<PersistentVolumeClaim>('', 'persistentvolumeclaims')
const volumes = () => h!.registry.resource<PersistentVolume>('', 'persistentvolumes')
const claim = (name = 'data') => claims().getStored('default', name)?.obj as PersistentVolumeClaim
const volume = (name: string) => volumes().getStored('', name)?.obj as PersistentVolume | undefined
const reasons = () =>
  h!.registry
    .resource('', 'events')
    .list('default')
    .items.map((s) => `${(s.obj as { reason?: string }).reason}: ${(s.obj as { message?: string }).message}`)

async function createClaim(spec: Record<string, unknown> = {}, name = 'data') {
  await claims().create('default', { metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec } })
  await h!.settle()
}

describe('persistent-volume controller', () => {
  it('binds a claim to the smallest matching Available volume', async () => {
    await start()
    for (const [name, size] of [
      ['big', '10Gi'],
      ['small', '2Gi'],
      ['tiny', '500Mi'],
    ] as const)
      await volumes().create('', { metadata: { name }, spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/${name}` } } })
    await h!.settle()
    expect(volume('big')?.status?.phase).toBe('Available')
    await createClaim({ storageClassName: '' })
    const c = claim()
    expect(c.spec?.volumeName).toBe('small')
    expect(c.status).toEqual({ phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '2Gi' } })
    expect(c.metadata.annotations).toEqual({ 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' })
    const pv = volume('small')!
    expect(pv.status?.phase).toBe('Bound')
    expect(pv.spec?.claimRef).toMatchObject({ kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data', uid: c.metadata.uid })
    expect(pv.metadata.annotations?.['pv.kubernetes.io/bound-by-controller']).toBe('yes')
  })

  it('waits for the first consumer, then provisions a local-path volume on the selected node and binds it', async () => {
    await start()
    await createClaim()
    expect(claim().status?.phase).toBe('Pending')
    expect(reasons()).toContain('WaitForFirstConsumer: waiting for first consumer to be created before binding')
    expect(volumes().list(undefined).items).toHaveLength(0)
    await claims().guaranteedUpdate('default', 'data', (c) => ({
      ...c,
      metadata: { ...c.metadata, annotations: { 'volume.kubernetes.io/selected-node': 'kubemock-worker' } },
    }))
    await h!.settle()
    const c = claim()
    const name = `pvc-${c.metadata.uid}`
    expect(c.spec?.volumeName).toBe(name)
    expect(c.status?.phase).toBe('Bound')
    expect(c.metadata.annotations).toMatchObject({
      'pv.kubernetes.io/bind-completed': 'yes',
      'pv.kubernetes.io/bound-by-controller': 'yes',
      'volume.beta.kubernetes.io/storage-provisioner': 'rancher.io/local-path',
      'volume.kubernetes.io/storage-provisioner': 'rancher.io/local-path',
    })
    const pv = volume(name)!
    expect(pv.status?.phase).toBe('Bound')
    expect(pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by']).toBe('rancher.io/local-path')
    expect(pv.metadata.finalizers).toEqual(['kubernetes.io/pv-protection'])
    expect(pv.spec).toMatchObject({
      hostPath: { path: `/var/local-path-provisioner/${name}_default_data`, type: 'DirectoryOrCreate' },
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: 'standard',
      nodeAffinity: {
        required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['kubemock-worker'] }] }] },
      },
    })
    expect(reasons()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ExternalProvisioning: Waiting for a volume to be created either by the external provisioner 'rancher.io\/local-path'/),
        'Provisioning: External provisioner is provisioning volume for claim "default/data"',
        `ProvisioningSucceeded: Successfully provisioned volume ${name}`,
      ]),
    )
  })

  it('provisions Immediate claims at once', async () => {
    await start('Immediate')
    await createClaim()
    expect(claim().status?.phase).toBe('Bound')
    expect(volume(claim().spec!.volumeName!)?.spec?.nodeAffinity).toBeUndefined()
  })

  it('reclaims: Delete removes the released volume, Retain keeps it Released', async () => {
    for (const policy of ['Delete', 'Retain']) {
      await start('Immediate', policy)
      await createClaim()
      const name = claim().spec!.volumeName!
      await claims().delete('default', 'data')
      await h!.settle()
      expect(claim()).toBeUndefined()
      if (policy === 'Delete') expect(volume(name)).toBeUndefined()
      else expect(volume(name)?.status?.phase).toBe('Released')
      h!.close()
    }
  })

  it('keeps a claim while a pod uses it (pvc-protection)', async () => {
    await start('Immediate')
    await createClaim()
    await h!.registry.resource('', 'pods').create('default', {
      metadata: { name: 'user' },
      spec: { containers: [{ name: 'c', image: 'nginx' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] },
    })
    await claims().delete('default', 'data')
    await h!.settle()
    expect(claim().metadata.deletionTimestamp).toBeDefined()
    expect(claim().metadata.finalizers).toEqual(['kubernetes.io/pvc-protection'])
    await h!.registry.resource('', 'pods').delete('default', 'user', { gracePeriodSeconds: 0 })
    await h!.settle()
    expect(claim()).toBeUndefined()
  })

  it('gives a claim made before any default class the default once it appears (RetroactiveDefaultStorageClass)', async () => {
    h = await startHarness([createPersistentVolumeController, createLocalPathProvisioner, createVolumeProtectionController])
    await createClaim()
    expect(claim().spec?.storageClassName).toBeUndefined()
    expect(reasons()).toContain('FailedBinding: no persistent volumes available for this claim and no storage class is set')
    await h.registry.resource('storage.k8s.io', 'storageclasses').create('', {
      metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'rancher.io/local-path',
      volumeBindingMode: 'Immediate',
    })
    await h.settle()
    expect(claim().spec?.storageClassName).toBe('standard')
    expect(claim().status?.phase).toBe('Bound')
  })

  it('fails a released static volume whose Delete policy no deleter serves', async () => {
    await start()
    await volumes().create('', {
      metadata: { name: 'static' },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', hostPath: { path: '/s' } },
    })
    await createClaim({ storageClassName: '' })
    expect(volume('static')?.status?.phase).toBe('Bound')
    await claims().delete('default', 'data')
    await h!.settle()
    expect(volume('static')?.status).toMatchObject({
      phase: 'Failed',
      message: 'error getting deleter volume plugin for volume "static": no deletable volume plugin matched',
    })
  })
})
