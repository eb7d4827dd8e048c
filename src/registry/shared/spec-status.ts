/** @module spec-status: the update strategies every spec/status kind shares (upstream's strategy.go PrepareForUpdate pair). */
import type { KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'

type SpecStatus = KubeObject & { spec?: unknown; status?: unknown }

/**
 * A write to the main resource keeps the stored status; a write to /status keeps the stored spec
 * (metadata may change through either, as upstream's status strategies allow). Spread into a
 * definition: `...specStatusUpdates<T>()`.
 */
export function specStatusUpdates<T extends SpecStatus>(): Pick<ResourceDefinition<T>, 'prepareForUpdate' | 'prepareForStatusUpdate'> {
  return {
    prepareForUpdate(obj, old) {
      obj.status = old.status
    },
    prepareForStatusUpdate(obj, old) {
      obj.spec = old.spec
    },
  }
}
