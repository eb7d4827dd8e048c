/**
 * @module local-path-provisioner: kind's rancher.io/local-path external provisioner (github.com/rancher/local-path-provisioner
 * on sigs.k8s.io/sig-storage-lib-external-provisioner): a hostPath volume on the selected node per
 * claim, deleted again when its claim is gone and the reclaim policy is Delete.
 */
import { randomUUID } from 'node:crypto'
import { StatusError } from '../errors.js'
import type { StorageClass } from '../registry/storage/storageclasses.js'
import { storageClassOf } from '../registry/shared/access-modes.js'
import type { ControllerDeps } from './index.js'
import type { Controller } from './runtime.js'
import { ann, pvProtectionFinalizer, type PersistentVolume, type PersistentVolumeClaim } from './volume-binding.js'

/** The provisioner name kind's default class names. */
export const localPathProvisioner = 'rancher.io/local-path'
/** Where the provisioner puts volume directories on the node (its default nodePathMap). */
export const localPathRoot = '/var/local-path-provisioner'

/**
 * The volume the provisioner creates for `claim` on `node` (undefined: an Immediate claim, no
 * node affinity). Pure.
 */
export function localPathVolume(claim: PersistentVolumeClaim, sc: StorageClass, node: string | undefined): PersistentVolume {
  const ns = claim.metadata.namespace ?? ''
  const name = `pvc-${claim.metadata.uid}`
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name,
      annotations: { [ann.provisionedBy]: localPathProvisioner, ...(node ? { 'local.path.provisioner/selected-node': node } : {}) },
      finalizers: [pvProtectionFinalizer],
    },
    spec: {
      accessModes: claim.spec?.accessModes,
      capacity: { storage: String(claim.spec?.resources?.requests?.storage ?? '') },
      claimRef: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        name: claim.metadata.name,
        namespace: ns,
        resourceVersion: claim.metadata.resourceVersion,
        uid: claim.metadata.uid,
      },
      hostPath: { path: `${localPathRoot}/${name}_${ns}_${claim.metadata.name}`, type: 'DirectoryOrCreate' },
      ...(node
        ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } } }
        : {}),
      persistentVolumeReclaimPolicy: (sc.reclaimPolicy ?? 'Delete') as 'Delete' | 'Retain',
      storageClassName: sc.metadata.name,
      volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
    },
  }
}

/** Creates the simulated local-path provisioner; it reconciles `claim:<ns>/<name>` and `volume:<name>` keys. */
export function createLocalPathProvisioner(deps: ControllerDeps): Controller {
  const { registry, events } = deps
  // sig-storage-lib-external-provisioner reports as <provisioner>_<pod>_<uuid>.
  const source = { component: `${localPathProvisioner}_local-path-provisioner-7dc846544d-z8qlh_${randomUUID()}` }
  const volumes = registry.resource<PersistentVolume>('', 'persistentvolumes')
  const claimCache = deps.manager.informers.for<PersistentVolumeClaim>('', 'persistentvolumeclaims')
  const volumeCache = deps.manager.informers.for<PersistentVolume>('', 'persistentvolumes')
  const classCache = deps.manager.informers.for<StorageClass>('storage.k8s.io', 'storageclasses')

  async function provision(ns: string, name: string): Promise<void> {
    const claim = claimCache.getObject(ns, name)
    if (!claim || claim.metadata.deletionTimestamp || claim.spec?.volumeName) return
    if (claim.metadata.annotations?.[ann.storageProvisioner] !== localPathProvisioner) return
    const sc = classCache.getObject('', storageClassOf(claim))
    if (!sc || sc.provisioner !== localPathProvisioner) return
    const node = claim.metadata.annotations?.[ann.selectedNode]
    if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !node) return
    const pvName = `pvc-${claim.metadata.uid}`
    if (volumeCache.getObject('', pvName)) return
    events.record(source, claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${ns}/${name}"`)
    try {
      await volumes.create('', localPathVolume(claim, sc, node))
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) throw err
      return
    }
    events.record(source, claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`)
  }

  /** The Delete reclaim policy for the provisioner's own volumes: remove the directory, then the PV. */
  async function reclaim(name: string): Promise<void> {
    const pv = volumeCache.getObject('', name)
    if (!pv || pv.metadata.deletionTimestamp || pv.status?.phase !== 'Released') return
    if (pv.spec?.persistentVolumeReclaimPolicy !== 'Delete' || pv.metadata.annotations?.[ann.provisionedBy] !== localPathProvisioner) return
    try {
      await volumes.delete('', name, { preconditions: { uid: pv.metadata.uid } })
    } catch (err) {
      if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err
    }
  }

  return {
    name: 'local-path-provisioner',
    watches: [
      { group: '', plural: 'persistentvolumeclaims', keys: (o) => [`claim:${o.metadata.namespace}/${o.metadata.name}`] },
      { group: '', plural: 'persistentvolumes', keys: (o) => [`volume:${o.metadata.name}`] },
    ],
    async reconcile(key) {
      if (key.startsWith('volume:')) return reclaim(key.slice('volume:'.length))
      const rest = key.slice('claim:'.length)
      const i = rest.indexOf('/')
      return provision(rest.slice(0, i), rest.slice(i + 1))
    },
  }
}
