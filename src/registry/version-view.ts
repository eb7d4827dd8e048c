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

  override async create(namespace: string, obj: T, opts: WriteOptions = {}): Promise<StoredObject> {
    return this.out(await this.storage.create(namespace, this.in(obj), opts))
  }

  override async update(namespace: string, name: string, obj: T, opts: WriteOptions = {}): Promise<StoredObject> {
    return this.out(await this.storage.update(namespace, name, this.in(obj), opts))
  }

  override async guaranteedUpdate(namespace: string, name: string, tryUpdate: (current: T) => T, opts: WriteOptions = {}): Promise<StoredObject> {
    // The draft handed on is always a private copy (conversion builds new objects), so `shallow` is moot.
    const convert = (cur: T) => this.in(tryUpdate(this.conversion.fromStorage(cur) as T))
    return this.out(await this.storage.guaranteedUpdate(namespace, name, convert, opts))
  }

  override async delete(namespace: string, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    const r = await this.storage.delete(namespace, name, opts)
    return { ...r, stored: this.out(r.stored) }
  }

  override async deleteCollection(namespace: string | undefined, listOpts: ListOptions, opts: DeleteOptions): Promise<DeleteResult[]> {
    const rs = await this.storage.deleteCollection(namespace, listOpts, opts)
    return rs.map((r) => ({ ...r, stored: this.out(r.stored) }))
  }
}

/** The storage definition as served at another version: same hooks, this version's name; rows print the storage form. */
function viewDefinition<T extends KubeObject>(def: ResourceDefinition<T>, conv: VersionConversion): ResourceDefinition<T> {
  const { row, rowConditions } = def
  return {
    ...def,
    version: conv.version,
    servedVersions: undefined,
    ...(row ? { row: (o: T, now: Date) => row(conv.toStorage(o) as T, now) } : {}),
    ...(rowConditions ? { rowConditions: (o: T) => rowConditions(conv.toStorage(o) as T) } : {}),
    ...(conv.overrides as Partial<ResourceDefinition<T>> | undefined),
  }
}
