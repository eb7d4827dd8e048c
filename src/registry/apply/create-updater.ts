/**
 * @module create-updater: the Updater (merge.Updater) for one schema: Update moves changed fields
 * to their writer, Apply merges a configuration, prunes what its manager stopped applying and
 * reports conflicts. After
 * https://github.com/kubernetes-sigs/structured-merge-diff/blob/master/merge/update.go.
 */
import { deepEqual } from '../../util/deep-equal.js'
import { type Comparison, compare } from './compare.js'
import { FieldPathSet } from './field-set.js'
import { merge } from './merge.js'
import { reconcileFieldSetWithSchema } from './reconcile-schema.js'
import { ensureNamedFieldsAreMembers, removeItems } from './remove-items.js'
import type { Atom } from './schema.js'
import { toFieldSet } from './to-field-set.js'
import { validateTyped } from './validate.js'
import { ApplyConflicts, type Conflict, type FieldSet, type Managers, type Updater } from './updater.js'

/** Options of createUpdater. */
export interface UpdaterOptions {
  /**
   * The object a create compares against, as upstream compares with the kind's zero value
   * (`New(gvk)`): fields present in it (Go structs that are not pointers) are not "added" by a
   * create, which keeps `.spec` out of the creator's set. Default: `{}`.
   */
  emptyObject?: (apiVersion: string) => object
}

/**
 * The Updater of objects under `atom`. Throws TypedValueError (from list-items.ts) when an
 * object's associative lists cannot be keyed, or (apply) the configuration does not fit the
 * schema: a scalar of the wrong kind, a map or list where the other is due, a repeated key.
 */
export function createUpdater(atom: Atom, opts: UpdaterOptions = {}): Updater {
  const empty = opts.emptyObject ?? (() => ({}))
  // Sets already reconciled with this schema (decoded sets are shared across writes, see field-set.ts).
  const reconciled = new WeakMap<FieldPathSet, FieldPathSet>()

  // reconcileManagedFieldsWithSchemaChanges: sets recorded before the schema made a field atomic own it whole.
  function withSchema(managers: Managers): Managers {
    let out: Managers | undefined
    for (const [name, vs] of managers) {
      const set = asSet(vs.set)
      let r = reconciled.get(set)
      if (!r) {
        r = reconcileFieldSetWithSchema(set, atom) ?? set
        reconciled.set(set, r)
      }
      if (r !== set) (out ??= new Map(managers)).set(name, { ...vs, set: r })
    }
    return out ?? managers
  }

  // Updater.update: ownership moves with the change; with `force` false, conflicts throw instead.
  function reassign(
    live: unknown,
    updated: unknown,
    managers: Managers,
    manager: string,
    force: boolean,
    ignored: FieldSet | undefined,
  ): { managers: Managers; comparison: Comparison } {
    const c = excludeFields(compare(live, updated, atom), ignored)
    const changed = c.modified.union(c.added)
    const conflicts = new Map<string, FieldPathSet>()
    const out: Managers = new Map()
    for (const [name, vs] of managers) {
      if (name === manager) {
        out.set(name, vs)
        continue
      }
      const set = asSet(vs.set)
      const conflict = set.intersection(changed)
      if (!conflict.isEmpty()) conflicts.set(name, conflict)
      const kept = set.difference(conflict).difference(c.removed)
      if (!kept.isEmpty()) out.set(name, kept.equals(set) ? vs : { ...vs, set: kept })
    }
    if (!force && conflicts.size > 0) throw new ApplyConflicts(conflictList(conflicts))
    return { managers: out, comparison: c }
  }

  return {
    validate(config) {
      validateTyped(config, atom)
    },

    update(live, updated, apiVersion, managers, manager, ignored) {
      const base = live ?? empty(apiVersion)
      const { managers: out, comparison: c } = reassign(base, updated, withSchema(managers), manager, true, ignored)
      const prev = out.get(manager)
      const own = (prev ? asSet(prev.set) : FieldPathSet.empty).difference(c.removed).union(c.modified).union(c.added)
      if (own.isEmpty()) out.delete(manager)
      else out.set(manager, { set: own, apiVersion, applied: false })
      return out
    },

    apply(live, config, apiVersion, managers, manager, force, ignored) {
      const base = live ?? empty(apiVersion)
      validateTyped(config, atom)
      const configSet = ignored ? toFieldSet(config, atom).recursiveDifference(ignored) : toFieldSet(config, atom)
      // A create merges onto nothing (the zero object's nulls must not become fields) but is
      // compared with the zero object, as an update's create is.
      let merged = merge(live, config, atom)
      const current = withSchema(managers)
      const lastSet = current.get(manager)
      const next: Managers = new Map(current)
      next.set(manager, { set: configSet, apiVersion, applied: true })
      if (lastSet) merged = prune(merged, next, asSet(lastSet.set))
      const { managers: out } = reassign(base, merged, next, manager, force, ignored)
      if (configSet.isEmpty()) out.delete(manager)
      // The merge shares subtrees with its inputs; the caller gets its own copy to run hooks on.
      const unchanged = live !== undefined && deepEqual(live, merged)
      return { object: structuredClone((merged ?? {}) as object), managers: out, unchanged }
    },
  }

  // prune: removes what the manager applied last time and not now, unless another manager owns
  // it or it was never the manager's (fields owned by updaters, or by nobody, stay).
  function prune(merged: unknown, managers: Managers, lastSet: FieldPathSet): unknown {
    if (lastSet.isEmpty()) return merged
    const named = (s: FieldPathSet) => ensureNamedFieldsAreMembers(s, atom)
    const last = named(lastSet)
    let pruned = removeItems(merged, last, atom)
    // addBackOwnedItems
    let managed = FieldPathSet.empty
    for (const vs of managers.values()) managed = managed.union(asSet(vs.set))
    const mergedSet = named(toFieldSet(merged, atom))
    let prunedSet = named(toFieldSet(pruned, atom))
    pruned = removeItems(merged, mergedSet.difference(prunedSet.union(named(managed))), atom)
    // addBackDanglingItems
    prunedSet = named(toFieldSet(pruned, atom))
    return removeItems(merged, mergedSet.difference(prunedSet).intersection(last), atom)
  }
}

// Comparison.ExcludeFields: changes below an ignored field count for nobody.
function excludeFields(c: Comparison, ignored: FieldSet | undefined): Comparison {
  if (!ignored || ignored.isEmpty()) return c
  return { added: c.added.recursiveDifference(ignored), modified: c.modified.recursiveDifference(ignored), removed: c.removed.recursiveDifference(ignored) }
}

function asSet(s: FieldSet): FieldPathSet {
  return s instanceof FieldPathSet ? s : FieldPathSet.empty.union(s)
}

// ConflictsFromManagers, in a stable order: managers by key, each one's paths as Set.Iterate lists them.
function conflictList(conflicts: Map<string, FieldPathSet>): Conflict[] {
  const out: Conflict[] = []
  for (const manager of [...conflicts.keys()].sort()) for (const path of conflicts.get(manager)!.paths()) out.push({ manager, path })
  return out
}
