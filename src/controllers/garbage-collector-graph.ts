/** @module garbage-collector-graph: the owner→dependents index the garbage collector keeps (pkg/controller/garbagecollector/graph.go). */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js'
import type { KubeObject } from '../types.js'

/** Where one object lives and whom it names as owners. */
export interface GraphNode {
  uid: string
  group: string
  plural: string
  namespace: string
  name: string
  owners: OwnerReference[]
  /** deletionTimestamp set and a `foregroundDeletion`/`orphan` finalizer pending. */
  deleting: boolean
}

/** The finalizers the garbage collector acts on. */
export const orphanFinalizer = 'orphan'
export const foregroundFinalizer = 'foregroundDeletion'

/** True when the object waits for the collector (deletionTimestamp + one of its finalizers). */
export function awaitsCollector(obj: KubeObject): boolean {
  const f = obj.metadata.finalizers ?? []
  return !!obj.metadata.deletionTimestamp && (f.includes(orphanFinalizer) || f.includes(foregroundFinalizer))
}

function refsKey(refs: OwnerReference[]): string {
  return refs.map((r) => `${r.uid}/${r.apiVersion}/${r.kind}/${r.name}/${r.blockOwnerDeletion ? 1 : 0}/${r.controller ? 1 : 0}`).join(',')
}

/** observe()'s answer when nothing the graph keeps changed (shared: callers only read it). */
const unchanged: { refsChanged: boolean; touchedOwners: string[] } = Object.freeze({
  refsChanged: false,
  touchedOwners: Object.freeze([]) as unknown as string[],
})

/**
 * Every object the collector has seen, by uid, and for each owner uid the uids naming it. Owner
 * entries outlive the owner, so its dependents can still be found after it is gone.
 */
export class OwnerGraph {
  private readonly nodes = new Map<string, GraphNode>()
  private readonly dependents = new Map<string, Set<string>>()

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid)
  }

  /**
   * Records the current state of an object; returns whether its owner references changed (or it is
   * new with owners) and the owners whose edges changed.
   */
  observe(group: string, plural: string, obj: KubeObject): { refsChanged: boolean; touchedOwners: string[] } {
    const uid = obj.metadata.uid ?? ''
    const owners = obj.metadata.ownerReferences ?? []
    const prev = this.nodes.get(uid)
    const deleting = awaitsCollector(obj)
    // Most writes (status) keep the very ownerReferences array (stored versions share it): nothing changed.
    if (prev && prev.owners === owners && prev.deleting === deleting) return unchanged
    const node: GraphNode = {
      uid,
      group,
      plural,
      namespace: obj.metadata.namespace ?? '',
      name: obj.metadata.name ?? '',
      owners,
      deleting,
    }
    this.nodes.set(uid, node)
    const before = prev?.owners ?? []
    if (refsKey(before) === refsKey(owners)) return { refsChanged: false, touchedOwners: [] }
    for (const r of before) this.dependents.get(r.uid)?.delete(uid)
    for (const r of owners) {
      let set = this.dependents.get(r.uid)
      if (!set) this.dependents.set(r.uid, (set = new Set()))
      set.add(uid)
    }
    return { refsChanged: owners.length > 0, touchedOwners: [...new Set([...before, ...owners].map((r) => r.uid))] }
  }

  /** Forgets an object that left storage; returns what it pointed at, so callers can wake its owners. */
  remove(uid: string): GraphNode | undefined {
    const node = this.nodes.get(uid)
    if (!node) return undefined
    this.nodes.delete(uid)
    for (const r of node.owners) {
      const set = this.dependents.get(r.uid)
      if (!set) continue
      set.delete(uid)
      if (set.size === 0 && !this.nodes.has(r.uid)) this.dependents.delete(r.uid)
    }
    // Keep our own dependents entry while dependents still point at us.
    if (this.dependents.get(uid)?.size === 0) this.dependents.delete(uid)
    return node
  }

  /** The uids naming `uid` as an owner. */
  dependentsOf(uid: string): string[] {
    return [...(this.dependents.get(uid) ?? [])]
  }

  /** Number of objects tracked (tests, metrics). */
  get size(): number {
    return this.nodes.size
  }
}
