/**
 * @module persistentvolume: the persistent-volume binder (pkg/controller/volume/persistentvolume/pv_controller.go):
 * binds claims to volumes, keeps both phases, asks external provisioners for volumes, releases
 * the volumes of deleted claims.
 */
import type { StorageClass } from '../registry/storage/storageclasses.js'
import { betaStorageClassAnnotation, storageClassOf } from '../registry/shared/access-modes.js'
import { defaultStorageClass, isDefaultStorageClass } from '../registry/storage/default-storage-class.js'
import type { ControllerDeps } from './index.js'
import type { Controller } from './runtime.js'
import { ann, findBestMatch, isVolumeBoundToClaim, type PersistentVolume, type PersistentVolumeClaim, withClaimRef } from './volume-binding.js'

const source = { component: 'persistentvolume-controller' }
const claimKey = (ns: string, name: string) => `claim:${ns}/${name}`
const volumeKey = (name: string) => `volume:${name}`

/** Creates the persistent-volume controller; it reconciles `claim:<ns>/<name>` and `volume:<name>` keys. */
export function createPersistentVolumeController(deps: ControllerDeps): Controller {
  const { registry, events } = deps
  const claims = registry.resource<PersistentVolumeClaim>('', 'persistentvolumeclaims')
  const volumes = registry.resource<PersistentVolume>('', 'persistentvolumes')
  const claimCache = deps.manager.informers.for<PersistentVolumeClaim>('', 'persistentvolumeclaims')
  const volumeCache = deps.manager.informers.for<PersistentVolume>('', 'persistentvolumes')
  const classCache = deps.manager.informers.for<StorageClass>('storage.k8s.io', 'storageclasses')

  const setVolumePhase = async (pv: PersistentVolume, phase: string) => {
    if (pv.status?.phase === phase) return
    await volumes.guaranteedUpdate('', pv.metadata.name ?? '', (v) => ({ ...v, status: { ...v.status, phase } }), { subresource: 'status' })
  }

  /** bind(): claimRef on the volume, volume Bound, volumeName + annotations on the claim, claim Bound. */
  async function bind(pv: PersistentVolume, claim: PersistentVolumeClaim): Promise<void> {
    const name = pv.metadata.name ?? ''
    const ns = claim.metadata.namespace ?? ''
    if (!isVolumeBoundToClaim(pv, claim) || !pv.spec?.claimRef?.uid) {
      const byController = !isVolumeBoundToClaim(pv, claim)
      await volumes.guaranteedUpdate('', name, (v) => withClaimRef(v, claim, byController))
    }
    await volumes.guaranteedUpdate('', name, (v) => (v.status?.phase === 'Bound' ? v : { ...v, status: { ...v.status, phase: 'Bound' } }), {
      subresource: 'status',
    })
    const annotations: Record<string, string> = { ...claim.metadata.annotations, [ann.bindCompleted]: 'yes' }
    if (!claim.spec?.volumeName) annotations[ann.boundByController] = 'yes'
    await claims.guaranteedUpdate(ns, claim.metadata.name ?? '', (c) => ({
      ...c,
      metadata: { ...c.metadata, annotations: { ...c.metadata.annotations, ...annotations } },
      spec: { ...c.spec, volumeName: name },
    }))
    await claims.guaranteedUpdate(
      ns,
      claim.metadata.name ?? '',
      (c) => ({ ...c, status: { ...c.status, phase: 'Bound', accessModes: pv.spec?.accessModes, capacity: pv.spec?.capacity } }),
      { subresource: 'status' },
    )
  }

  async function syncClaim(ns: string, name: string): Promise<void> {
    const claim = claimCache.getObject(ns, name)
    if (!claim) return
    const bound = claim.metadata.annotations?.[ann.bindCompleted] !== undefined
    const volumeName = claim.spec?.volumeName
    if (bound && volumeName) {
      const pv = volumeCache.getObject('', volumeName)
      if (!pv) {
        if (claim.status?.phase !== 'Lost') {
          await claims.guaranteedUpdate(ns, name, (c) => ({ ...c, status: { ...c.status, phase: 'Lost' } }), { subresource: 'status' })
          events.record(source, claim, 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!')
        }
        return
      }
      if (isVolumeBoundToClaim(pv, claim) && (claim.status?.phase !== 'Bound' || pv.status?.phase !== 'Bound')) await bind(pv, claim)
      return
    }
    if (volumeName) {
      // Pre-bound by the user: wait for that volume.
      const pv = volumeCache.getObject('', volumeName)
      if (!pv) return
      if (!pv.spec?.claimRef || isVolumeBoundToClaim(pv, claim)) await bind(pv, claim)
      else events.record(source, claim, 'Warning', 'FailedBinding', `volume "${volumeName}" already bound to a different claim.`)
      return
    }
    if (claim.spec?.storageClassName == null && claim.metadata.annotations?.[betaStorageClassAnnotation] === undefined) {
      // RetroactiveDefaultStorageClass (GA in 1.28): a claim made without a class gets the default once there is one.
      const def = defaultStorageClass(classCache.objects())
      if (def) {
        await claims.guaranteedUpdate(ns, name, (c) =>
          c.spec?.storageClassName == null ? { ...c, spec: { ...c.spec, storageClassName: def.metadata.name } } : c,
        )
        return
      }
    }
    const className = storageClassOf(claim)
    const sc = className ? classCache.getObject('', className) : undefined
    const delay = sc?.volumeBindingMode === 'WaitForFirstConsumer'
    const pv = findBestMatch(claim, volumeCache.objects(), { delayBinding: delay })
    if (pv) return bind(pv, claim)
    if (delay && !claim.metadata.annotations?.[ann.selectedNode]) {
      events.record(source, claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding')
      return
    }
    if (!className) {
      events.record(source, claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set')
      return
    }
    if (!sc) {
      events.record(source, claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`)
      return
    }
    // provisionClaim for an external provisioner: name it on the claim and wait.
    const p = sc.provisioner
    const a = claim.metadata.annotations ?? {}
    if (a[ann.storageProvisioner] !== p || a[ann.betaStorageProvisioner] !== p)
      await claims.guaranteedUpdate(ns, name, (c) => ({
        ...c,
        metadata: { ...c.metadata, annotations: { ...c.metadata.annotations, [ann.betaStorageProvisioner]: p, [ann.storageProvisioner]: p } },
      }))
    events.record(
      source,
      claim,
      'Normal',
      'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${p}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    )
  }

  async function syncVolume(name: string): Promise<void> {
    const pv = volumeCache.getObject('', name)
    if (!pv) return
    const ref = pv.spec?.claimRef
    if (!ref?.uid) return setVolumePhase(pv, 'Available')
    // Not in the cache: ask the store before releasing anything (the cache may lag a new claim).
    const claim =
      claimCache.getObject(ref.namespace ?? '', ref.name ?? '') ??
      (claims.getStored(ref.namespace ?? '', ref.name ?? '')?.obj as PersistentVolumeClaim | undefined)
    if (claim && claim.metadata.uid === ref.uid) {
      if (claim.spec?.volumeName === name) return setVolumePhase(pv, 'Bound')
      if (!claim.spec?.volumeName) return // the claim's sync completes the binding
    }
    if (claim?.metadata.uid === ref.uid && pv.metadata.annotations?.[ann.boundByController]) {
      // Bound by us to a claim that took another volume: undo it.
      await volumes.guaranteedUpdate('', name, (v) => ({ ...v, spec: { ...v.spec, claimRef: undefined } }))
      return
    }
    // The claim is gone: Released; what happens next is the reclaim policy's (provisioners delete theirs).
    if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') await setVolumePhase(pv, 'Released')
    // reclaimVolume: Delete without an external provisioner needs an in-tree deleter, and hostPath/local have none.
    const provisioner = pv.metadata.annotations?.[ann.provisionedBy]
    if (pv.spec?.persistentVolumeReclaimPolicy === 'Delete' && !provisioner && pv.status?.phase !== 'Failed') {
      const message = `error getting deleter volume plugin for volume "${name}": no deletable volume plugin matched`
      await volumes.guaranteedUpdate('', name, (v) => ({ ...v, status: { ...v.status, phase: 'Failed', message } }), { subresource: 'status' })
      events.record(source, pv, 'Warning', 'VolumeFailedDelete', message)
    }
  }

  const claimRefKeys = (o: PersistentVolume) => (o.spec?.claimRef ? [claimKey(o.spec.claimRef.namespace ?? '', o.spec.claimRef.name ?? '')] : [])
  return {
    name: 'persistentvolume-binder',
    watches: [
      {
        group: '',
        plural: 'persistentvolumeclaims',
        keys: (o, prev) => {
          const vols = [(o as PersistentVolumeClaim).spec?.volumeName, (prev as PersistentVolumeClaim | undefined)?.spec?.volumeName]
          return [claimKey(o.metadata.namespace ?? '', o.metadata.name ?? ''), ...vols.filter((v): v is string => !!v).map(volumeKey)]
        },
      },
      {
        group: '',
        plural: 'persistentvolumes',
        keys: (o, prev) => [volumeKey(o.metadata.name ?? ''), ...claimRefKeys(o as PersistentVolume), ...(prev ? claimRefKeys(prev as PersistentVolume) : [])],
      },
      {
        group: 'storage.k8s.io',
        plural: 'storageclasses',
        keys: (sc) =>
          claimCache
            .objects()
            .filter((c) => !c.spec?.volumeName && (storageClassOf(c) === sc.metadata.name || (c.spec?.storageClassName == null && isDefaultStorageClass(sc))))
            .map((c) => claimKey(c.metadata.namespace ?? '', c.metadata.name ?? '')),
      },
    ],
    async reconcile(key) {
      if (key.startsWith('volume:')) return syncVolume(key.slice('volume:'.length))
      const rest = key.slice('claim:'.length)
      const i = rest.indexOf('/')
      return syncClaim(rest.slice(0, i), rest.slice(i + 1))
    },
  }
}
