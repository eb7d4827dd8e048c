/** @module system-priority-classes: the two PriorityClasses the API server creates at boot, as objects. */
import { systemPriorityClasses } from '../registry/scheduling/priorityclass-validation.js'
import type { KubeObject } from '../types.js'

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
