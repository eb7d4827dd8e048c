/** @module daemonset: the DaemonSet controller — one pod per eligible node, ControllerRevisions, rolling updates, status (pkg/controller/daemon). */
import type { DaemonSetSpec } from 'kubernetes-types/apps/v1.js'
import type { PodSpec } from 'kubernetes-types/core/v1.js'
import { StatusError } from '../errors.js'
import { templateGenerationAnnotation, type DaemonSet } from '../registry/apps/daemonsets.js'
import type { KubeObject } from '../types.js'
import { cloneJSON } from '../util/deep-equal.js'
import {
  computeTemplateHash,
  controllerRevisionHashLabel,
  maxRevision,
  ownedRevisions,
  revisionDataEqual,
  revisionName,
  revisionsToPrune,
  templatePatch,
  type Revision,
} from './controller-history.js'
import {
  addDaemonTolerations,
  daemonPodSpecForMatching,
  nodeShouldRunDaemonPod,
  replaceNodeNameAffinity,
  targetNodeName,
  type NodeObject,
  type NodeVerdict,
} from './daemonset-nodes.js'
import { daemonSetStatus, planManage, planRollingUpdate, podTemplateGenerationLabel, type DaemonState } from './daemonset-plan.js'
import type { ControllerDeps } from './index.js'
import { podInformer } from './informers.js'
import { objectKey, splitKey, type Controller, type WatchSpec } from './runtime.js'
import { controllerRef, isPodTerminal, msUntilAvailable, newControllerRef, podsControlledBy, type PodObject } from './workload-pods.js'
import { deepEqual } from '../util/deep-equal.js'
import { readyStatus } from './node-lifecycle-taints.js'
import { readyCondition } from './replicaset-pods.js'

const source = { component: 'daemonset-controller' }

/** Maps an owned object (pod, revision) to its controlling `kind`'s key. */
export function ownerKeys(kind: string): (o: KubeObject) => string[] {
  return (o) => {
    const ref = controllerRef(o)
    return ref?.kind === kind ? [`${o.metadata.namespace}/${ref.name}`] : []
  }
}

/** Labels sorted by key, as Go's map encoding prints them. */
function sortedLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)))
}

/** Creates the DaemonSet controller. */
export function createDaemonSetController(deps: ControllerDeps): Controller {
  const { registry, clock, events } = deps
  const daemonSets = registry.resource<DaemonSet>('apps', 'daemonsets')
  const pods = registry.resource('', 'pods')
  const revisions = registry.resource('apps', 'controllerrevisions')
  const podCache = podInformer(deps.manager.informers)
  const nodeCache = deps.manager.informers.for<NodeObject>('', 'nodes')
  const dsCache = deps.manager.informers.for<DaemonSet>('apps', 'daemonsets')
  // Node heartbeats rewrite node status every few minutes (5,000 nodes: many a second); only what
  // decides eligibility matters, so other node writes enqueue nothing.
  const nodeKeys: WatchSpec['keys'] = (n, prev) => {
    const gone = nodeCache.get('', n.metadata.name ?? '')?.obj !== n
    if (prev && !gone && !nodeEligibilityChanged(prev as NodeObject, n as NodeObject)) return []
    return dsCache.list().map((s) => objectKey(s.obj))
  }
  // Of a pod's writes only those changing what the planners read enqueue its DaemonSet: the
  // kubelet's intermediate status writes (container states, IPs) would re-plan 5,000 nodes each.
  const daemonOwner = ownerKeys('DaemonSet')
  const podKeys: WatchSpec['keys'] = (p, prev) => {
    const keys = daemonOwner(p)
    if (!keys.length || !prev) return keys
    const gone = podCache.get(p.metadata.namespace ?? '', p.metadata.name ?? '')?.obj !== p
    return gone || daemonPodChanged(prev as PodObject, p as PodObject) ? keys : []
  }
  /**
   * Per DaemonSet key: the UID and revision hash its verdicts were made for, the would-be pod spec,
   * and the verdict per node version (a node object is immutable; a write makes a new one).
   */
  const verdictCache = new Map<string, { uid: string; hash: string; spec: PodSpec; byNode: WeakMap<KubeObject, NodeVerdict> }>()

  /** constructHistory: find or snapshot the current revision, renumber it, return the hash. */
  async function syncHistory(ds: DaemonSet): Promise<{ hash: string; old: Revision[] }> {
    const owned = ownedRevisions(revisions, ds)
    const patch = templatePatch(ds.spec?.template)
    const current = owned.filter((r) => revisionDataEqual(r, patch))
    const old = owned.filter((r) => !revisionDataEqual(r, patch))
    const next = maxRevision(old) + 1
    let cur = current[current.length - 1]
    if (!cur) {
      const hash = computeTemplateHash(ds.spec?.template, ds.status?.collisionCount)
      const name = revisionName(ds.metadata.name ?? '', hash)
      const rev: Revision = {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: {
          name,
          namespace: ds.metadata.namespace,
          labels: sortedLabels({ ...(ds.spec?.template?.metadata?.labels ?? {}), [controllerRevisionHashLabel]: hash }),
          ...(ds.metadata.annotations ? { annotations: ds.metadata.annotations } : {}),
          ownerReferences: [newControllerRef(ds)],
        },
        data: patch,
        revision: next,
      }
      try {
        cur = (await revisions.create(ds.metadata.namespace ?? '', rev)).obj as Revision
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 409)) throw err
        const existing = revisions.getStored(ds.metadata.namespace ?? '', name)?.obj as Revision | undefined
        if (existing && revisionDataEqual(existing, patch)) return { hash, old }
        // A different template hashed to the same name: bump collisionCount and retry.
        await daemonSets.guaranteedUpdate(
          ds.metadata.namespace ?? '',
          ds.metadata.name ?? '',
          (d) => {
            d.status = { ...d.status!, collisionCount: (d.status?.collisionCount ?? 0) + 1 }
            return d
          },
          { subresource: 'status', shallow: true },
        )
        throw err
      }
    } else {
      for (const dup of current.slice(0, -1)) await revisions.delete(dup.metadata.namespace ?? '', dup.metadata.name ?? '')
      if ((cur.revision ?? 0) < next) {
        cur = (await revisions.guaranteedUpdate(cur.metadata.namespace ?? '', cur.metadata.name ?? '', (r) => ({ ...r, revision: next }))).obj as Revision
      }
    }
    return { hash: cur.metadata.labels?.[controllerRevisionHashLabel] ?? '', old }
  }

  /** Reads nodes and daemon pods into the planners' view. */
  function observe(ds: DaemonSet, hash: string): DaemonState {
    const spec = ds.spec ?? ({} as DaemonSetSpec)
    const uid = ds.metadata.uid ?? ''
    let cache = verdictCache.get(objectKey(ds))
    if (cache?.uid !== uid || cache.hash !== hash)
      verdictCache.set(objectKey(ds), (cache = { uid, hash, spec: daemonPodSpecForMatching(spec.template?.spec), byNode: new WeakMap() }))
    const verdicts = new Map<string, NodeVerdict>()
    for (const s of nodeCache.list()) {
      let v = cache.byNode.get(s.obj)
      if (!v) cache.byNode.set(s.obj, (v = nodeShouldRunDaemonPod(s.obj, cache.spec, true)))
      verdicts.set(s.obj.metadata.name ?? '', v)
    }
    const podsByNode = new Map<string, PodObject[]>()
    for (const p of podsControlledBy(podCache, ds, spec.selector)) {
      if (p.metadata.deletionTimestamp && isPodTerminal(p)) continue
      const node = targetNodeName(p)
      if (node === undefined) continue
      const list = podsByNode.get(node)
      if (list) list.push(p)
      else podsByNode.set(node, [p])
    }
    const ru = spec.updateStrategy?.type === 'RollingUpdate' ? spec.updateStrategy.rollingUpdate : undefined
    return {
      nodes: verdicts,
      podsByNode,
      hash,
      templateGeneration: ds.metadata.annotations?.[templateGenerationAnnotation],
      minReadySeconds: spec.minReadySeconds ?? 0,
      now: clock.now(),
      rolling: spec.updateStrategy?.type === 'RollingUpdate' ? { maxSurge: ru?.maxSurge ?? 0, maxUnavailable: ru?.maxUnavailable ?? 1 } : undefined,
    }
  }

  /** CreatePodTemplate + ReplaceDaemonSetPodNodeNameNodeAffinity, created under `<ds>-`. */
  async function createPod(ds: DaemonSet, node: string, st: DaemonState): Promise<void> {
    const tpl = ds.spec?.template ?? {}
    const spec = cloneJSON(tpl.spec ?? { containers: [] }) as PodSpec
    addDaemonTolerations(spec)
    spec.affinity = replaceNodeNameAffinity(spec.affinity, node)
    const labels: Record<string, string> = { ...(tpl.metadata?.labels ?? {}), [controllerRevisionHashLabel]: st.hash }
    if (st.templateGeneration !== undefined) labels[podTemplateGenerationLabel] = st.templateGeneration
    const pod: PodObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${ds.metadata.name}-`,
        namespace: ds.metadata.namespace,
        labels: sortedLabels(labels),
        ...(tpl.metadata?.annotations ? { annotations: { ...tpl.metadata.annotations } } : {}),
        ownerReferences: [newControllerRef(ds)],
      },
      spec,
    }
    try {
      const created = await pods.create(ds.metadata.namespace ?? '', pod)
      events.record(source, ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.obj.metadata.name}`)
    } catch (err) {
      events.record(source, ds, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`)
      throw err
    }
  }

  async function deletePod(ds: DaemonSet, pod: PodObject, failed: boolean): Promise<void> {
    const ns = pod.metadata.namespace ?? ''
    if (failed)
      events.record(
        source,
        ds,
        'Warning',
        'FailedDaemonPod',
        `Found failed daemon pod ${ns}/${pod.metadata.name} on node ${pod.spec?.nodeName ?? ''}, will try to kill it`,
      )
    try {
      await pods.delete(ns, pod.metadata.name ?? '', { preconditions: { uid: pod.metadata.uid } })
      events.record(source, ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`)
    } catch (err) {
      if (err instanceof StatusError && (err.code === 404 || err.code === 409)) return
      events.record(source, ds, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`)
      throw err
    }
  }

  return {
    name: 'daemonset',
    watches: [
      { group: 'apps', plural: 'daemonsets' },
      { group: '', plural: 'pods', keys: podKeys },
      { group: 'apps', plural: 'controllerrevisions', keys: ownerKeys('DaemonSet') },
      { group: '', plural: 'nodes', keys: nodeKeys },
    ],
    async reconcile(key) {
      const [ns, name] = splitKey(key)
      const stored = daemonSets.getStored(ns, name)
      if (!stored) verdictCache.delete(key)
      if (!stored || stored.obj.metadata.deletionTimestamp) return
      const ds = stored.obj as DaemonSet
      const { hash, old } = await syncHistory(ds)
      let st = observe(ds, hash)
      let actions = planManage(st)
      if (!actions.createOn.length && !actions.delete.length && st.rolling) actions = planRollingUpdate(st)
      for (const node of actions.createOn) await createPod(ds, node, st)
      for (const p of actions.delete) await deletePod(ds, p, actions.failed.includes(p))
      if (actions.createOn.length || actions.delete.length) st = observe(ds, hash)
      // cleanupHistory: keep revisionHistoryLimit old revisions, never one a live pod still uses.
      const live = new Set<string>()
      for (const list of st.podsByNode.values()) for (const p of list) live.add(p.metadata.labels?.[controllerRevisionHashLabel] ?? '')
      for (const r of revisionsToPrune(old, ds.spec?.revisionHistoryLimit ?? 10, live)) await revisions.delete(ns, r.metadata.name ?? '')
      const status = { ...daemonSetStatus(st), observedGeneration: ds.metadata.generation }
      await daemonSets.guaranteedUpdate(
        ns,
        name,
        (d) => {
          const keep = { collisionCount: d.status?.collisionCount, conditions: d.status?.conditions }
          d.status = { ...status, ...Object.fromEntries(Object.entries(keep).filter(([, v]) => v !== undefined)) }
          return d
        },
        { subresource: 'status', shallow: true },
      )
      // Ready pods turn available after minReadySeconds: look again then.
      let wait = 0
      for (const list of st.podsByNode.values())
        for (const p of list) {
          const ms = msUntilAvailable(p, st.minReadySeconds, st.now)
          if (ms > 0 && (wait === 0 || ms < wait)) wait = ms
        }
      return wait > 0 ? { requeueAfterMs: wait } : undefined
    },
  }
}

/**
 * Whether a node update can change any DaemonSet's plan: its labels, taints, unschedulable or
 * Ready status (what eligibility and pod availability read); heartbeats change none of them.
 */
export function nodeEligibilityChanged(prev: NodeObject, cur: NodeObject): boolean {
  if (prev.metadata.uid !== cur.metadata.uid || !!prev.spec?.unschedulable !== !!cur.spec?.unschedulable) return true
  if (readyStatus(prev) !== readyStatus(cur)) return true
  return !deepEqual(prev.metadata.labels ?? {}, cur.metadata.labels ?? {}) || !deepEqual(prev.spec?.taints ?? [], cur.spec?.taints ?? [])
}

/**
 * Whether a pod update changes anything the DaemonSet planners and status read: owner, labels,
 * target node, deletion, phase, or the Ready condition (status and transition time).
 */
export function daemonPodChanged(prev: PodObject, cur: PodObject): boolean {
  if (prev.spec?.nodeName !== cur.spec?.nodeName || prev.metadata.deletionTimestamp !== cur.metadata.deletionTimestamp) return true
  if (prev.status?.phase !== cur.status?.phase) return true
  const a = readyCondition(prev)
  const b = readyCondition(cur)
  if (a?.status !== b?.status || a?.lastTransitionTime !== b?.lastTransitionTime) return true
  return (
    !deepEqual(prev.metadata.labels ?? {}, cur.metadata.labels ?? {}) || !deepEqual(prev.metadata.ownerReferences ?? [], cur.metadata.ownerReferences ?? [])
  )
}
