/** @module garbage-collector: cascading deletion by ownerReferences — background, foreground and orphan (pkg/controller/garbagecollector/garbagecollector.go). */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js'
import { StatusError } from '../errors.js'
import type { ResourceStore } from '../registry/generic-registry.js'
import type { Registry } from '../registry/registry.js'
import type { KubeObject } from '../types.js'
import { foregroundFinalizer, orphanFinalizer, OwnerGraph, type GraphNode } from './garbage-collector-graph.js'
import type { ControllerDeps } from './index.js'
import type { Controller, WatchSpec } from './runtime.js'

/** How an owner reference resolves right now (attemptToDeleteItem's classification). */
export type OwnerState = 'solid' | 'dangling' | 'waiting'

/** Finds the resource serving an ownerReference's apiVersion/kind (any served version of its group). */
function resourceForRef(registry: Registry, ref: OwnerReference): ResourceStore | undefined {
  const exact = registry.forKind(ref.apiVersion, ref.kind)
  if (exact) return exact
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.slice(0, ref.apiVersion.indexOf('/')) : ''
  return registry.resources.find((rs) => rs.def.group === group && rs.def.kind === ref.kind)
}

/**
 * Classifies one owner reference of a dependent in `namespace`: dangling when the owner is gone or
 * is another object with the same name (uid differs), waiting when it is being deleted in the
 * foreground, solid otherwise (also for kinds this cluster does not serve: never guess those away),
 * unless `absent` has seen it deleted.
 */
export function ownerState(registry: Registry, ref: OwnerReference, namespace: string, absent?: AbsentOwners): OwnerState {
  // Seen deleted: dangling even when its kind is no longer served (a CRD's objects go before the CRD does).
  if (absent?.has(ref.uid)) return 'dangling'
  const rs = resourceForRef(registry, ref)
  if (!rs) return 'solid'
  const owner = rs.getStored(rs.def.namespaced ? namespace : '', ref.name)?.obj
  if (!owner || owner.metadata.uid !== ref.uid) return 'dangling'
  if (awaitsForeground(owner)) return 'waiting'
  return 'solid'
}

/** isDeletingDependents: deleted in the foreground, waiting for its own dependents to go. */
function awaitsForeground(o: KubeObject): boolean {
  return !!o.metadata.deletionTimestamp && (o.metadata.finalizers ?? []).includes(foregroundFinalizer)
}

/**
 * Owners the collector saw deleted, most recent last, at most {@link AbsentOwners.max} (upstream's
 * absentOwnerCache, an LRU of 500 uids). Uids are never reused, so an entry never goes stale.
 */
export class AbsentOwners {
  static readonly max = 500
  private readonly uids = new Set<string>()

  add(uid: string): void {
    this.uids.delete(uid)
    this.uids.add(uid)
    if (this.uids.size > AbsentOwners.max) this.uids.delete(this.uids.values().next().value!)
  }

  has(uid: string): boolean {
    return this.uids.has(uid)
  }
}

/** The deletion policy for a dependent, from its own pending finalizers (as the collector picks it). */
function policyFor(obj: KubeObject): 'Orphan' | 'Foreground' | 'Background' {
  const f = obj.metadata.finalizers ?? []
  return f.includes(orphanFinalizer) ? 'Orphan' : f.includes(foregroundFinalizer) ? 'Foreground' : 'Background'
}

/**
 * DefaultIgnoredResources: Events (core and events.k8s.io) are never collected, so they are not
 * watched either — at 100,000 pods there are half a million of them, each otherwise an informer
 * entry and a graph node.
 */
function ignoredResource(rs: ResourceStore): boolean {
  return rs.def.plural === 'events' && (rs.def.group === '' || rs.def.group === 'events.k8s.io')
}

/**
 * Creates the garbage collector: one watch per served resource (Events aside) feeding an owner
 * graph; resources served later (custom resources) are watched from when they are served.
 */
export function createGarbageCollector(deps: ControllerDeps): Controller {
  const { registry } = deps
  const graph = new OwnerGraph()
  const absent = new AbsentOwners()

  const keysFor =
    (rs: ResourceStore): WatchSpec['keys'] =>
    (obj) => {
      const uid = obj.metadata.uid
      if (!uid) return []
      const live = rs.getStored(obj.metadata.namespace ?? '', obj.metadata.name ?? '')
      if (live?.obj.metadata.uid !== uid) {
        // Gone: its dependents now point at a missing owner; a foreground-deleting owner may be unblocked.
        const node = graph.remove(uid)
        const keys = graph.dependentsOf(uid)
        if (keys.length) absent.add(uid)
        for (const r of node?.owners ?? []) if (graph.get(r.uid)?.deleting) keys.push(r.uid)
        return keys
      }
      const { refsChanged, touchedOwners } = graph.observe(rs.def.group, rs.def.plural, obj)
      const keys: string[] = []
      if (refsChanged || graph.get(uid)?.deleting) keys.push(uid)
      for (const o of touchedOwners) if (graph.get(o)?.deleting) keys.push(o)
      return keys
    }

  /** The live object behind a graph node, or undefined when it is gone (the node is then dropped). */
  function load(node: GraphNode): { rs: ResourceStore; obj: KubeObject } | undefined {
    const rs = registry.find(node.group, node.plural)
    const obj = rs?.getStored(node.namespace, node.name)?.obj
    if (!rs || !obj || obj.metadata.uid !== node.uid) return undefined
    return { rs, obj }
  }

  function liveDependents(uid: string): { rs: ResourceStore; obj: KubeObject; node: GraphNode }[] {
    const out = []
    for (const d of graph.dependentsOf(uid)) {
      const node = graph.get(d)
      const got = node && load(node)
      if (got?.obj.metadata.ownerReferences?.some((r) => r.uid === uid)) out.push({ ...got, node: node! })
    }
    return out
  }

  const ignoreGone = async (fn: () => Promise<unknown>) => {
    try {
      await fn()
    } catch (err) {
      if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err
    }
  }

  async function removeFinalizer(rs: ResourceStore, obj: KubeObject, finalizer: string): Promise<void> {
    await ignoreGone(
      async () =>
        await rs.guaranteedUpdate(obj.metadata.namespace ?? '', obj.metadata.name ?? '', (o) => {
          const rest = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer)
          if (rest.length) o.metadata.finalizers = rest
          else delete o.metadata.finalizers
          return o
        }),
    )
  }

  /** attemptToDeleteItem: delete a dependent whose owners are all gone or deleting in the foreground. */
  async function attemptToDelete(rs: ResourceStore, obj: KubeObject): Promise<void> {
    const ns = obj.metadata.namespace ?? ''
    const name = obj.metadata.name ?? ''
    const refs = obj.metadata.ownerReferences ?? []
    const states = refs.map((r) => ownerState(registry, r, ns, absent))
    if (states.includes('solid')) {
      // A living owner keeps it; references to gone or foreground-deleting owners are dropped.
      const drop = new Set(refs.filter((_, i) => states[i] !== 'solid').map((r) => r.uid))
      if (drop.size) {
        await ignoreGone(
          async () =>
            await rs.guaranteedUpdate(ns, name, (o) => {
              o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => !drop.has(r.uid))
              return o
            }),
        )
      }
      return
    }
    const own = states.includes('waiting') ? liveDependents(obj.metadata.uid ?? '') : []
    if (own.length) {
      // Its own dependents go first (it is deleted in the foreground too), and it keeps blocking
      // its owners meanwhile. Only when one of them is itself deleting dependents are all its owner
      // references made non-blocking (unblockOwnerReferences), upstream's guard against a cycle.
      if (own.some((d) => awaitsForeground(d.obj))) {
        await ignoreGone(
          async () =>
            await rs.guaranteedUpdate(ns, name, (o) => {
              for (const r of o.metadata.ownerReferences ?? []) if (r.blockOwnerDeletion) r.blockOwnerDeletion = false
              return o
            }),
        )
      }
      await ignoreGone(() => rs.delete(ns, name, { propagationPolicy: 'Foreground', preconditions: { uid: obj.metadata.uid } }))
      return
    }
    await ignoreGone(() => rs.delete(ns, name, { propagationPolicy: policyFor(obj), preconditions: { uid: obj.metadata.uid } }))
  }

  /** orphanDependents + removal of the `orphan` finalizer. */
  async function orphan(rs: ResourceStore, owner: KubeObject): Promise<void> {
    const uid = owner.metadata.uid
    for (const d of liveDependents(uid ?? '')) {
      await ignoreGone(
        async () =>
          await d.rs.guaranteedUpdate(d.obj.metadata.namespace ?? '', d.obj.metadata.name ?? '', (o) => {
            o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid)
            if (o.metadata.ownerReferences.length === 0) delete o.metadata.ownerReferences
            return o
          }),
      )
    }
    await removeFinalizer(rs, owner, orphanFinalizer)
  }

  /** processDeletingDependentsItem: delete every dependent; drop the finalizer once none blocks. */
  async function foreground(rs: ResourceStore, owner: KubeObject): Promise<void> {
    const uid = owner.metadata.uid ?? ''
    const dependents = liveDependents(uid)
    for (const d of dependents) if (!d.obj.metadata.deletionTimestamp) await attemptToDelete(d.rs, d.obj)
    const blocking = dependents.filter((d) => d.obj.metadata.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion))
    const stillBlocking = blocking.filter((d) => load(d.node)?.obj.metadata.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion))
    if (stillBlocking.length === 0) await removeFinalizer(rs, owner, foregroundFinalizer)
  }

  return {
    name: 'garbage-collector',
    // Every served resource, read again when definitions change: custom objects own and are owned too.
    get watches() {
      return registry.resources.filter((rs) => !ignoredResource(rs)).map((rs) => ({ group: rs.def.group, plural: rs.def.plural, keys: keysFor(rs) }))
    },
    async reconcile(uid) {
      const node = graph.get(uid)
      if (!node) return
      const got = load(node)
      if (!got) {
        graph.remove(uid)
        for (const d of graph.dependentsOf(uid)) deps.manager.enqueueTo('garbage-collector', d)
        return
      }
      const { rs, obj } = got
      if (obj.metadata.deletionTimestamp) {
        const f = obj.metadata.finalizers ?? []
        if (f.includes(orphanFinalizer)) await orphan(rs, obj)
        else if (f.includes(foregroundFinalizer)) await foreground(rs, obj)
        return
      }
      if (obj.metadata.ownerReferences?.length) await attemptToDelete(rs, obj)
    },
  }
}
