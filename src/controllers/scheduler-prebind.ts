/** @module scheduler-prebind: VolumeBinding's PreBind writes (pkg/scheduler/framework/plugins/volumebinding/binder.go BindPodVolumes). */
import type { Registry } from '../registry/registry.js'
import type { Node } from './scheduler-filters.js'
import { volumeBindings } from './scheduler-volumes.js'
import { ann, type PersistentVolume, type PersistentVolumeClaim, withClaimRef } from './volume-binding.js'

/**
 * For the chosen node: pre-bind each delayed claim's matching static volume (claimRef +
 * bound-by-controller; the PV controller completes it), or annotate the claim with
 * `volume.kubernetes.io/selected-node` so its provisioner creates a volume there. The pod is bound
 * once every claim is Bound.
 */
export async function preBindVolumes(registry: Registry, unbound: PersistentVolumeClaim[], node: Node, volumes: PersistentVolume[]): Promise<void> {
  const claims = registry.resource<PersistentVolumeClaim>('', 'persistentvolumeclaims')
  const pvs = registry.resource<PersistentVolume>('', 'persistentvolumes')
  for (const { claim, volume } of volumeBindings(unbound, node, volumes)) {
    const ns = claim.metadata.namespace ?? ''
    if (volume) {
      await pvs.guaranteedUpdate('', volume.metadata.name ?? '', (v) => withClaimRef(v, claim, true))
      continue
    }
    await claims.guaranteedUpdate(ns, claim.metadata.name ?? '', (c) => ({
      ...c,
      metadata: { ...c.metadata, annotations: { ...c.metadata.annotations, [ann.selectedNode]: node.metadata.name ?? '' } },
    }))
  }
}
