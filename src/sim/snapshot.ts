/** @module snapshot: export every object as a v1 List, and validate and import one (a kubemock snapshot or a real cluster's dump). */
import { yamlLibrary } from '../util/lazy-libraries.js'
import { checkUnknownFields } from '../openapi/field-validation.js'
import { dropNullFields } from '../util/null-fields.js'
import { decodeYAMLDocuments, depthExceeds, maxDecodeDepth } from '../util/yaml-decode.js'
import { StatusError } from '../errors.js'
import { definitions } from '../registry/definitions.js'
import { Registry } from '../registry/registry.js'
import type { AnyResourceStore } from '../registry/generic-registry.js'
import { MemoryStore } from '../store/object-store.js'
import type { FieldError, KubeObject } from '../types.js'
import { SimClock } from './clock.js'
import { controlSchemaErrors, invalidControlRequest } from './scenario.js'
import type { ActivityState } from './activity/activity-state.js'

/**
 * What a kubemock snapshot carries beside its objects (`kubemock:` of the List; kubectl and real
 * clusters ignore it): the scenario activity's position, and the seeded generateName counters.
 */
export interface SnapshotState {
  activity?: ActivityState
  /** Under a scenario seed: how many generateName suffixes were drawn (names go on from there). */
  names?: { drawn: number }
}

/** The body of GET /kubemock/v1/snapshot. */
export interface ObjectList {
  kind: 'List'
  apiVersion: 'v1'
  metadata: { resourceVersion: string }
  items: KubeObject[]
  kubemock?: SnapshotState
}

/** A PUT body read: its objects, and the kubemock state when it has one. */
export interface ParsedSnapshot {
  items: KubeObject[]
  kubemock?: SnapshotState
}

/** Resources exported first: what everything else lives in or on. */
const firstResources = ['namespaces', 'nodes']

/**
 * Every stored object (kind and apiVersion set), namespaces and nodes first, then by resource,
 * namespace and name; `state` (when it holds anything) as `kubemock`.
 */
export function exportSnapshot(registry: Registry, state: SnapshotState = {}): ObjectList {
  const stores = [...registry.resources].sort((a, b) => rank(a.def.plural, a.def.group) - rank(b.def.plural, b.def.group))
  const items: KubeObject[] = []
  for (const rs of stores) for (const s of registry.store.list(rs.key)) items.push(s.obj)
  const list: ObjectList = { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '' }, items }
  const kubemock = Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined))
  if (Object.keys(kubemock).length) list.kubemock = kubemock
  return list
}

function rank(plural: string, group: string): number {
  const i = group === '' ? firstResources.indexOf(plural) : -1
  return i < 0 ? firstResources.length : i
}

/** The snapshot as YAML (Accept: application/yaml), shaped like `kubectl get -o yaml`. */
export function snapshotYAML(list: ObjectList): string {
  return yamlLibrary().stringify(list, { aliasDuplicateObjects: false, lineWidth: 0 })
}

/**
 * Reads a PUT body: a JSON or YAML List (kubectl's `-o yaml` output), or several YAML documents
 * (each an object or a List; the first List's `kubemock` is the state). Throws a 400 Status when
 * it is neither, a 422 when it does not fit the ObjectList schema.
 */
export function parseSnapshotBody(body: unknown): ParsedSnapshot {
  if (body === undefined || body === null || body === '') throw StatusError.badRequest('invalid snapshot: the body is empty; send a List of objects')
  let docs: unknown[]
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const text = body.toString()
    let json: unknown
    let isJSON = true
    try {
      json = JSON.parse(text)
    } catch {
      isJSON = false
    }
    if (isJSON) {
      // JSON.parse builds any depth; the validation and import code after it recurses.
      if (depthExceeds(json, maxDecodeDepth)) throw StatusError.badRequest(`invalid snapshot: exceeded max depth of ${maxDecodeDepth}`)
      docs = [json]
    } else {
      try {
        docs = decodeYAMLDocuments(text).filter((d) => d !== null && d !== undefined)
      } catch (err) {
        throw StatusError.badRequest(`invalid snapshot: not JSON or YAML: yaml: ${(err as Error).message}`)
      }
    }
  } else {
    docs = [body]
  }
  const items: unknown[] = []
  let kubemock: unknown
  for (const d of docs) {
    if (d && typeof d === 'object' && Array.isArray((d as { items?: unknown }).items)) {
      items.push(...(d as { items: unknown[] }).items)
      kubemock ??= (d as { kubemock?: unknown }).kubemock ?? undefined
    } else items.push(d)
  }
  const errs = controlSchemaErrors('ObjectList', kubemock === undefined ? { items } : { items, kubemock })
  if (errs.length) throw invalidControlRequest('ObjectList', errs)
  // Nulls are zero values to Go's decoder; the registry code would trip over them.
  const out: ParsedSnapshot = { items: (items as KubeObject[]).map((o) => dropNullFields(o)) }
  if (kubemock !== undefined) out.kubemock = kubemock as SnapshotState
  return out
}

/**
 * A copy ready for import: server-owned fields a dump carries are dropped (resourceVersion,
 * managedFields, selfLink); uid, creationTimestamp, generation and status stay.
 */
export function importable(o: KubeObject): KubeObject {
  const copy = structuredClone(o)
  const m = copy.metadata as Record<string, unknown>
  delete m.resourceVersion
  delete m.managedFields
  delete m.selfLink
  return copy
}

function describe(o: KubeObject, i: number): string {
  const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : ''
  return `items[${i}] (${o.kind} ${ns}${o.metadata?.name ?? o.metadata?.generateName ?? ''})`
}

/** Namespaces the items need that they do not define themselves, plus the four every cluster has. */
export function missingNamespaces(registry: Registry, items: KubeObject[]): string[] {
  const defined = new Set(items.filter((o) => o.kind === 'Namespace' && o.apiVersion === 'v1').map((o) => o.metadata.name))
  const need = new Set(['default', 'kube-node-lease', 'kube-public', 'kube-system'])
  for (const o of items) {
    const rs = registry.forKind(o.apiVersion ?? '', o.kind ?? '')
    if (rs?.def.namespaced) need.add(o.metadata.namespace || 'default')
  }
  return [...need].filter((n) => !defined.has(n)).sort()
}

/**
 * Checks every item without touching the live store: the kind is served, names are unique, and
 * each object passes the same validation a create would (run as a dry run on a scratch
 * registry). Throws one 422 Status listing the problems; nothing has changed then.
 */
export async function validateSnapshot(registry: Registry, items: KubeObject[], now: number): Promise<void> {
  const errors: FieldError[] = []
  const scratch = new Registry({ store: new MemoryStore(), clock: new SimClock({ speed: 0, start: now }), definitions })
  const namespaces = scratch.resource('', 'namespaces')
  for (const ns of [...missingNamespaces(registry, items), ...items.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name ?? '')]) {
    if (ns && !namespaces.getStored('', ns)) await namespaces.create('', { metadata: { name: ns } }, { trusted: true })
  }
  const seen = new Set<string>()
  // The import must not stop half-way at the store's limits, so they are checked here too.
  const { quotaBytes, maxObjectBytes } = registry.store.limits()
  let total = 0
  for (const [i, o] of items.entries()) {
    const where = describe(o, i)
    const rs = registry.forKind(o.apiVersion ?? '', o.kind ?? '')
    if (!rs) {
      errors.push({
        type: 'FieldValueNotSupported',
        field: `items[${i}].kind`,
        badValue: `${o.apiVersion}/${o.kind}`,
        detail: 'this server does not serve that kind',
      })
      continue
    }
    if (!o.metadata.name) {
      errors.push({ type: 'FieldValueRequired', field: `items[${i}].metadata.name` })
      continue
    }
    const key = `${rs.key}/${rs.def.namespaced ? o.metadata.namespace || 'default' : ''}/${o.metadata.name}`
    if (seen.has(key)) {
      errors.push({ type: 'FieldValueDuplicate', field: `items[${i}]`, badValue: where.slice(where.indexOf('(') + 1, -1) })
      continue
    }
    seen.add(key)
    if (o.kind === 'Namespace' && o.apiVersion === 'v1') return
    // A field of the wrong JSON type is what kube-apiserver's decoder refuses (`json: cannot
    // unmarshal number into Go struct field Container.spec.containers.image of type string`).
    const { typeErrors } = checkUnknownFields({ group: rs.def.group, version: rs.def.version, kind: rs.def.kind }, o)
    if (typeErrors.length) {
      errors.push({ type: 'FieldValueInvalid', field: `items[${i}]`, badValue: where.slice(where.indexOf('(') + 1, -1), detail: typeErrors[0].message })
      continue
    }
    const copy = importable(o)
    delete copy.metadata.deletionTimestamp
    try {
      const s = await scratch
        .resource(rs.def.group, rs.def.plural)
        .create(rs.def.namespaced ? copy.metadata.namespace || 'default' : '', copy, { dryRun: true })
      total += s.size
      if (s.size > maxObjectBytes)
        errors.push({
          type: 'FieldValueTooLong',
          field: `items[${i}]`,
          detail: `${where}: ${s.size} bytes serialized; the store takes at most ${maxObjectBytes} per object (etcdserver: request is too large)`,
        })
    } catch (err) {
      const msg = err instanceof StatusError ? err.message : (err as Error).message
      errors.push({ type: 'FieldValueInvalid', field: `items[${i}]`, badValue: where.slice(where.indexOf('(') + 1, -1), detail: msg })
    }
  }
  if (total > quotaBytes)
    errors.push({
      type: 'FieldValueTooLong',
      field: 'items',
      detail: `${total} bytes serialized; the storage quota is ${quotaBytes} (etcdserver: mvcc: database space exceeded)`,
    })
  if (errors.length) throw invalidControlRequest('ObjectList', errors.slice(0, 20))
}

/**
 * Writes the items into the (just cleared) store as they are, in an order that satisfies their
 * dependencies: namespaces (given or needed) first, then nodes, then the rest as listed.
 * Must run after {@link validateSnapshot}. Returns the count per kind.
 */
export async function importObjects(registry: Registry, items: KubeObject[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  const namespaces = registry.resource('', 'namespaces')
  // An object the store kept through the clear (over etcd: the Leases the processes elect
  // with, the shared clock) stays as it is: the processes own it, not the snapshot.
  const kept = new Set(items.filter((o) => storedOf(registry, o) !== undefined))
  for (const name of missingNamespaces(registry, items)) await namespaces.create('', { metadata: { name } }, { trusted: true })
  const ordered = [...items].sort((a, b) => rank(pluralOf(registry, a), groupOf(a)) - rank(pluralOf(registry, b), groupOf(b)))
  for (const o of ordered) {
    const rs = registry.forKind(o.apiVersion ?? '', o.kind ?? '')!
    if (!kept.has(o)) {
      const copy = importable(o)
      const namespace = rs.def.namespaced ? copy.metadata.namespace || 'default' : ''
      await createOrTakeOver(rs, namespace, copy)
    }
    counts[o.kind!] = (counts[o.kind!] ?? 0) + 1
  }
  return counts
}

/** How often an import retries an object another process created and this one cannot read yet. */
const takeOverTries = 50
const takeOverWaitMs = 20

/**
 * Creates `copy`, or, when another process made the object meanwhile (over etcd the leader's
 * controllers run on: a namespace's kube-root-ca.crt, its default ServiceAccount), gives it the
 * snapshot's content, keeping the identity it was given. This process's watch cache may not have
 * seen that create yet (the update then finds nothing): it tries again until it has.
 */
async function createOrTakeOver(rs: AnyResourceStore, namespace: string, copy: KubeObject): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await rs.create(namespace, copy, { trusted: true })
      return
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err
    }
    try {
      await rs.guaranteedUpdate(
        namespace,
        copy.metadata.name ?? '',
        (cur) => ({ ...copy, metadata: { ...copy.metadata, uid: cur.metadata.uid, creationTimestamp: cur.metadata.creationTimestamp } }),
        { trusted: true },
      )
      return
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'NotFound') || attempt >= takeOverTries) throw err
    }
    await new Promise((resolve) => setTimeout(resolve, takeOverWaitMs))
  }
}

function storedOf(registry: Registry, o: KubeObject) {
  const rs = registry.forKind(o.apiVersion ?? '', o.kind ?? '')
  return rs?.getStored(rs.def.namespaced ? o.metadata.namespace || 'default' : '', o.metadata.name ?? '')
}

function pluralOf(registry: Registry, o: KubeObject): string {
  return registry.forKind(o.apiVersion ?? '', o.kind ?? '')?.def.plural ?? ''
}

function groupOf(o: KubeObject): string {
  const av = o.apiVersion ?? ''
  return av.includes('/') ? av.slice(0, av.indexOf('/')) : ''
}
