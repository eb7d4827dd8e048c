/** @module namespace: finishes namespace deletion — empties the namespace, then drops its finalizer. */
import type { Registry } from '../registry/registry.js'
import { StatusError } from '../errors.js'
import type { Controller } from './runtime.js'

/** How often a terminating namespace is re-checked while its contents drain (simulated ms). */
const recheckMs = 1000

/**
 * The namespace lifecycle controller (pkg/controller/namespace): for a namespace with a
 * deletionTimestamp, delete every namespaced object in it; once none are left, remove the
 * `kubernetes` finalizer so the namespace itself goes away.
 */
export function createNamespaceController(deps: { registry: Registry }): Controller {
  const { registry } = deps
  const namespaces = registry.resource('', 'namespaces')
  return {
    name: 'namespace',
    watches: [{ group: '', plural: 'namespaces' }],
    async reconcile(key) {
      const ns = namespaces.getStored('', key)
      if (!ns?.obj.metadata.deletionTimestamp) return
      for (const rs of registry.resources) {
        if (!rs.def.namespaced) continue
        const items = rs.list(key).items
        for (const s of items) {
          if (s.obj.metadata.deletionTimestamp) continue
          try {
            await rs.delete(key, s.obj.metadata.name ?? '', { propagationPolicy: 'Background' })
          } catch (err) {
            if (!(err instanceof StatusError && err.code === 404)) throw err
          }
        }
      }
      for (const rs of registry.resources) if (rs.def.namespaced && rs.list(key).items.length) return { requeueAfterMs: recheckMs }
      const spec = ns.obj.spec as { finalizers?: string[] } | undefined
      if (spec?.finalizers?.includes('kubernetes')) {
        await namespaces.guaranteedUpdate(
          '',
          key,
          (cur) => {
            const s = (cur.spec ?? {}) as { finalizers?: string[] }
            s.finalizers = (s.finalizers ?? []).filter((f) => f !== 'kubernetes')
            cur.spec = s
            return cur
          },
          { trusted: true },
        )
      }
      if (namespaces.getStored('', key)) await namespaces.delete('', key, {})
    },
  }
}
