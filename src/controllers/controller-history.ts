/** @module controller-history: ControllerRevision hashing, snapshots and pruning for DaemonSets and StatefulSets (pkg/controller/history). */
import type { ResourceStore } from '../registry/generic-registry.js'
import type { KubeObject } from '../types.js'
import { canonicalJSON, fnv32, safeEncodeString } from '../util/hash.js'
import { controllerRef } from './workload-pods.js'

/** The label carrying a revision's hash on ControllerRevisions and the pods made from them. */
export const controllerRevisionHashLabel = 'controller-revision-hash'

/** A ControllerRevision as stored. */
export type Revision = KubeObject & { data?: unknown; revision?: number }

export { canonicalJSON, fnv32, safeEncodeString }

/** A deep copy with sorted keys (so stored revision data reads like the real server's). */
export function sortedCopy<T>(v: T): T {
  return JSON.parse(canonicalJSON(v)) as T
}

/**
 * controller.ComputeHash(template, collisionCount). Upstream feeds Go's DeepHashObject (a spew dump
 * of the struct) to FNV-1a; we hash the canonical JSON instead, so values differ from a real
 * cluster's but are just as stable and deterministic.
 */
export function computeTemplateHash(template: unknown, collisionCount?: number): string {
  let text = canonicalJSON(template ?? {})
  if (collisionCount !== undefined && collisionCount !== null) text += String(collisionCount)
  return safeEncodeString(String(fnv32(text, '1a')))
}

/**
 * getPatch (daemon/update.go, statefulset/stateful_set_utils.go): the revision data, a strategic
 * merge patch `{"spec":{"template":{…,"$patch":"replace"}}}` with sorted keys.
 */
export function templatePatch(template: unknown): { spec: { template: Record<string, unknown> } } {
  return sortedCopy({ spec: { template: { ...((template as Record<string, unknown>) ?? {}), $patch: 'replace' } } })
}

/** history.HashControllerRevision: FNV-1 over the raw data, plus the collision count; safe-encoded. */
export function hashRevisionData(data: unknown, collisionCount?: number): string {
  let text = canonicalJSON(data)
  if (collisionCount !== undefined && collisionCount !== null) text += String(collisionCount)
  return safeEncodeString(String(fnv32(text, '1')))
}

/** history.ControllerRevisionName: `<parent>-<hash>`, the prefix cut to 223 characters. */
export function revisionName(parent: string, hash: string): string {
  return `${parent.length > 223 ? parent.slice(0, 223) : parent}-${hash}`
}

/** True when a revision's data equals `data` (Match / FindEqualRevisions). */
export function revisionDataEqual(rev: Revision, data: unknown): boolean {
  return canonicalJSON(rev.data) === canonicalJSON(data)
}

/** The ControllerRevisions in the owner's namespace whose controller reference is the owner, by revision then name. */
export function ownedRevisions(revisions: ResourceStore, owner: KubeObject): Revision[] {
  return revisions
    .list(owner.metadata.namespace ?? '')
    .items.map((s) => s.obj as Revision)
    .filter((r) => controllerRef(r)?.uid === owner.metadata.uid)
    .sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0) || ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1))
}

/** The highest revision number among `revs` (0 for none). */
export function maxRevision(revs: Revision[]): number {
  return revs.reduce((m, r) => Math.max(m, r.revision ?? 0), 0)
}

/**
 * cleanupHistory: which old revisions to delete to keep at most `limit`, oldest first, never one
 * whose hash a live pod still carries (`liveHashes` holds hash label values or revision names).
 */
export function revisionsToPrune(old: Revision[], limit: number, liveHashes: Set<string>): Revision[] {
  let toKill = old.length - limit
  if (toKill <= 0) return []
  const out: Revision[] = []
  for (const r of [...old].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0))) {
    if (toKill <= 0) break
    const hash = r.metadata.labels?.[controllerRevisionHashLabel] ?? ''
    if (liveHashes.has(hash) || liveHashes.has(r.metadata.name ?? '')) continue
    out.push(r)
    toKill--
  }
  return out
}
