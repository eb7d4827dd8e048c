/** @module generic-registry: every shared create/update/delete/list/watch rule, once, for all kinds. */
import { randomUUID } from 'node:crypto'
import { StatusError, type ResourceRef } from '../errors.js'
import type { ObjectStore, StoredObject, StoreEvent } from '../store/object-store.js'
import { serialize } from '../store/object-store.js'
import { StoreError } from '../store/store-error.js'
import { matchRequirements, parseLabelSelector, type Requirement } from '../store/selectors.js'
import { matchFields, parseFieldSelector, type FieldRequirement } from '../store/field-selector.js'
import type { FieldError, KubeObject } from '../types.js'
import { cloneJSON, deepEqual } from '../util/deep-equal.js'
import { perObject } from '../util/per-object.js'
import { rfc3339 } from '../util/time.js'
import type { ComputedContext, HookContext, RequestUser, ResourceDefinition, SubresourceStrategy } from './resource-definition.js'
import type { Registry } from './registry.js'
import { validateObjectMeta } from './shared/validation.js'
import type { AdmissionAttributes, AdmissionChain } from './admission.js'
import { applyPatch, type FieldManagerScope, trackUpdate } from './apply/field-manager.js'
import { FieldPathSet } from './apply/field-set.js'
import { fieldElement } from './apply/path-element.js'
import { updaterFor } from './apply/updater-for.js'
import { randomNames, suffixFrom, type NameGenerator } from './generated-names.js'

/** What the registry needs from the cluster around one resource. */
export interface RegistryContext {
  store: ObjectStore
  now(): number
  hookContext(): HookContext
  /**
   * Drops what Go's JSON encoding would omit (empty omitempty fields), in place; `only` limits it to
   * one top-level field; values shared with `prev` (the stored version an update replaces) are skipped.
   */
  normalize(obj: KubeObject, only?: string, prev?: KubeObject): void
  /** Namespace admission (NamespaceLifecycle): throws when the namespace is missing or terminating. */
  checkNamespace(namespace: string, ref: ResourceRef, name: string, verb: 'create' | 'update'): void
  /** The admission chain (LimitRanger, ResourceQuota, …) untrusted creates and updates pass. */
  admission?: AdmissionChain
  /** The registry this resource belongs to (computed kinds read other kinds through it). */
  registry?: Registry
  /** Draws generateName suffixes (default: random, as upstream). */
  names?: NameGenerator
}

export interface ListOptions {
  labelSelector?: string
  fieldSelector?: string
  limit?: number
  continue?: string
  resourceVersion?: string
  resourceVersionMatch?: string
}

export interface ListResult {
  items: StoredObject[]
  resourceVersion: number
  continue?: string
  remainingItemCount?: number
}

export interface WriteOptions {
  dryRun?: boolean
  /** `status` routes through prepareForStatusUpdate; other subresources are handled by their callers. */
  subresource?: string
  /** Skip admission-time validation (bootstrap and state import). */
  trusted?: boolean
  /**
   * Write the object as `tryUpdate` returns it, past the strategy's update hooks and validation:
   * what a subresource whose REST writes storage directly does (pods/binding sets spec.nodeName
   * and the PodScheduled condition in one write). System metadata stays the server's.
   */
  direct?: boolean
  /**
   * `tryUpdate` receives a shallow draft instead of a private deep copy: the top level and
   * `metadata` are fresh objects, everything below them is the stored version's (immutable). The
   * caller promises to replace what it changes (`obj.status = {...}`), never to mutate nested
   * values. For trusted in-process writers on hot paths (the kubelet's status writes, Event
   * counts, lease renewals): a deep copy of a pod is most of what such a write costs.
   */
  shallow?: boolean
  /** The requesting user, handed to the create hooks as `ctx.user` and to admission. */
  user?: RequestUser
  /** Collects the admission plugins' warnings (webhook `warnings`) for the response's Warning headers. */
  warnings?: string[]
  /**
   * The field manager the write is recorded under in metadata.managedFields (the `fieldManager`
   * query parameter; in-process controllers pass their own, as `kube-controller-manager`).
   */
  fieldManager?: string
  /** The version the request came in at, when not the storage one (set by the served version's view): for admission. */
  requestVersion?: string
  /** The object's managedFields are already computed (an apply): the write does not track it again. */
  managedFieldsSet?: boolean
}

/** What an apply patch adds to a write (PatchOptions.force). */
export interface ApplyOptions extends WriteOptions {
  /** The manager the applied fields become (required). */
  fieldManager: string
  /** Take fields other managers own instead of failing with the conflicts. */
  force?: boolean
}

export interface DeleteOptions {
  gracePeriodSeconds?: number
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan'
  orphanDependents?: boolean
  preconditions?: { uid?: string; resourceVersion?: string }
  dryRun?: boolean
  /** The requesting user, for admission. */
  user?: RequestUser
  /** Collects admission warnings, as WriteOptions.warnings. */
  warnings?: string[]
  /** As WriteOptions.requestVersion. */
  requestVersion?: string
}

/** `deleted`: gone from storage; `pending`: marked (deletionTimestamp), waiting for grace or finalizers. */
export interface DeleteResult {
  stored: StoredObject
  outcome: 'deleted' | 'pending'
}

export interface WatchOptions extends ListOptions {
  sendInitialEvents?: boolean
  allowWatchBookmarks?: boolean
}

/** One event handed to a watcher; `stored` carries the serialized object. */
export interface WatchEventOut {
  type: 'ADDED' | 'MODIFIED' | 'DELETED'
  stored: StoredObject
}

/** A compiled label+field selector for one resource. */
export interface Predicate {
  labels: Requirement[]
  fields: FieldRequirement[]
  matches(obj: KubeObject): boolean
  readonly empty: boolean
}

const maxUpdateRetries = 20

/**
 * The predicate of a list or watch without selectors, one per process: every informer of every
 * cluster watches without one, and a closure with two empty arrays each was ~12 KB per cluster.
 */
const matchEverything: Predicate = Object.freeze({
  labels: Object.freeze([]) as unknown as Requirement[],
  fields: Object.freeze([]) as unknown as FieldRequirement[],
  empty: true,
  matches: () => true,
})

/** Paged-list states kept per resource (each only references stored versions). */
const maxPageSnapshots = 8

/** kube-apiserver's --etcd-compaction-interval (5 minutes): how long etcd keeps an old revision readable. */
const compactionIntervalMs = 5 * 60_000

/** Index of the first object whose key is ≥ `key` in a key-sorted list. */
function lowerBoundByKey(items: StoredObject[], key: string): number {
  let lo = 0
  let hi = items.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (objectKey(items[mid].obj) < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Create attempts for an object named by generateName (the RetryGenerateName feature). */
const maxGenerateNameAttempts = 8

/** A 5-character random suffix as utilrand.String produces. */
export function randomSuffix(n = 5): string {
  return suffixFrom(Math.random, n)
}

/** A proxy that answers every property read with itself, to discover a definition's selectable field names. */
function probeObject(): KubeObject {
  const handler: ProxyHandler<object> = {
    get: (_t, p) => (p === Symbol.toPrimitive ? () => '' : p === 'toString' || p === 'valueOf' ? () => '' : proxy),
  }
  const proxy = new Proxy(() => {}, handler) as unknown as KubeObject
  return proxy
}

/** The field-selector names per definition, probed once per process (definitions are shared by every cluster). */
const fieldNamesByDef = new WeakMap<object, ReadonlySet<string>>()

/** `metadata.name`, `metadata.namespace` and the names `def.selectableFields` returns. */
function selectableFieldNames(def: ResourceDefinition<never>): ReadonlySet<string> {
  let names = fieldNamesByDef.get(def)
  if (names) return names
  const set = new Set(['metadata.name', 'metadata.namespace'])
  if (def.selectableFields) {
    try {
      for (const k of Object.keys(def.selectableFields(probeObject() as never))) set.add(k)
    } catch {
      // A definition that cannot be probed still filters; unknown names are then rejected lazily.
    }
  }
  names = set
  fieldNamesByDef.set(def, names)
  return names
}

/** The fields a write of the main resource (status) or of /status (spec) leaves as they were; sets are immutable. */
const resetFields = { spec: FieldPathSet.of([[fieldElement('spec')]]), status: FieldPathSet.of([[fieldElement('status')]]) }

/** `plural.group` and `group/version` of a definition: one pair of strings per definition, not per cluster. */
const namesOf = perObject((def: ResourceDefinition): { key: string; apiVersion: string } => ({
  key: def.group ? `${def.plural}.${def.group}` : def.plural,
  apiVersion: def.group ? `${def.group}/${def.version}` : def.version,
}))

/**
 * The registry for one resource: the Kubernetes generic Store with the definition's strategy
 * hooks run in a fixed order.
 */
export class ResourceStore<T extends KubeObject = KubeObject> {
  readonly ref: ResourceRef
  readonly key: string
  readonly apiVersion: string
  /**
   * Set on a version whose objects must be converted by a call out (a CRD's conversion webhook):
   * the HTTP layer passes what getStored, list and watch return through it before answering.
   * Unset for every other store, so their reads stay synchronous.
   */
  convertOut?: (items: StoredObject[]) => Promise<StoredObject[]>
  private readonly fieldNames: ReadonlySet<string>
  private readonly hasStatus: boolean

  constructor(
    readonly def: ResourceDefinition<T>,
    private readonly ctx: RegistryContext,
  ) {
    this.ref = { group: def.group, resource: def.plural }
    ;({ key: this.key, apiVersion: this.apiVersion } = namesOf(def as unknown as ResourceDefinition))
    this.hasStatus = (def.subresources ?? []).some((s) => s.name === 'status')
    this.fieldNames = selectableFieldNames(def)
  }

  /**
   * The states paged lists are being read at, by `namespace|resourceVersion`, newest last: a
   * continued page reads its token's state from here (etcd serves old revisions until it compacts
   * them, minutes later; the watch history may have moved on long before under heavy churn).
   */
  // Made by the first paged list: most of a cluster's ~60 resources are never listed in pages.
  private pageSnapshots: Map<string, { items: StoredObject[]; at: number }> | undefined

  private keepPageSnapshot(key: string, items: StoredObject[] | undefined): void {
    const kept = items ? { items, at: this.ctx.now() } : this.pageSnapshots?.get(key)
    if (!kept) return
    const snapshots = (this.pageSnapshots ??= new Map())
    snapshots.delete(key)
    snapshots.set(key, kept)
    while (snapshots.size > maxPageSnapshots) snapshots.delete(snapshots.keys().next().value!)
  }

  /** A kept paged-list state, unless etcd would have compacted it by now. */
  private pageSnapshot(key: string): StoredObject[] | undefined {
    const kept = this.pageSnapshots?.get(key)
    if (kept && this.ctx.now() - kept.at < compactionIntervalMs) return kept.items
    this.pageSnapshots?.delete(key)
    return undefined
  }

  /** The store's newest resourceVersion. */
  currentRV(): number {
    return this.ctx.store.currentRV()
  }

  /**
   * Resolves once the store has reached resourceVersion `rv`, or after `timeoutMs` (real time)
   * regardless: the watch cache's waitUntilFreshAndBlock, which holds a too-new list for up to 3 s
   * before answering "Too large resource version".
   */
  waitUntilFresh(rv: number, timeoutMs = 3000): Promise<void> {
    if (this.ctx.store.currentRV() >= rv) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        stop()
        resolve()
      }
      const timer = setTimeout(done, timeoutMs)
      timer.unref?.()
      const stop = this.ctx.store.onCommit((now) => {
        if (now >= rv) done()
      })
    })
  }

  /** Whether a list with these options is served by the watch cache at "not older than" a resourceVersion, and which one. */
  freshnessNeeded(opts: ListOptions): number | undefined {
    const rv = opts.resourceVersion
    // An unparsable resourceVersion is refused at once, before any wait (cacher GetList parses first).
    if (!rv || rv === '0' || !isUint64(rv) || opts.continue) return undefined
    const match = opts.resourceVersionMatch ?? ''
    if (match === 'Exact' || (match === '' && (opts.limit ?? 0) > 0)) return undefined
    if (match === 'NotOlderThan' && (opts.limit ?? 0) > 0) return undefined
    return Number(rv)
  }

  /** The stored version, or undefined. */
  getStored(namespace: string, name: string): StoredObject | undefined {
    if (this.def.computedGet) {
      const o = this.def.computedGet(new Date(this.ctx.now()), this.computedContext(namespace), name)
      return o ? serialize(this.normalize(o as T), this.ctx.store.currentRV()) : undefined
    }
    if (this.def.computed) return this.computedObjects(namespace).find((s) => s.obj.metadata.name === name)
    return this.ctx.store.get(this.key, this.def.namespaced ? namespace : '', name)
  }

  private computedContext(namespace: string | undefined): ComputedContext {
    if (!this.ctx.registry) throw new Error(`resource ${this.key}: a computed kind needs RegistryContext.registry`)
    return { namespace: this.def.namespaced ? namespace || undefined : undefined, registry: this.ctx.registry }
  }

  /** A computed kind's objects as of now (of `namespace` when namespaced and given), with kind and apiVersion. */
  private computedObjects(namespace?: string): StoredObject[] {
    const now = this.ctx.now()
    const ctx = this.computedContext(namespace)
    const objs = (this.def.computed?.(new Date(now), ctx) ?? []).filter((o) => !ctx.namespace || o.metadata.namespace === ctx.namespace)
    return objs.map((o) => serialize(this.normalize(o as T), this.ctx.store.currentRV()))
  }

  /** The stored version, or NotFound. */
  get(namespace: string, name: string): StoredObject {
    const s = this.getStored(namespace, name)
    if (!s) throw StatusError.notFound(this.ref, name)
    return s
  }

  /** A private, mutable copy of the stored object (or undefined). */
  read(namespace: string, name: string): T | undefined {
    const s = this.getStored(namespace, name)
    return s ? (JSON.parse(s.json) as T) : undefined
  }

  // ---------------------------------------------------------------- list / watch

  /** Compiles label and field selectors, rejecting fields this kind cannot select on. */
  predicate(labelSelector?: string, fieldSelector?: string): Predicate {
    if (!labelSelector && !fieldSelector) return matchEverything
    const labels = labelSelector ? StatusError.fromStore(() => parseLabelSelector(labelSelector)) : []
    const fields = fieldSelector ? StatusError.fromStore(() => parseFieldSelector(fieldSelector)) : []
    for (const f of fields) {
      const name = this.def.fieldLabelAliases?.[f.field] ?? f.field
      f.field = name
      if (!this.fieldNames.has(name)) {
        if (this.def.selectableFields) throw StatusError.badRequest(`field label not supported: ${name}`)
        throw StatusError.badRequest(`"${name}" is not a known field selector: only "metadata.name", "metadata.namespace"`)
      }
    }
    const empty = labels.length === 0 && fields.length === 0
    return {
      labels,
      fields,
      empty,
      matches: (obj) => {
        if (labels.length && !matchRequirements(labels, obj.metadata.labels ?? {})) return false
        if (fields.length && !matchFields(fields, this.fieldsOf(obj))) return false
        return true
      },
    }
  }

  /** The selectable fields of one object, as ToSelectableFields gives them. */
  fieldsOf(obj: KubeObject): Record<string, string> {
    const base: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '' }
    if (this.def.namespaced) base['metadata.namespace'] = obj.metadata.namespace ?? ''
    return this.def.selectableFields ? { ...base, ...this.def.selectableFields(obj as T) } : base
  }

  /**
   * LIST with the storage semantics of kube-apiserver 1.32 (cacher + etcd3 store): no
   * resourceVersion is the newest state; `0` is any state (the cache, limit ignored); N with
   * NotOlderThan (or no match and no limit) is the newest state, 504 when N is in the future;
   * N with Exact (or no match and a limit, as etcd serves paged lists) is the state exactly at N,
   * rebuilt from the bounded history: 410 Expired when N is older than it, etcd's future-revision
   * error when N is newer than the store. A continue token lists at the token's resourceVersion.
   */
  list(namespace: string | undefined, opts: ListOptions = {}): ListResult {
    const pred = this.predicate(opts.labelSelector, opts.fieldSelector)
    const current = this.ctx.store.currentRV()
    if (this.def.computed) return { items: this.computedObjects(namespace).filter((s) => pred.empty || pred.matches(s.obj)), resourceVersion: current }
    const ns = this.def.namespaced ? namespace : undefined
    const match = opts.resourceVersionMatch ?? ''
    const paged = (opts.limit ?? 0) > 0
    let requested: number | undefined
    if (opts.resourceVersion) {
      // Any uint64 parses (ParseResourceVersion); past 2^53 the number is inexact but newer than anything stored.
      requested = Number(opts.resourceVersion)
      if (!isUint64(opts.resourceVersion))
        throw StatusError.badRequest(`Invalid value: "${opts.resourceVersion}": resourceVersion must be a non-negative integer`)
    }
    let startKey: string | undefined
    let at: number | undefined
    if (opts.continue) {
      if (requested) throw StatusError.badRequest('specifying resource version is not allowed when using continue')
      const tok = decodeContinue(opts.continue)
      startKey = tok.start
      // rv -1 is the token handed out after a compaction: continue at the newest state.
      if (tok.rv > 0) at = tok.rv
    } else if (requested) {
      if (match === 'Exact' || (match === '' && paged)) at = requested
      // The watch cache waits for a fresh enough state and then asks to retry; a paged
      // NotOlderThan list goes to etcd, which answers at once without a retry hint.
      else if (requested > current) throw tooLargeResourceVersion(String(opts.resourceVersion), current, paged ? 0 : 1)
    }
    let all: StoredObject[]
    let listRV = current
    const snapshot = at !== undefined && startKey !== undefined ? this.pageSnapshot(`${ns ?? ''}|${at}`) : undefined
    if (at === undefined) {
      all = this.ctx.store.list(this.key, ns, startKey)
    } else if (snapshot) {
      all = snapshot.slice(lowerBoundByKey(snapshot, startKey!))
      listRV = at
    } else {
      if (at > current) throw new StatusError(500, '', 'etcdserver: mvcc: required revision is a future revision')
      try {
        all = this.ctx.store.listAt(this.key, ns, at, startKey)
      } catch (err) {
        if (!(err instanceof StoreError && err.code === 'Expired')) throw err
        if (!opts.continue) throw StatusError.expired('The resourceVersion for the provided list is too old.')
        const expired = StatusError.expired(inconsistentContinue)
        expired.status.metadata.continue = encodeContinue(-1, startKey!)
        throw expired
      }
      listRV = at
    }
    const limit = opts.resourceVersion === '0' && !opts.continue ? 0 : (opts.limit ?? 0)
    const items: StoredObject[] = []
    // The store started the list at startKey already.
    for (let i = 0; i < all.length; i++) {
      const s = all[i]
      if (!pred.empty && !pred.matches(s.obj)) continue
      if (limit > 0 && items.length === limit) {
        // The next pages read this state again: keep it, as etcd keeps old revisions until compaction.
        this.keepPageSnapshot(`${ns ?? ''}|${listRV}`, opts.continue ? undefined : all)
        const last = items[items.length - 1].obj
        const res: ListResult = { items, resourceVersion: listRV, continue: encodeContinue(listRV, `${objectKey(last)}\u0000`) }
        if (pred.empty) res.remainingItemCount = all.length - i
        return res
      }
      items.push(s)
    }
    return { items, resourceVersion: listRV }
  }

  /**
   * Streams changes to `emit`. With no resourceVersion (or "0") the current state comes first as
   * ADDED events; with N only changes after N. Returns the unsubscribe function.
   */
  watch(namespace: string | undefined, opts: WatchOptions, emit: (ev: WatchEventOut) => void): { stop: () => void; initialRV: number } {
    const pred = this.predicate(opts.labelSelector, opts.fieldSelector)
    const ns = this.def.namespaced ? namespace : undefined
    const rvParam = opts.resourceVersion
    const current = this.ctx.store.currentRV()
    let since: number
    const initial = opts.sendInitialEvents ?? (!rvParam || rvParam === '0')
    if (initial) {
      since = current
      for (const s of this.ctx.store.list(this.key, ns)) if (pred.empty || pred.matches(s.obj)) emit({ type: 'ADDED', stored: s })
    } else {
      since = Number(rvParam)
      if (!Number.isInteger(since) || since < 0) throw StatusError.badRequest(`invalid resource version: ${rvParam}`)
    }
    // A watch from a resourceVersion the store has not reached yet waits for it: the cache
    // watcher passes on only events newer than the one asked for (no error, unlike a list).
    const after = since
    const listener = (ev: StoreEvent) => {
      if (ev.rv <= after) return
      const out = this.filterEvent(ev, pred)
      if (out) emit(out)
    }
    try {
      const stop = this.ctx.store.watch(this.key, ns, Math.min(since, current), listener)
      return { stop, initialRV: Math.max(current, since) }
    } catch (err) {
      if (err instanceof StoreError && err.code === 'Expired') throw StatusError.expired(err.message)
      throw err
    }
  }

  /** Turns a store event into what a filtered watcher sees (ADDED/DELETED when objects enter or leave the selection). */
  private filterEvent(ev: StoreEvent, pred: Predicate): WatchEventOut | undefined {
    if (pred.empty) return { type: ev.type, stored: ev.stored }
    if (ev.type === 'ADDED') return pred.matches(ev.stored.obj) ? { type: 'ADDED', stored: ev.stored } : undefined
    if (ev.type === 'DELETED') return pred.matches(ev.prev!.obj) ? { type: 'DELETED', stored: ev.stored } : undefined
    const now = pred.matches(ev.stored.obj)
    const before = ev.prev ? pred.matches(ev.prev.obj) : false
    if (now && before) return { type: 'MODIFIED', stored: ev.stored }
    if (now) return { type: 'ADDED', stored: ev.stored }
    if (before) {
      const last = { ...ev.prev!.obj, metadata: { ...ev.prev!.obj.metadata, resourceVersion: String(ev.rv) } }
      return { type: 'DELETED', stored: serialize(last, ev.rv) }
    }
    return undefined
  }

  // ---------------------------------------------------------------- create

  /** Create: system metadata → generateName → defaults → prepareForCreate → validate → admission → store. */
  async create(namespace: string, obj: T, opts: WriteOptions = {}): Promise<StoredObject> {
    // Only a kind with a `load` waits: the others reach the store in the caller's turn, as before.
    if (this.def.load && this.loading !== true) await this.loaded()
    const ctx = opts.user ? { ...this.ctx.hookContext(), user: opts.user } : this.ctx.hookContext()
    const o = this.normalize(obj)
    const meta = o.metadata
    if (this.def.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw StatusError.badRequest('the namespace of the provided object does not match the namespace sent on the request')
      }
      meta.namespace = namespace || meta.namespace
    } else {
      delete meta.namespace
    }
    if (!opts.trusted && meta.resourceVersion) throw StatusError.badRequest('resourceVersion should not be set on objects to be created')
    const generated = !meta.name && !!meta.generateName
    const prefix = generated ? (meta.generateName!.length > 58 ? meta.generateName!.slice(0, 58) : meta.generateName!) : ''
    const names = this.ctx.names ?? randomNames
    if (generated) meta.name = prefix + names.suffix(prefix)
    if (!opts.trusted || !meta.uid) meta.uid = randomUUID()
    if (!opts.trusted || !meta.creationTimestamp) meta.creationTimestamp = rfc3339(this.ctx.now())
    delete meta.resourceVersion
    delete (meta as { selfLink?: string }).selfLink
    if (!opts.trusted) {
      delete meta.deletionTimestamp
      delete meta.deletionGracePeriodSeconds
    }
    if (this.def.hasGeneration) meta.generation = opts.trusted && meta.generation ? meta.generation : 1
    else delete meta.generation
    this.def.applyDefaults?.(o, ctx)
    if (this.tracksFields(opts)) trackUpdate(this.fieldScope(), undefined, o, opts.fieldManager!)
    const admission = opts.trusted ? undefined : this.ctx.admission
    const attrs: AdmissionAttributes | undefined = admission && {
      operation: 'CREATE',
      resource: this.ref,
      kind: this.def.kind,
      namespace: meta.namespace ?? '',
      name: generated ? '' : (meta.name ?? ''),
      ...(opts.requestVersion ? { version: opts.requestVersion } : {}),
      obj: o,
      dryRun: !!opts.dryRun,
      user: opts.user,
      options: writeOptions('CreateOptions', opts),
      warnings: opts.warnings,
    }
    if (attrs) await admission!.admit(attrs)
    if (!opts.trusted) this.def.prepareForCreate?.(o, ctx)
    this.ctx.normalize(o)
    if (!opts.trusted) {
      const errs = [...this.metaErrors(o), ...(this.def.validate?.(o) ?? []), ...(this.def.validateCreate?.(o) ?? [])]
      if (errs.length) throw StatusError.invalid(this.def.kind, this.def.group, meta.name ?? '', errs)
    }
    if (this.def.namespaced && !opts.trusted) this.ctx.checkNamespace(meta.namespace ?? '', this.ref, meta.name ?? '', 'create')
    if (attrs) await admission!.validate({ ...attrs, name: meta.name ?? '' })
    if (opts.dryRun) {
      if (this.ctx.store.get(this.key, meta.namespace ?? '', meta.name ?? '')) throw StatusError.alreadyExists(this.ref, meta.name ?? '')
      return serialize(o, this.ctx.store.currentRV())
    }
    // RetryGenerateName (GA in 1.32): a generated name that is taken is drawn again, 8 attempts in all.
    for (let attempt = 1; ; attempt++) {
      try {
        const s = await this.ctx.store.create(this.key, o, { compact: this.def.compactStorage, parsed: this.def.parsedStorage })
        this.def.afterCreate?.(s.obj as T)
        return s
      } catch (err) {
        if (!(err instanceof StoreError && err.code === 'AlreadyExists')) throw err
        if (!generated || attempt >= maxGenerateNameAttempts) throw StatusError.alreadyExists(this.ref, meta.name ?? '')
        meta.name = prefix + names.suffix(prefix)
      }
    }
  }

  private metaErrors(o: T): FieldError[] {
    const validateName = this.def.validateName
    return validateObjectMeta(o.metadata, { namespaced: this.def.namespaced, ...(validateName ? { nameFn: (n) => validateName(n, o) } : {}) })
  }

  /**
   * Puts kind and apiVersion first (so list items can be cut from the stored bytes) and fills them
   * in. metadata is copied: the write stamps it, and a caller's object may share it with a stored
   * version (`{ ...stored.obj, spec }`), which must never change.
   */
  private normalize(obj: T): T {
    const { kind: _k, apiVersion: _a, metadata, ...rest } = obj
    return { kind: this.def.kind, apiVersion: this.apiVersion, metadata: { ...metadata }, ...rest } as unknown as T
  }

  /** The definition's `load`, once (true when done); see ResourceDefinition.load. */
  private loading: Promise<unknown> | true | undefined

  private async loaded(): Promise<void> {
    await (this.loading ??= this.def.load!())
    this.loading = true
  }

  // ---------------------------------------------------------------- update

  /** PUT: replace with `obj`; a set resourceVersion must match (else Conflict). */
  async update(namespace: string, name: string, obj: T, opts: WriteOptions = {}): Promise<StoredObject> {
    // The draft is ignored, so it need not be a deep copy.
    return await this.guaranteedUpdate(namespace, name, () => obj, { ...opts, shallow: true })
  }

  /**
   * Read-modify-write with compare-and-swap, retried on races (GuaranteedUpdate). `tryUpdate`
   * receives a private copy of the current object and returns the desired one; a resourceVersion it
   * leaves set is a precondition. Writes that change nothing are skipped.
   */
  async guaranteedUpdate(namespace: string, name: string, tryUpdate: (current: T) => T, opts: WriteOptions = {}): Promise<StoredObject> {
    // Only a kind with a `load` waits: the others reach the store in the caller's turn, as before.
    if (this.def.load && this.loading !== true) await this.loaded()
    const ns = this.def.namespaced ? namespace : ''
    for (let attempt = 0; ; attempt++) {
      const cur = this.ctx.store.get(this.key, ns, name)
      if (!cur) throw StatusError.notFound(this.ref, name)
      const old = cur.obj as T
      const draft = opts.shallow ? ({ ...old, metadata: { ...old.metadata } } as T) : (JSON.parse(cur.json) as T)
      const next = this.normalize(tryUpdate(draft))
      const pinned = next.metadata?.resourceVersion
      if (pinned && pinned !== String(cur.rv)) throw StatusError.conflict(this.ref, name)
      const pending = this.prepareUpdate(ns, name, next, old, opts)
      const prepared = pending instanceof Promise ? await pending : pending
      if (prepared === undefined) return cur
      if (this.admitsUpdate(opts)) await this.ctx.admission!.validate(this.updateAttributes(ns, name, prepared, old, opts))
      if (opts.dryRun) return serialize(prepared, cur.rv)
      try {
        if (shouldDeleteDuringUpdate(prepared) && !this.def.holdsDeletion?.(prepared)) return await this.ctx.store.delete(this.key, ns, name, cur.rv)
        return await this.ctx.store.update(this.key, prepared, cur.rv, { compact: this.def.compactStorage, parsed: this.def.parsedStorage })
      } catch (err) {
        if (err instanceof StoreError && err.code === 'Conflict') {
          // Someone wrote in between (over etcd, another process): read it again and re-apply, as
          // upstream's GuaranteedUpdate does. A caller's pinned resourceVersion then no longer
          // matches and fails above with the Conflict it should.
          if (attempt >= maxUpdateRetries) throw StatusError.conflict(this.ref, name)
          continue
        }
        if (err instanceof StoreError && err.code === 'NotFound') throw StatusError.notFound(this.ref, name)
        throw err
      }
    }
  }

  /**
   * Runs the update hooks; returns undefined when the result equals the stored object. Synchronous
   * unless admission runs: in-process writers (the event recorder's count-ups, the kubelet) must
   * reach the store in the same turn, or a second write would read the object before the first
   * lands.
   */
  private prepareUpdate(ns: string, name: string, next: T, old: T, opts: WriteOptions): T | undefined | Promise<T | undefined> {
    const ctx = this.ctx.hookContext()
    const meta = next.metadata
    if (meta.name !== undefined && meta.name !== name) {
      throw StatusError.badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`)
    }
    if (this.def.namespaced && meta.namespace && meta.namespace !== ns) {
      throw StatusError.badRequest('the namespace of the provided object does not match the namespace sent on the request')
    }
    meta.name = name
    if (this.def.namespaced) meta.namespace = ns
    else delete meta.namespace
    // System fields are owned by the server.
    const om = old.metadata
    meta.uid = om.uid
    meta.creationTimestamp = om.creationTimestamp
    if (om.deletionTimestamp) {
      meta.deletionTimestamp = om.deletionTimestamp
      meta.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds
    } else {
      delete meta.deletionTimestamp
      delete meta.deletionGracePeriodSeconds
    }
    if (this.def.hasGeneration) meta.generation = om.generation
    else delete meta.generation
    delete (meta as { selfLink?: string }).selfLink

    let o = next
    const subStrategy = opts.subresource && opts.subresource !== 'status' ? this.def.subresourceStrategies?.[opts.subresource] : undefined
    const phase = opts.direct ? 'direct' : opts.subresource === 'status' ? 'status' : subStrategy ? 'subresource' : 'main'
    if (phase === 'main') this.def.applyDefaults?.(o, ctx)
    // The writer's fields, from the object as sent (and defaulted), before the strategy resets any.
    const tracked = phase !== 'direct' && this.tracksFields(opts)
    if (tracked) trackUpdate(this.fieldScope(opts.subresource), old, o, opts.fieldManager!)
    else if (!opts.trusted && meta.managedFields === undefined && om.managedFields) meta.managedFields = om.managedFields
    const managedFields = meta.managedFields
    const finish = (): T | undefined => {
      if (phase === 'status') {
        if (this.def.prepareForStatusUpdate) this.def.prepareForStatusUpdate(o, old, ctx)
        // Only status is taken from the request, and only status is normalized below: the rest can
        // be the stored version's own (immutable) values, with a metadata of its own.
        else o = { ...old, metadata: { ...old.metadata }, status: (next as { status?: unknown }).status } as T
        o.metadata.resourceVersion = om.resourceVersion
      } else if (phase === 'subresource') {
        subStrategy!.prepareForUpdate(o, old, ctx)
      } else if (phase === 'main') {
        if (this.def.prepareForUpdate) this.def.prepareForUpdate(o, old, ctx)
        else if (this.hasStatus) (o as { status?: unknown }).status = cloneJSON((old as { status?: unknown }).status)
      }
      // Strategies that take metadata from the stored object keep the fields just tracked (or applied).
      if (tracked || opts.managedFieldsSet) {
        if (managedFields) o.metadata.managedFields = managedFields
        else delete o.metadata.managedFields
      }
      return this.finishUpdate(name, o, old, om, opts, subStrategy)
    }
    // The caller's object is final for direct writes (a storage-level GuaranteedUpdate in upstream's subresource REST).
    if ((phase === 'status' || phase === 'main') && this.admitsUpdate(opts)) {
      return this.ctx.admission!.admit(this.updateAttributes(ns, name, o, old, opts)).then(finish)
    }
    return finish()
  }

  /** prepareUpdate's second half, after the mutating admission: normalize, generation, validation, no-op check. */
  private finishUpdate(name: string, o: T, old: T, om: T['metadata'], opts: WriteOptions, subStrategy: SubresourceStrategy<T> | undefined): T | undefined {
    this.ctx.normalize(o, opts.subresource === 'status' ? 'status' : undefined, old)
    // Status writes never bump generation (status strategies keep the old generation).
    if (this.def.hasGeneration && opts.subresource !== 'status') {
      const fields = this.def.generationFields ?? ((x: T) => (x as { spec?: unknown }).spec)
      if (!deepEqual(fields(o), fields(old))) o.metadata.generation = (om.generation ?? 0) + 1
    }
    if (!opts.trusted && !opts.direct) {
      // A /status write cannot change the spec, so only metadata (when it changed) and status are
      // validated (ValidateXStatusUpdate); this is the kubelet's hot path.
      const metaChanged = opts.subresource !== 'status' || !deepEqual({ ...o.metadata, resourceVersion: undefined }, { ...om, resourceVersion: undefined })
      const metaErrs = metaChanged ? [...this.metaErrors(o), ...this.immutableMetaErrors(o, old)] : []
      const errs =
        opts.subresource === 'status'
          ? [...metaErrs, ...(this.def.validateStatusUpdate?.(o, old) ?? [])]
          : subStrategy
            ? [...metaErrs, ...(subStrategy.validateUpdate?.(o, old) ?? [])]
            : [...metaErrs, ...(this.def.validate?.(o) ?? []), ...(this.def.validateUpdate?.(o, old) ?? [])]
      if (errs.length) throw StatusError.invalid(this.def.kind, this.def.group, name, errs)
    }
    const { resourceVersion: _r, ...newMeta } = o.metadata
    const { resourceVersion: _o, ...oldMeta } = om
    if (deepEqual({ ...o, metadata: newMeta }, { ...old, metadata: oldMeta })) return undefined
    return o
  }

  /**
   * Untrusted spec updates pass admission; direct and trusted writes do not, and /status writes (the
   * kubelet's hot path) only while a plugin wants every write (webhook configurations exist).
   */
  private admitsUpdate(opts: WriteOptions): boolean {
    const chain = this.ctx.admission
    return !!chain && !opts.trusted && !opts.direct && (opts.subresource !== 'status' || chain.everyWrite())
  }

  private updateAttributes(ns: string, name: string, obj: T, old: T, opts: WriteOptions): AdmissionAttributes {
    return {
      operation: 'UPDATE',
      resource: this.ref,
      kind: this.def.kind,
      namespace: ns,
      name,
      ...(opts.requestVersion ? { version: opts.requestVersion } : {}),
      obj,
      old,
      dryRun: !!opts.dryRun,
      subresource: opts.subresource,
      user: opts.user,
      options: writeOptions('UpdateOptions', opts),
      warnings: opts.warnings,
    }
  }

  private immutableMetaErrors(o: T, old: T): FieldError[] {
    const errs: FieldError[] = []
    if (old.metadata.deletionTimestamp) {
      const added = (o.metadata.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f))
      if (added.length)
        errs.push({
          type: 'FieldValueForbidden',
          field: 'metadata.finalizers',
          detail: `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
        })
    }
    return errs
  }

  // ---------------------------------------------------------------- server-side apply

  /**
   * Server-side apply (PATCH application/apply-patch+yaml): merges `patch` into the object as
   * `opts.fieldManager`'s fields, creating the object when it does not exist (not through a
   * subresource). Conflicts with other managers fail with 409 unless `opts.force`.
   */
  async apply(namespace: string, name: string, patch: Record<string, unknown>, opts: ApplyOptions): Promise<{ stored: StoredObject; created: boolean }> {
    const ns = this.def.namespaced ? namespace : ''
    const scope = this.fieldScope(opts.subresource)
    const where = { namespace: ns, name }
    const write = { ...opts, managedFieldsSet: true }
    if (!opts.subresource && !this.ctx.store.get(this.key, ns, name)) {
      // applyPatch in handlers/patch.go: a uid names an object that must exist.
      const uid = (patch.metadata as { uid?: unknown } | undefined)?.uid
      if (typeof uid === 'string' && uid) {
        throw StatusError.conflict(this.ref, name, `uid mismatch: the provided object specified uid ${uid}, and no existing object was found`)
      }
      const obj = applyPatch(scope, undefined, patch, opts.fieldManager, !!opts.force, where) as T
      const given = obj.metadata.name
      if (given !== undefined && given !== name) throw StatusError.badRequest(`the name of the object (${given}) does not match the name on the URL (${name})`)
      obj.metadata.name = name
      try {
        return { stored: await this.create(namespace, obj, write), created: true }
      } catch (err) {
        // Created meanwhile: apply to what is there.
        if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err
      }
    }
    const stored = await this.guaranteedUpdate(
      namespace,
      name,
      (current) => applyPatch(scope, current, patch, opts.fieldManager, !!opts.force, where) as T,
      write,
    )
    return { stored, created: false }
  }

  /** Whether a write records its writer in managedFields: named, untrusted writes that did not compute them already. */
  protected tracksFields(opts: WriteOptions): boolean {
    return opts.fieldManager !== undefined && !opts.trusted && !opts.managedFieldsSet
  }

  // Made by the first tracked write.
  private fieldScopes: Map<string, FieldManagerScope> | undefined

  /** The field manager of the main resource or one subresource (reset fields as the strategies' GetResetFields). */
  fieldScope(subresource?: string): FieldManagerScope {
    const id = subresource ?? ''
    let scope = this.fieldScopes?.get(id)
    if (!scope) {
      const reset = subresource === 'status' ? 'spec' : !subresource && this.hasStatus ? 'status' : undefined
      const def = this.def
      scope = {
        // Looked up per write: a CRD update may replace the schema.
        get updater() {
          return updaterFor(def)
        },
        apiVersion: this.apiVersion,
        kind: this.def.kind,
        ...(subresource ? { subresource } : {}),
        ...(reset ? { ignored: resetFields[reset] } : {}),
        now: () => rfc3339(this.ctx.now()),
      }
      ;(this.fieldScopes ??= new Map()).set(id, scope)
    }
    return scope
  }

  // ---------------------------------------------------------------- delete

  /** Graceful deletion with finalizers, preconditions and propagation policy (registry Store.Delete). */
  async delete(namespace: string, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    const ns = this.def.namespaced ? namespace : ''
    for (let attempt = 0; ; attempt++) {
      const cur = this.ctx.store.get(this.key, ns, name)
      if (!cur) throw StatusError.notFound(this.ref, name)
      const current = cur.obj as T
      const refused = this.def.admitDelete?.(current)
      if (refused) throw StatusError.forbidden(this.ref, name, refused)
      if (attempt === 0) await this.admitDelete(ns, name, current, opts)
      // Deletion changes metadata only (and a strategy's prepareForDeletion replaces a top-level
      // field), so a copy of those two levels is enough: nested values stay shared with the
      // stored version, which nothing mutates.
      const obj = { ...current, metadata: { ...current.metadata } }
      const pre = opts.preconditions
      if (pre?.uid && pre.uid !== obj.metadata.uid) {
        throw StatusError.conflict(this.ref, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`)
      }
      if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
        throw StatusError.conflict(
          this.ref,
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
        )
      }
      if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 1
      const grace = this.def.gracePeriod ? this.def.gracePeriod(obj, opts.gracePeriodSeconds) : 0
      const finalizers = new Set(obj.metadata.finalizers ?? [])
      const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : opts.orphanDependents === false ? 'Background' : undefined)
      if (policy === 'Orphan') {
        finalizers.add('orphan')
        finalizers.delete('foregroundDeletion')
      } else if (policy === 'Foreground') {
        finalizers.add('foregroundDeletion')
        finalizers.delete('orphan')
      } else if (policy === 'Background') {
        finalizers.delete('orphan')
        finalizers.delete('foregroundDeletion')
      }
      const now = this.ctx.now()
      let marked: T | undefined
      const held = this.def.holdsDeletion?.(obj) ?? false
      if (finalizers.size > 0 || grace > 0 || held) {
        const meta = obj.metadata
        meta.finalizers = [...finalizers]
        if (meta.finalizers.length === 0) delete meta.finalizers
        if (!meta.deletionTimestamp) {
          meta.deletionTimestamp = rfc3339(now + grace * 1000)
          meta.deletionGracePeriodSeconds = grace
          if (meta.generation && meta.generation > 0) meta.generation++
          this.def.prepareForDeletion?.(obj)
          marked = obj
        } else if (grace < (meta.deletionGracePeriodSeconds ?? 0)) {
          // A shorter grace period moves the deadline forward (never back).
          meta.deletionTimestamp = rfc3339(now + grace * 1000)
          meta.deletionGracePeriodSeconds = grace
          marked = obj
        } else if (!deepEqual(meta.finalizers ?? [], current.metadata.finalizers ?? [])) {
          marked = obj
        }
        if (marked && grace === 0 && finalizers.size === 0 && !held) marked = undefined
        else if (!marked) return { stored: cur, outcome: 'pending' }
      }
      try {
        if (marked) {
          if (opts.dryRun) return { stored: serialize(marked, cur.rv), outcome: 'pending' }
          return {
            stored: await this.ctx.store.update(this.key, marked, cur.rv, { deleting: true, compact: this.def.compactStorage, parsed: this.def.parsedStorage }),
            outcome: 'pending',
          }
        }
        if (opts.dryRun) return { stored: cur, outcome: 'deleted' }
        return { stored: await this.ctx.store.delete(this.key, ns, name, cur.rv), outcome: 'deleted' }
      } catch (err) {
        if (err instanceof StoreError && err.code === 'Conflict' && attempt < maxUpdateRetries) continue
        if (err instanceof StoreError && err.code === 'NotFound') throw StatusError.notFound(this.ref, name)
        throw err
      }
    }
  }

  /**
   * DELETE admission while some plugin wants it (webhooks): mutating plugins see no object, the
   * validating ones the object deleted, as upstream's DeleteResource handler and the store's
   * deleteValidation hand them.
   */
  private async admitDelete(ns: string, name: string, current: T, opts: DeleteOptions): Promise<void> {
    const chain = this.ctx.admission
    if (!chain?.everyWrite()) return
    const options: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1' }
    if (opts.gracePeriodSeconds !== undefined) options.gracePeriodSeconds = opts.gracePeriodSeconds
    if (opts.preconditions) options.preconditions = opts.preconditions
    if (opts.orphanDependents !== undefined) options.orphanDependents = opts.orphanDependents
    if (opts.propagationPolicy) options.propagationPolicy = opts.propagationPolicy
    if (opts.dryRun) options.dryRun = ['All']
    const base = {
      operation: 'DELETE' as const,
      resource: this.ref,
      kind: this.def.kind,
      namespace: ns,
      name,
      ...(opts.requestVersion ? { version: opts.requestVersion } : {}),
      obj: current,
      dryRun: !!opts.dryRun,
    }
    const attrs = { ...base, user: opts.user, options, warnings: opts.warnings }
    await chain.admit(attrs)
    await chain.validate({ ...attrs, old: current })
  }

  /** DELETE on a collection: every object matching the list options, deleted one by one. */
  async deleteCollection(namespace: string | undefined, listOpts: ListOptions, opts: DeleteOptions): Promise<DeleteResult[]> {
    const { items } = this.list(namespace, { ...listOpts, limit: 0, continue: undefined })
    const out: DeleteResult[] = []
    for (const s of items) {
      try {
        out.push(await this.delete(s.obj.metadata.namespace ?? '', s.obj.metadata.name ?? '', { ...opts }))
      } catch (err) {
        if (err instanceof StatusError && err.code === 404) continue
        throw err
      }
    }
    return out
  }
}

/** The CreateOptions / UpdateOptions admission hands to webhooks (the request's dryRun and fieldManager). */
function writeOptions(kind: 'CreateOptions' | 'UpdateOptions', opts: WriteOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { kind, apiVersion: 'meta.k8s.io/v1' }
  if (opts.dryRun) out.dryRun = ['All']
  if (opts.fieldManager) out.fieldManager = opts.fieldManager
  return out
}

/** An object whose deletion is due and that holds no finalizers leaves storage on update. */
function shouldDeleteDuringUpdate(o: KubeObject): boolean {
  const m = o.metadata
  return !!m.deletionTimestamp && (m.finalizers?.length ?? 0) === 0 && (m.deletionGracePeriodSeconds ?? 0) === 0
}

function objectKey(o: KubeObject): string {
  const ns = o.metadata.namespace
  return ns ? `${ns}/${o.metadata.name}` : (o.metadata.name ?? '')
}

/** The continue token as the real server shapes it: base64 of {"v","rv","start"}. */
/** etcd3's text when a continue token's resourceVersion has been compacted away. */
const inconsistentContinue =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.'

/** strconv.ParseUint(s, 10, 64) succeeds: decimal digits, below 2^64. */
function isUint64(s: string): boolean {
  return /^[0-9]+$/.test(s) && BigInt(s) < 2n ** 64n
}

/** storage.NewTooLargeResourceVersionError: 504 Timeout with the ResourceVersionTooLarge cause. */
function tooLargeResourceVersion(want: string, current: number, retryAfterSeconds: number): StatusError {
  return StatusError.timeout(
    `Timeout: Too large resource version: ${want}, current: ${current}`,
    [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds,
  )
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64')
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { v?: string; rv?: number; start?: string }
    if (t.v !== 'meta.k8s.io/v1') throw new Error('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)')
    if (typeof t.start !== 'string' || !t.start) throw new Error('continue key is not valid: encoded start key empty')
    return { rv: Number(t.rv ?? 0), start: t.start }
  } catch (err) {
    const msg = err instanceof Error && err.message.startsWith('continue key') ? err.message : `continue key is not valid: ${(err as Error).message}`
    throw StatusError.badRequest(msg)
  }
}

/** A ResourceStore of any object type, for maps that hold every kind (see AnyResourceDefinition). */
// biome-ignore lint/suspicious/noExplicitAny: hook parameters are contravariant, so a map of kinds needs any.
export type AnyResourceStore = ResourceStore<any>
