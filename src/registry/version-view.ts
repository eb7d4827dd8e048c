/**
 * @module version-view: one more served version of a kind whose objects are stored in another
 * (autoscaling/v1 HorizontalPodAutoscalers over the autoscaling/v2 storage), as the apiserver's
 * codec converts between a request's version and the storage version. Kinds with one version
 * never pass through here, so their hot paths are unchanged.
 */
import type { StoredObject } from '../store/object-store.js'
import { serialize } from '../store/object-store.js'
import type { KubeObject } from '../types.js'
import {
  ResourceStore,
  type DeleteOptions,
  type DeleteResult,
  type ListOptions,
  type ListResult,
  type RegistryContext,
  type WatchEventOut,
  type WatchOptions,
  type WriteOptions,
} from './generic-registry.js'
import type { ResourceDefinition, VersionConversion } from './resource-definition.js'
import { trackUpdate } from './apply/field-manager.js'

/**
 * A ResourceStore for `conversion.version` that reads and writes through the storage version's
 * store: objects are converted out on every read (get, list items, watch events, write results)
 * and converted in before every write, so the storage hooks, validation and stored bytes are
 * the storage version's. Tables print the storage form, as upstream prints the internal one.
 */
export class ResourceVersionView<T extends KubeObject = KubeObject> extends ResourceStore<T> {
  /** The version objects are stored in (discovery's storageVersionHash names it). */
  readonly storageVersion: string

  constructor(
    private readonly storage: ResourceStore<T>,
    private readonly conversion: VersionConversion,
    ctx: RegistryContext,
  ) {
    super(viewDefinition(storage.def, conversion), ctx)
    this.storageVersion = storage.def.version
    if (conversion.convert) this.convertOut = (items) => this.outAsync(items)
  }

  /** The storage version's store this view reads and writes through. */
  get parent(): ResourceStore<T> {
    return this.storage
  }

  /** The object as this version shows it, serialized at the stored resourceVersion. */
  private out(s: StoredObject): StoredObject {
    return serialize(this.conversion.fromStorage(s.obj), s.rv)
  }

  private in(obj: T): T {
    return this.conversion.toStorage(obj) as T
  }

  /** `group/version` of this view and of the storage. */
  private get apiVersions(): { own: string; storage: string } {
    const g = this.def.group
    return { own: g ? `${g}/${this.def.version}` : this.def.version, storage: g ? `${g}/${this.storageVersion}` : this.storageVersion }
  }

  /** Stored objects (storage version, or this version's rename) as this version shows them, through the converter. */
  private async outAsync(items: StoredObject[]): Promise<StoredObject[]> {
    const convert = this.conversion.convert!
    if (!items.length) return items
    // The storage form goes out: the webhook is told what is really stored.
    const storage = this.apiVersions.storage
    const objs = await convert(
      items.map((s) => ({ ...s.obj, apiVersion: storage })),
      this.apiVersions.own,
    )
    return objs.map((o, i) => serialize(o, items[i].rv))
  }

  /** A request's object in the storage version: through the converter when there is one. */
  private async inAsync(obj: T): Promise<T> {
    if (!this.conversion.convert) return this.in(obj)
    const [stored] = await this.conversion.convert([{ ...obj, apiVersion: this.apiVersions.own }], this.apiVersions.storage)
    return stored as T
  }

  /** A write's result as this version shows it. */
  private async outOne(s: StoredObject): Promise<StoredObject> {
    if (!this.conversion.convert) return this.out(s)
    return (await this.outAsync([s]))[0]
  }

  override getStored(namespace: string, name: string): StoredObject | undefined {
    const s = this.storage.getStored(namespace, name)
    return s && this.out(s)
  }

  override list(namespace: string | undefined, opts: ListOptions = {}): ListResult {
    const res = this.storage.list(namespace, opts)
    return { ...res, items: res.items.map((s) => this.out(s)) }
  }

  override watch(namespace: string | undefined, opts: WatchOptions, emit: (ev: WatchEventOut) => void): { stop: () => void; initialRV: number } {
    return this.storage.watch(namespace, opts, (ev) => emit({ type: ev.type, stored: this.out(ev.stored) }))
  }

  /** A write's options, naming this version as the request's (admission sees the version a request came in at). */
  private asRequested<O extends WriteOptions | DeleteOptions>(opts: O): O {
    return opts.requestVersion ? opts : { ...opts, requestVersion: this.def.version }
  }

  // Writes through this version record their fields at this version (structuredMergeManager
  // compares in the request's version), so the storage store is told they are set already.

  override async create(namespace: string, obj: T, options: WriteOptions = {}): Promise<StoredObject> {
    const opts = this.asRequested(options)
    if (!this.tracksFields(opts)) return this.outOne(await this.storage.create(namespace, await this.inAsync(obj), opts))
    const own = { ...obj, metadata: { ...obj.metadata } }
    trackUpdate(this.fieldScope(), undefined, own, opts.fieldManager!)
    return this.outOne(await this.storage.create(namespace, await this.inAsync(own), { ...opts, managedFieldsSet: true }))
  }

  override async update(namespace: string, name: string, obj: T, opts: WriteOptions = {}): Promise<StoredObject> {
    return await this.guaranteedUpdate(namespace, name, () => obj, opts)
  }

  /** tryUpdate's result, with the writer's fields tracked against `live` (both at this version) when the write records them. */
  private tracked(live: T, next: T, opts: WriteOptions): T {
    if (!this.tracksFields(opts) || opts.direct) return next
    const own = { ...next, metadata: { ...next.metadata } }
    trackUpdate(this.fieldScope(opts.subresource), live, own, opts.fieldManager!)
    return own
  }

  override async guaranteedUpdate(namespace: string, name: string, tryUpdate: (current: T) => T, options: WriteOptions = {}): Promise<StoredObject> {
    const opts = this.asRequested(options)
    const writeOpts: WriteOptions = this.tracksFields(opts) && !opts.direct ? { ...opts, managedFieldsSet: true } : opts
    if (!this.conversion.convert) {
      // The draft handed on is always a private copy (conversion builds new objects), so `shallow` is moot.
      const convert = (cur: T) => {
        const fromStorage = () => this.conversion.fromStorage(cur) as T
        return this.in(this.tracked(fromStorage(), tryUpdate(fromStorage()), opts))
      }
      return this.out(await this.storage.guaranteedUpdate(namespace, name, convert, writeOpts))
    }
    // tryUpdate is synchronous, the converter is not: convert the current object out and the result
    // in first, then write only if nothing changed meanwhile (else read again), as GuaranteedUpdate retries.
    for (let attempt = 0; ; attempt++) {
      const cur = this.storage.get(namespace, name)
      const [view] = await this.outAsync([cur])
      const next = await this.inAsync(this.tracked(JSON.parse(view.json) as T, tryUpdate(JSON.parse(view.json) as T), opts))
      let raced = false
      const written = await this.storage.guaranteedUpdate(
        namespace,
        name,
        (now) => {
          if (now.metadata.resourceVersion === String(cur.rv)) return next
          raced = true
          return now
        },
        { ...writeOpts, shallow: true },
      )
      if (!raced || attempt >= 5) return this.outOne(written)
    }
  }

  override async delete(namespace: string, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    const r = await this.storage.delete(namespace, name, this.asRequested(opts))
    return { ...r, stored: await this.outOne(r.stored) }
  }

  override async deleteCollection(namespace: string | undefined, listOpts: ListOptions, opts: DeleteOptions): Promise<DeleteResult[]> {
    const rs = await this.storage.deleteCollection(namespace, listOpts, opts)
    if (!this.conversion.convert) return rs.map((r) => ({ ...r, stored: this.out(r.stored) }))
    const out = await this.outAsync(rs.map((r) => r.stored))
    return rs.map((r, i) => ({ ...r, stored: out[i] }))
  }
}

/** The storage definition as served at another version: same hooks, this version's name; rows print the storage form. */
function viewDefinition<T extends KubeObject>(def: ResourceDefinition<T>, conv: VersionConversion): ResourceDefinition<T> {
  const { row, rowConditions } = def
  return {
    ...def,
    version: conv.version,
    servedVersions: undefined,
    storageVersionServed: undefined,
    ...(row ? { row: (o: T, now: Date) => row(conv.toStorage(o) as T, now) } : {}),
    ...(rowConditions ? { rowConditions: (o: T) => rowConditions(conv.toStorage(o) as T) } : {}),
    ...(conv.overrides as Partial<ResourceDefinition<T>> | undefined),
  }
}
