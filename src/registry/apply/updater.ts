/**
 * @module updater: the seam between server-side apply's two halves, after
 * sigs.k8s.io/structured-merge-diff/v4 (merge.Updater, fieldpath.Set, fieldpath.VersionedSet) and
 * k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager (managedFields on objects). This file holds
 * only the contract: the implementation lives beside it (updater-for.ts → create-updater.ts over
 * field-set.ts, schema.ts, compare.ts, merge.ts, remove-items.ts), the managedFields bookkeeping in
 * the registry's write pipeline.
 */

/** A set of field paths, as smd's fieldpath.Set. Immutable: every operation returns a new set. */
export interface FieldSet {
  /** The `fieldsV1` JSON of metadata.managedFields (`{"f:spec":{"f:replicas":{}}}`, `k:{…}`, `v:…`, `i:N`, `.`). */
  toFieldsV1(): Record<string, unknown>
  isEmpty(): boolean
  has(path: string): boolean
  union(other: FieldSet): FieldSet
  difference(other: FieldSet): FieldSet
  intersection(other: FieldSet): FieldSet
  equals(other: FieldSet): boolean
  /**
   * Every member path in smd's string form (`.spec.replicas`, `.spec.containers[name="nginx"].image`),
   * in upstream's Set.Iterate order, which conflicts are listed in: each level's members, then its children.
   */
  paths(): string[]
}

/** One manager's ownership at one apiVersion (fieldpath.VersionedSet). */
export interface VersionedSet {
  set: FieldSet
  /** The apiVersion the set was recorded at (`apps/v1`). */
  apiVersion: string
  /** Whether the entry came from an Apply (operation Apply) rather than an Update. */
  applied: boolean
}

/**
 * Ownership by manager identity. The key is opaque to the updater: the registry encodes manager,
 * operation and subresource into it (upstream's BuildManagerIdentifier JSON).
 */
export type Managers = Map<string, VersionedSet>

/** One field two managers want (merge.Conflict). */
export interface Conflict {
  /** The manager key of the current owner. */
  manager: string
  /** smd's path string: `.spec.replicas`. */
  path: string
}

/** Thrown by Updater.apply when `force` is false and the config sets fields another manager owns with a different value. */
export class ApplyConflicts extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super(`${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}`)
  }
}

/**
 * merge.Updater for one kind's schema. Objects are plain JSON (never mutated: results are new
 * objects). `metadata.managedFields` is not part of the objects it sees; the caller strips it.
 */
export interface Updater {
  /** Throws TypedValueError when an apply configuration does not fit the schema (what `apply` checks first). */
  validate(config: object): void
  /**
   * An Update operation (create, update, patch) by `manager`: the fields whose value changed from
   * `live` to `updated` become `manager`'s and are taken from their other owners. `live` is
   * undefined on create.
   */
  update(live: object | undefined, updated: object, apiVersion: string, managers: Managers, manager: string, ignored?: FieldSet): Managers
  /**
   * An Apply by `manager`: merges `config` into `live` by the schema's list and map types, removes
   * the fields `manager` applied before and no longer applies (unless another manager owns them),
   * and records exactly `config`'s fields as `manager`'s. Throws ApplyConflicts unless `force`;
   * with `force` the conflicting fields move to `manager`. `object` is always a fresh copy the
   * caller may mutate; `unchanged` says it equals `live` (a no-op apply, which need not be written).
   * `ignored` (both operations) holds fields the endpoint resets (the strategy's GetResetFields,
   * e.g. `.status` of a main resource): no manager gains or loses them.
   */
  apply(
    live: object | undefined,
    config: object,
    apiVersion: string,
    managers: Managers,
    manager: string,
    force: boolean,
    ignored?: FieldSet,
  ): { object: object; managers: Managers; unchanged?: boolean }
}
