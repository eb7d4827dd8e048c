/** @module workload-columns: the CONTAINERS and IMAGES wide cells of workload printers (layoutContainerCells). */
import type { PodSpec } from 'kubernetes-types/core/v1.js'

/**
 * `[names, images]`: container names and images each joined with ",", in spec order, as
 * printers.go's layoutContainerCells (init containers are not listed).
 */
export function containersAndImages(spec: PodSpec | undefined): [string, string] {
  const cs = spec?.containers ?? []
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image ?? '').join(',')]
}
