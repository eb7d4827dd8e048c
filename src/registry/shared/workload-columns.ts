/** @module workload-columns: the CONTAINERS and IMAGES wide cells of workload printers (layoutContainerCells). */
import type { PodSpec } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../../types.js'
import type { Cell } from '../resource-definition.js'
import { translateTimestampSince } from './human-duration.js'

/**
 * `[names, images]`: container names and images each joined with ",", in spec order, as
 * printers.go's layoutContainerCells (init containers are not listed).
 */
export function containersAndImages(spec: PodSpec | undefined): [string, string] {
  const cs = spec?.containers ?? []
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image ?? '').join(',')]
}

/** What printReplicaSet and printReplicationController read from either kind. */
type Replicated = KubeObject & {
  spec?: { replicas?: number; template?: { spec?: PodSpec } }
  status?: { replicas?: number; readyReplicas?: number }
}

/** NAME DESIRED CURRENT READY AGE CONTAINERS IMAGES SELECTOR: one row, the selector already formatted. */
export function replicatedRow(obj: Replicated, now: Date, selector: string): Cell[] {
  const [names, images] = containersAndImages(obj.spec?.template?.spec)
  return [
    obj.metadata.name ?? '',
    obj.spec?.replicas ?? 0,
    obj.status?.replicas ?? 0,
    obj.status?.readyReplicas ?? 0,
    translateTimestampSince(obj.metadata.creationTimestamp, now),
    names,
    images,
    selector,
  ]
}
