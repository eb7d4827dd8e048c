/**
 * @module crd-finalizer: the apiextensions finalizer controller (staging/src/k8s.io/apiextensions-apiserver/
 * pkg/controller/finalizer/crd_finalizer.go): a deleted CRD's custom objects are deleted, then its
 * `customresourcecleanup.apiextensions.k8s.io` finalizer is removed so that the CRD goes.
 */
import { crdCleanupFinalizer, type CustomResourceDefinition } from '../registry/apiextensions/crd-types.js'
import type { Registry } from '../registry/registry.js'
import type { Clock } from '../sim/clock.js'
import { rfc3339 } from '../util/time.js'
import { setCRDCondition } from './crd-naming.js'
import type { Controller, ControllerManager } from './runtime.js'
import { splitKey } from './runtime.js'

const group = 'apiextensions.k8s.io'
const plural = 'customresourcedefinitions'
/** How soon a CRD whose objects are still finalizing is checked again (upstream polls every second). */
const recheckMs = 1000

/** Deletes a terminating CRD's objects; removes its finalizer once none is left. */
export function createCRDFinalizerController(deps: { registry: Registry; clock: Clock; manager: ControllerManager }): Controller {
  const cache = deps.manager.informers.for<CustomResourceDefinition>(group, plural)
  const crds = deps.registry.resource<CustomResourceDefinition>(group, plural)
  const setTerminating = (name: string, reason: string, message: string, status = 'True') =>
    crds.guaranteedUpdate(
      '',
      name,
      (cur) => ({
        ...cur,
        status: {
          ...(cur.status ?? {}),
          conditions: setCRDCondition(cur.status?.conditions ?? [], { type: 'Terminating', status, reason, message }, rfc3339(deps.clock.now())),
        },
      }),
      { subresource: 'status' },
    )
  return {
    name: 'crd-finalizer',
    watches: [{ group, plural }],
    async reconcile(key) {
      const [, name] = splitKey(key)
      const crd = cache.getObject('', name)
      if (!crd?.metadata.deletionTimestamp || !(crd.metadata.finalizers ?? []).includes(crdCleanupFinalizer)) return
      const cond = crd.status?.conditions?.find((c) => c.type === 'Terminating')
      if (cond?.reason !== 'InstanceDeletionInProgress' && cond?.status === 'True')
        await setTerminating(name, 'InstanceDeletionInProgress', 'CustomResource deletion is in progress')
      const rs = deps.registry.find(crd.spec?.group ?? '', crd.status?.acceptedNames?.plural ?? crd.spec?.names?.plural ?? '')
      if (rs) {
        const { items } = rs.list(undefined)
        for (const s of items) {
          try {
            await rs.delete(s.obj.metadata.namespace ?? '', s.obj.metadata.name ?? '')
          } catch (err) {
            if ((err as { code?: number }).code !== 404) throw err
          }
        }
        const left = rs.list(undefined).items.length
        if (left) {
          await setTerminating(name, 'InstanceDeletionCheck', `could not confirm zero CustomResources remaining: timed out waiting for the condition`)
          return { requeueAfterMs: recheckMs }
        }
      }
      await setTerminating(name, 'InstanceDeletionCompleted', 'removed all instances', 'False')
      await crds.guaranteedUpdate('', name, (cur) => ({
        ...cur,
        metadata: { ...cur.metadata, finalizers: (cur.metadata.finalizers ?? []).filter((f) => f !== crdCleanupFinalizer) },
      }))
    },
  }
}
