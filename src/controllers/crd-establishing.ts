/**
 * @module crd-establishing: the apiextensions establishing controller (staging/src/k8s.io/apiextensions-apiserver/
 * pkg/controller/establish/establishing_controller.go): once a CRD's names are accepted it is Established.
 */
import { crdConditionTrue, type CustomResourceDefinition } from '../registry/apiextensions/crd-types.js'
import type { Registry } from '../registry/registry.js'
import type { Clock } from '../sim/clock.js'
import { rfc3339 } from '../util/time.js'
import { setCRDCondition } from './crd-naming.js'
import type { Controller, ControllerManager } from './runtime.js'
import { splitKey } from './runtime.js'

const group = 'apiextensions.k8s.io'
const plural = 'customresourcedefinitions'

/** Sets Established True (InitialNamesAccepted) on CRDs whose NamesAccepted is True. */
export function createCRDEstablishingController(deps: { registry: Registry; clock: Clock; manager: ControllerManager }): Controller {
  const cache = deps.manager.informers.for<CustomResourceDefinition>(group, plural)
  const crds = deps.registry.resource<CustomResourceDefinition>(group, plural)
  return {
    name: 'crd-establishing',
    watches: [{ group, plural }],
    async reconcile(key) {
      const [, name] = splitKey(key)
      const crd = cache.getObject('', name)
      if (!crd || !crdConditionTrue(crd, 'NamesAccepted') || crdConditionTrue(crd, 'Established')) return
      await crds.guaranteedUpdate(
        '',
        name,
        (cur) => {
          const conds = setCRDCondition(
            cur.status?.conditions ?? [],
            { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
            rfc3339(deps.clock.now()),
          )
          return { ...cur, status: { ...(cur.status ?? {}), conditions: conds } }
        },
        { subresource: 'status' },
      )
    },
  }
}
