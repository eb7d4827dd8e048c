/**
 * @module scheduler-volumes: the VolumeBinding plugin of the default scheduler
 * (pkg/scheduler/framework/plugins/volumebinding): PreFilter on the pod's claims, a per-node
 * Filter, and PreBind — bind a matching static volume or name the node for the provisioner.
 */
import type { Informer } from './informers.js'
import type { StorageClass } from '../registry/storage/storageclasses.js'
import { storageClassOf } from '../registry/shared/access-modes.js'
import type { FilterFailure, Node, Pod } from './scheduler-filters.js'
import { ann, findBestMatch, podClaimNames, volumeNodeAffinityMatches, type PersistentVolume, type PersistentVolumeClaim } from './volume-binding.js'

/** The Filter reasons of volumebinding (ErrReason*). */
export const volumeReasons = {
  nodeConflict: 'node(s) had volume node affinity conflict',
  bindConflict: "node(s) didn't find available persistent volumes to bind",
  pvNotExist: 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)',
}

/** The caches the plugin reads. */
export interface VolumeCaches {
  claims: Informer<PersistentVolumeClaim>
  volumes: Informer<PersistentVolume>
  classes: Informer<StorageClass>
}

/** What VolumeBinding knows about one pod for this cycle. */
export type VolumeCheck =
  /** PreFilter said no: the message for every node (UnschedulableAndUnresolvable). */
  | { kind: 'unschedulable'; message: string }
  /** Its delayed claims already name a node: wait for them to be bound (the PreBind of an earlier cycle). */
  | { kind: 'waiting' }
  | { kind: 'filter'; filter: (node: Node) => FilterFailure | undefined; unbound: PersistentVolumeClaim[] }

/**
 * PreFilter + the data Filter needs. Undefined for pods without claims (no cost on the hot path).
 * Pure over the caches.
 */
export function checkPodVolumes(pod: Pod, c: VolumeCaches): VolumeCheck | undefined {
  const names = podClaimNames(pod)
  if (!names.length) return undefined
  const ns = pod.metadata.namespace ?? ''
  const bound: PersistentVolume[] = []
  const unbound: PersistentVolumeClaim[] = []
  let missingPV = false
  for (const name of names) {
    const claim = c.claims.getObject(ns, name)
    if (!claim) return { kind: 'unschedulable', message: `persistentvolumeclaim "${name}" not found` }
    if (claim.metadata.deletionTimestamp) return { kind: 'unschedulable', message: `persistentvolumeclaim "${name}" is being deleted` }
    const volumeName = claim.spec?.volumeName
    if (volumeName && claim.metadata.annotations?.[ann.bindCompleted] !== undefined) {
      const pv = c.volumes.getObject('', volumeName)
      if (pv) bound.push(pv)
      else missingPV = true
      continue
    }
    const sc = c.classes.getObject('', storageClassOf(claim))
    if (sc?.volumeBindingMode !== 'WaitForFirstConsumer') return { kind: 'unschedulable', message: 'pod has unbound immediate PersistentVolumeClaims' }
    unbound.push(claim)
  }
  if (unbound.length && unbound.every((cl) => cl.metadata.annotations?.[ann.selectedNode])) return { kind: 'waiting' }
  const volumes = unbound.length ? c.volumes.objects() : []
  const filter = (node: Node): FilterFailure | undefined => {
    if (missingPV) return { reasons: [volumeReasons.pvNotExist], resolvable: false }
    if (bound.some((pv) => !volumeNodeAffinityMatches(pv, node))) return { reasons: [volumeReasons.nodeConflict], resolvable: false }
    for (const claim of unbound) {
      if (findBestMatch(claim, volumes, { node })) continue
      // Dynamic provisioning is possible when the class names a provisioner.
      const sc = c.classes.getObject('', storageClassOf(claim))
      if (sc?.provisioner && sc.provisioner !== 'kubernetes.io/no-provisioner') continue
      return { reasons: [volumeReasons.bindConflict], resolvable: false }
    }
    return undefined
  }
  return { kind: 'filter', filter, unbound }
}

/**
 * What PreBind writes for `node` (BindPodVolumes): per unbound claim either a static volume to
 * pre-bind to it (claimRef + bound-by-controller, the PV controller completes the binding) or the
 * selected-node annotation that starts provisioning. Pure.
 */
export function volumeBindings(
  unbound: PersistentVolumeClaim[],
  node: Node,
  volumes: PersistentVolume[],
): { claim: PersistentVolumeClaim; volume?: PersistentVolume }[] {
  const taken = new Set<string>()
  return unbound.map((claim) => {
    const volume = findBestMatch(
      claim,
      volumes.filter((v) => !taken.has(v.metadata.name ?? '')),
      { node },
    )
    if (volume) taken.add(volume.metadata.name ?? '')
    return { claim, volume }
  })
}
