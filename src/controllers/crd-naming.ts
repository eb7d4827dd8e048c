/**
 * @module crd-naming: the apiextensions naming controller (staging/src/k8s.io/apiextensions-apiserver/
 * pkg/controller/status/naming_controller.go): accepts a CRD's names unless another CRD of the group
 * holds them, and writes status.acceptedNames with the NamesAccepted and Established conditions.
 */
import { crdCondition, type CRDCondition, type CRDNames, type CustomResourceDefinition } from '../registry/apiextensions/crd-types.js'
import type { Registry } from '../registry/registry.js'
import type { Clock } from '../sim/clock.js'
import { deepEqual } from '../util/deep-equal.js'
import { rfc3339 } from '../util/time.js'
import type { Controller, ControllerManager } from './runtime.js'
import { splitKey } from './runtime.js'

const group = 'apiextensions.k8s.io'
const plural = 'customresourcedefinitions'

/** Upstream's equalToAcceptedOrFresh: a name already accepted, or one nobody else uses. */
function conflict(requested: string | undefined, accepted: string | undefined, used: Set<string>): string | undefined {
  if (!requested || requested === accepted || !used.has(requested)) return undefined
  return `${JSON.stringify(requested)} is already in use`
}

/** The accepted names and the two conditions (without times) for `crd` among `others` (the other CRDs of its group). Pure. */
export function acceptNames(
  crd: CustomResourceDefinition,
  others: CustomResourceDefinition[],
): { names: CRDNames; namesAccepted: Omit<CRDCondition, 'lastTransitionTime'>; established: Omit<CRDCondition, 'lastTransitionTime'> } {
  const resources = new Set<string>()
  const kinds = new Set<string>()
  for (const o of others) {
    const n = o.status?.acceptedNames ?? {}
    for (const s of [n.plural, n.singular, ...(n.shortNames ?? [])]) if (s) resources.add(s)
    for (const s of [n.kind, n.listKind]) if (s) kinds.add(s)
  }
  const requested = crd.spec?.names ?? {}
  const accepted = crd.status?.acceptedNames ?? {}
  const names: CRDNames = { ...accepted }
  let reason = ''
  let message = ''
  const check = (field: 'plural' | 'singular' | 'kind' | 'listKind', used: Set<string>, why: string) => {
    const err = conflict(requested[field], accepted[field], used)
    if (err) {
      reason = why
      message = err
    } else if (requested[field] !== undefined) names[field] = requested[field]
  }
  check('plural', resources, 'PluralConflict')
  check('singular', resources, 'SingularConflict')
  const short = requested.shortNames ?? []
  const shortErr = short
    .map((s) => ((accepted.shortNames ?? []).includes(s) || !resources.has(s) ? undefined : `${JSON.stringify(s)} is already in use`))
    .find(Boolean)
  if (shortErr) {
    reason = 'ShortNamesConflict'
    message = shortErr
  } else names.shortNames = short.length ? short : undefined
  check('kind', kinds, 'KindConflict')
  check('listKind', kinds, 'ListKindConflict')
  // Categories never conflict.
  names.categories = requested.categories?.length ? requested.categories : undefined
  for (const k of Object.keys(names) as (keyof CRDNames)[]) if (names[k] === undefined) delete names[k]
  const namesAccepted = reason
    ? { type: 'NamesAccepted', status: 'False', reason, message }
    : { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' }
  const old = crdCondition(crd, 'Established')
  let established: Omit<CRDCondition, 'lastTransitionTime'> = old
    ? { type: old.type, status: old.status, reason: old.reason, message: old.message }
    : { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }
  if (established.status !== 'True' && namesAccepted.status === 'True')
    established = { type: 'Established', status: 'False', reason: 'Installing', message: 'the initial names have been accepted' }
  return { names, namesAccepted, established }
}

/** Replaces condition `c` in `conds`, keeping lastTransitionTime while the status stays. */
export function setCRDCondition(conds: CRDCondition[], c: Omit<CRDCondition, 'lastTransitionTime'>, now: string): CRDCondition[] {
  const old = conds.find((x) => x.type === c.type)
  const next = { ...c, lastTransitionTime: old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now }
  return old ? conds.map((x) => (x === old ? next : x)) : [...conds, next]
}

/** The naming controller: every CRD of a group is re-checked when any of them changes. */
export function createCRDNamingController(deps: { registry: Registry; clock: Clock; manager: ControllerManager }): Controller {
  const cache = deps.manager.informers.for<CustomResourceDefinition>(group, plural)
  const crds = deps.registry.resource<CustomResourceDefinition>(group, plural)
  return {
    name: 'crd-naming',
    // A CRD that releases a name may unblock the others of its group.
    watches: [
      {
        group,
        plural,
        keys: (o) =>
          cache
            .list()
            .filter((s) => (s.obj as CustomResourceDefinition).spec?.group === (o as CustomResourceDefinition).spec?.group)
            .map((s) => s.obj.metadata.name ?? '')
            .concat(o.metadata.name ?? ''),
      },
    ],
    async reconcile(key) {
      const [, name] = splitKey(key)
      const crd = cache.getObject('', name)
      if (!crd) return
      const others = cache
        .list()
        .map((s) => s.obj as CustomResourceDefinition)
        .filter((o) => o.metadata.name !== name && o.spec?.group === crd.spec?.group)
      const { names, namesAccepted, established } = acceptNames(crd, others)
      const now = rfc3339(deps.clock.now())
      const conds = setCRDCondition(setCRDCondition(crd.status?.conditions ?? [], namesAccepted, now), established, now)
      if (deepEqual(names, crd.status?.acceptedNames ?? {}) && deepEqual(conds, crd.status?.conditions ?? [])) return
      await crds.guaranteedUpdate('', name, (cur) => ({ ...cur, status: { ...(cur.status ?? {}), acceptedNames: names, conditions: conds } }), {
        subresource: 'status',
      })
    },
  }
}
