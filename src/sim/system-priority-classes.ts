/** @module system-priority-classes: the two PriorityClasses the API server creates at boot, as objects. */
import { systemPriorityClasses } from '../registry/scheduling/priorityclass-validation.js'
import type { KubeObject } from '../types.js'
import { StatusError } from '../errors.js'
import type { Registry } from '../registry/registry.js'

/**
 * system-node-critical and system-cluster-critical, as the scheduling REST storage's post-start
 * hook creates them (pkg/registry/scheduling/rest/storage_scheduling.go AddSystemPriorityClasses).
 */
export function systemPriorityClassObjects(): KubeObject[] {
  return systemPriorityClasses.map((c) => ({
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: c.name },
    value: c.value,
    description: c.description,
    globalDefault: false,
  }))
}

/**
 * Creates whichever of the system classes is missing, as the post-start hook does on every API
 * server start (a cluster continued from a data directory or etcd gets them too).
 */
export async function ensureSystemPriorityClasses(registry: Registry): Promise<void> {
  const rs = registry.resource('scheduling.k8s.io', 'priorityclasses')
  for (const pc of systemPriorityClassObjects()) {
    if (rs.getStored('', pc.metadata.name ?? '')) continue
    try {
      await rs.create('', pc)
    } catch (err) {
      // Another process on the same etcd made it first.
      if (!(err instanceof StatusError && err.status.reason === 'AlreadyExists')) throw err
    }
  }
}
