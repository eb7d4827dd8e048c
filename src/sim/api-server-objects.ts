/**
 * @module api-server-objects: the cluster-scoped objects kube-apiserver itself creates at start —
 * the local APIServices (autoregister), derived from the served definitions, and the APF bootstrap configuration.
 */
import { localAPIServices } from '../registry/apiregistration/local-apiservices.js'
import { bootstrapFlowSchemas, bootstrapPriorityLevels } from '../registry/flowcontrol/apf-bootstrap.js'
import type { AnyResourceDefinition } from '../registry/resource-definition.js'
import type { KubeObject } from '../types.js'

/** Every boot object of the API server for `definitions`, ready to create (status is filled by the controllers). Pure. */
export function apiServerBootObjects(definitions: readonly AnyResourceDefinition[]): KubeObject[] {
  const served = new Set(definitions.map((d) => `${d.group}/${d.plural}`))
  const apf = served.has('flowcontrol.apiserver.k8s.io/flowschemas') ? [...bootstrapPriorityLevels(), ...bootstrapFlowSchemas()] : []
  return [...localAPIServices(definitions), ...apf]
}
