/** @module pod-container-spec: a pod's container of any kind (init, regular, ephemeral) by name. */
import type { Container, Pod } from 'kubernetes-types/core/v1.js'

/** The spec of container `name` among the pod's init, regular and ephemeral containers (EphemeralContainerCommon is a Container). */
export function podContainerSpec(pod: Pick<Pod, 'spec'> | undefined, name: string): Container | undefined {
  const spec = pod?.spec
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...((spec?.ephemeralContainers ?? []) as Container[])].find((c) => c.name === name)
}
