/**
 * @module volume-protection: the pvc-protection and pv-protection controllers
 * (pkg/controller/volume/pvcprotection, pvprotection): a claim stays while a pod uses it, a
 * volume while it is Bound.
 */
import type { ControllerDeps } from './index.js'
import type { Controller } from './runtime.js'
import { isPodTerminal, type PodObject } from './workload-pods.js'
import {
  podClaimIndex,
  podClaimKeys,
  podClaimNames,
  pvcProtectionFinalizer,
  pvProtectionFinalizer,
  type PersistentVolume,
  type PersistentVolumeClaim,
} from './volume-binding.js'

/** Creates both protection controllers as one; keys are `claim:<ns>/<name>` and `volume:<name>`. */
export function createVolumeProtectionController(deps: ControllerDeps): Controller {
  const { registry } = deps
  const claims = registry.resource<PersistentVolumeClaim>('', 'persistentvolumeclaims')
  const volumes = registry.resource<PersistentVolume>('', 'persistentvolumes')
  const claimCache = deps.manager.informers.for<PersistentVolumeClaim>('', 'persistentvolumeclaims')
  const volumeCache = deps.manager.informers.for<PersistentVolume>('', 'persistentvolumes')
  const podCache = deps.manager.informers.for<PodObject>('', 'pods').addIndex(podClaimIndex, podClaimKeys)

  const without = (finalizers: string[] | undefined, f: string) => (finalizers ?? []).filter((x) => x !== f)

  async function syncClaim(ns: string, name: string): Promise<void> {
    const claim = claimCache.getObject(ns, name)
    if (!claim?.metadata.deletionTimestamp || !claim.metadata.finalizers?.includes(pvcProtectionFinalizer)) return
    // isBeingUsed: any pod of the namespace that is not terminated and names the claim.
    const used = podCache.byIndex(podClaimIndex, `${ns}/${name}`).some((s) => !isPodTerminal(s.obj as PodObject))
    if (used) return
    await claims.guaranteedUpdate(ns, name, (c) => ({ ...c, metadata: { ...c.metadata, finalizers: without(c.metadata.finalizers, pvcProtectionFinalizer) } }))
  }

  async function syncVolume(name: string): Promise<void> {
    const pv = volumeCache.getObject('', name)
    if (!pv?.metadata.deletionTimestamp || !pv.metadata.finalizers?.includes(pvProtectionFinalizer)) return
    if (pv.status?.phase === 'Bound') return
    await volumes.guaranteedUpdate('', name, (v) => ({ ...v, metadata: { ...v.metadata, finalizers: without(v.metadata.finalizers, pvProtectionFinalizer) } }))
  }

  return {
    name: 'volume-protection',
    watches: [
      { group: '', plural: 'persistentvolumeclaims', keys: (o) => [`claim:${o.metadata.namespace}/${o.metadata.name}`] },
      { group: '', plural: 'persistentvolumes', keys: (o) => [`volume:${o.metadata.name}`] },
      { group: '', plural: 'pods', keys: (o) => podClaimNames(o).map((c) => `claim:${o.metadata.namespace}/${c}`) },
    ],
    async reconcile(key) {
      if (key.startsWith('volume:')) return syncVolume(key.slice('volume:'.length))
      const rest = key.slice('claim:'.length)
      const i = rest.indexOf('/')
      return syncClaim(rest.slice(0, i), rest.slice(i + 1))
    },
  }
}
