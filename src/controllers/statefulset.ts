/** @module statefulset: the StatefulSet controller — stable ordinal pods, ordered or parallel, revisions, rolling updates (pkg/controller/statefulset). */
import type { StatefulSetStatus } from 'kubernetes-types/apps/v1.js'
import type { PodSpec, PodTemplateSpec } from 'kubernetes-types/core/v1.js'
import { StatusError } from '../errors.js'
import type { StatefulSet } from '../registry/apps/statefulsets.js'
import { cloneJSON } from '../util/deep-equal.js'
import {
  controllerRevisionHashLabel,
  hashRevisionData,
  maxRevision,
  ownedRevisions,
  revisionDataEqual,
  revisionName,
  revisionsToPrune,
  templatePatch,
  type Revision,
} from './controller-history.js'
import { ownerKeys } from './daemonset.js'
import type { ControllerDeps } from './index.js'
import { createClaimSync } from './statefulset-claims.js'
import { splitKey, type Controller } from './runtime.js'
import { isPodAvailable, isPodReady, isPodTerminal, msUntilAvailable, newControllerRef, podsControlledBy, type PodObject } from './workload-pods.js'

const source = { component: 'statefulset-controller' }

/** The pod-name and pod-index labels every StatefulSet pod carries (initIdentity). */
export const podNameLabel = 'statefulset.kubernetes.io/pod-name'
export const podIndexLabel = 'apps.kubernetes.io/pod-index'

/** getOrdinal: the `<set>-<n>` suffix, or -1 when the name is not one of the set's. */
export function podOrdinal(setName: string, podName: string): number {
  const m = new RegExp(`^${setName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`).exec(podName)
  return m ? Number(m[1]) : -1
}

/** isRunningAndReady: phase Running and the Ready condition True. */
function runningAndReady(p: PodObject): boolean {
  return p.status?.phase === 'Running' && isPodReady(p)
}

/** The template a revision stored (its data minus the `$patch` marker). */
function revisionTemplate(rev: Revision): PodTemplateSpec {
  const tpl = cloneJSON((rev.data as { spec?: { template?: Record<string, unknown> } })?.spec?.template ?? {})
  delete tpl.$patch
  return tpl as PodTemplateSpec
}

/**
 * newStatefulSetPod + setPodRevision: `<set>-<ordinal>` with hostname/subdomain, identity labels,
 * claim volumes named `<claim>-<pod>`, and the revision's name as controller-revision-hash.
 */
export function statefulSetPod(set: StatefulSet, tpl: PodTemplateSpec, ordinal: number, revision: string): PodObject {
  const name = `${set.metadata.name}-${ordinal}`
  const spec = cloneJSON(tpl.spec ?? { containers: [] }) as PodSpec
  spec.hostname = name
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName
  for (const claim of set.spec?.volumeClaimTemplates ?? []) {
    const vol = { name: claim.metadata?.name ?? '', persistentVolumeClaim: { claimName: `${claim.metadata?.name}-${name}` } }
    spec.volumes = [...(spec.volumes ?? []).filter((v) => v.name !== vol.name), vol]
  }
  const labels = { ...(tpl.metadata?.labels ?? {}), [podNameLabel]: name, [podIndexLabel]: String(ordinal), [controllerRevisionHashLabel]: revision }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata.namespace,
      labels: Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1))),
      ...(tpl.metadata?.annotations ? { annotations: { ...tpl.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(set)],
    },
    spec,
  }
}

/** Creates the StatefulSet controller. */
export function createStatefulSetController(deps: ControllerDeps): Controller {
  const { registry, clock, events } = deps
  const sets = registry.resource<StatefulSet>('apps', 'statefulsets')
  const pods = registry.resource('', 'pods')
  const podCache = deps.manager.informers.for('', 'pods')
  const revisions = registry.resource('apps', 'controllerrevisions')
  const syncClaims = createClaimSync(deps)

  /** getStatefulSetRevisions: reuse (and renumber) an equal revision or create `<set>-<hash>`. */
  async function syncRevisions(set: StatefulSet): Promise<{ current: Revision; update: Revision; all: Revision[] }> {
    const ns = set.metadata.namespace ?? ''
    const revs = ownedRevisions(revisions, set)
    const data = templatePatch(set.spec?.template)
    const next = maxRevision(revs) + 1
    const equal = revs.filter((r) => revisionDataEqual(r, data))
    let update: Revision
    if (equal.length && equal[equal.length - 1] === revs[revs.length - 1]) update = revs[revs.length - 1]
    else if (equal.length)
      update = (await revisions.guaranteedUpdate(ns, equal[equal.length - 1].metadata.name ?? '', (r) => ({ ...r, revision: next }))).obj as Revision
    else {
      const hash = hashRevisionData(data, set.status?.collisionCount ?? 0)
      const rev: Revision = {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: {
          name: revisionName(set.metadata.name ?? '', hash),
          namespace: ns,
          labels: { ...(set.spec?.template?.metadata?.labels ?? {}), [controllerRevisionHashLabel]: hash },
          ownerReferences: [newControllerRef(set)],
        },
        data,
        revision: next,
      }
      try {
        update = (await revisions.create(ns, rev)).obj as Revision
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 409)) throw err
        const existing = revisions.getStored(ns, rev.metadata.name ?? '')?.obj as Revision | undefined
        if (existing && revisionDataEqual(existing, data) && controllerRefIs(existing, set))
          return { current: existing, update: existing, all: [...revs, existing] }
        // A different revision owns the name: bump collisionCount so the next hash differs.
        await sets.guaranteedUpdate(
          ns,
          set.metadata.name ?? '',
          (s) => ({ ...s, status: { ...s.status!, collisionCount: (s.status?.collisionCount ?? 0) + 1 } }),
          {
            subresource: 'status',
          },
        )
        throw err
      }
    }
    const all = [...revs.filter((r) => r.metadata.name !== update.metadata.name), update]
    const current = all.find((r) => r.metadata.name === set.status?.currentRevision) ?? update
    return { current, update, all }
  }

  return {
    name: 'statefulset',
    watches: [
      { group: 'apps', plural: 'statefulsets' },
      { group: '', plural: 'pods', keys: ownerKeys('StatefulSet') },
      { group: 'apps', plural: 'controllerrevisions', keys: ownerKeys('StatefulSet') },
    ],
    async reconcile(key) {
      const [ns, name] = splitKey(key)
      const stored = sets.getStored(ns, name)
      if (!stored || stored.obj.metadata.deletionTimestamp) return
      const set = stored.obj as StatefulSet
      const spec = set.spec!
      const { current, update, all } = await syncRevisions(set)
      const now = clock.now()
      const minReady = spec.minReadySeconds ?? 0
      const start = spec.ordinals?.start ?? 0
      const replicas = spec.replicas ?? 1
      const monotonic = spec.podManagementPolicy !== 'Parallel'
      const partition = spec.updateStrategy?.type === 'RollingUpdate' ? (spec.updateStrategy.rollingUpdate?.partition ?? 0) : undefined
      const owned = podsControlledBy(podCache, set, spec.selector).filter((p) => podOrdinal(name, p.metadata.name ?? '') >= 0)
      const byOrdinal = new Map(owned.map((p) => [podOrdinal(name, p.metadata.name ?? ''), p]))
      const healthy = (p: PodObject) => runningAndReady(p) && !p.metadata.deletionTimestamp && isPodAvailable(p, minReady, now)
      let acted = false
      const del = async (p: PodObject) => {
        await pods.delete(ns, p.metadata.name ?? '', { preconditions: { uid: p.metadata.uid } })
        events.record(source, set, 'Normal', 'SuccessfulDelete', `delete Pod ${p.metadata.name} in StatefulSet ${name} successful`)
        acted = true
      }
      let blocked = false
      for (let ord = start; ord < start + replicas && !blocked; ord++) {
        const p = byOrdinal.get(ord)
        if (p && isPodTerminal(p) && !p.metadata.deletionTimestamp) {
          // A failed or finished replica is replaced (after it is gone).
          await del(p)
          blocked = monotonic
          continue
        }
        if (!p) {
          const useCurrent = partition !== undefined && ord < start + partition
          const rev = useCurrent ? current : update
          // createPersistentVolumeClaims: a pod's claims exist before the pod.
          await syncClaims(set, ord, undefined, true)
          try {
            await pods.create(ns, statefulSetPod(set, revisionTemplate(rev), ord, rev.metadata.name ?? ''))
          } catch (err) {
            events.record(source, set, 'Warning', 'FailedCreate', `create Pod ${name}-${ord} in StatefulSet ${name} failed error: ${(err as Error).message}`)
            throw err
          }
          events.record(source, set, 'Normal', 'SuccessfulCreate', `create Pod ${name}-${ord} in StatefulSet ${name} successful`)
          acted = true
          blocked = monotonic
          continue
        }
        await syncClaims(set, ord, p, true)
        // OrderedReady: wait for each replica to be Running and Ready before the next.
        if (monotonic && !healthy(p)) blocked = true
      }
      if (!blocked) {
        const condemned = owned
          .filter((p) => {
            const o = podOrdinal(name, p.metadata.name ?? '')
            return o < start || o >= start + replicas
          })
          .sort((a, b) => podOrdinal(name, b.metadata.name ?? '') - podOrdinal(name, a.metadata.name ?? ''))
        for (const p of condemned) {
          // whenScaled: Delete hands a condemned pod's claims to the pod, so they go with it.
          if ((spec.volumeClaimTemplates ?? []).length) await syncClaims(set, podOrdinal(name, p.metadata.name ?? ''), p, false)
          if (p.metadata.deletionTimestamp) {
            if (monotonic) break
            continue
          }
          await del(p)
          if (monotonic) break
        }
      }
      if (!blocked && !acted && partition !== undefined) {
        // Rolling update from the highest ordinal down to the partition, one unhealthy pod at a time.
        for (let ord = start + replicas - 1; ord >= start + partition; ord--) {
          const p = byOrdinal.get(ord)
          if (!p) continue
          if (p.metadata.labels?.[controllerRevisionHashLabel] !== update.metadata.name && !p.metadata.deletionTimestamp) {
            await del(p)
            break
          }
          if (!healthy(p)) break
        }
      }
      const fresh = acted ? podsControlledBy(podCache, set, spec.selector).filter((p) => podOrdinal(name, p.metadata.name ?? '') >= 0) : owned
      let count = 0
      let available = 0
      let ready = 0
      let cur = 0
      let upd = 0
      let wait = 0
      for (const p of fresh) {
        if (!p.status?.phase) continue
        count++
        if (runningAndReady(p)) {
          ready++
          if (isPodAvailable(p, minReady, now)) available++
          else wait = wait ? Math.min(wait, msUntilAvailable(p, minReady, now)) : msUntilAvailable(p, minReady, now)
        }
        if (p.metadata.deletionTimestamp) continue
        const rev = p.metadata.labels?.[controllerRevisionHashLabel]
        if (rev === current.metadata.name) cur++
        if (rev === update.metadata.name) upd++
      }
      let currentRevision = current.metadata.name
      // completeRollingUpdate: once every replica is updated and ready, update becomes current.
      if (partition !== undefined && upd === count && ready === count) {
        cur = upd
        currentRevision = update.metadata.name
      }
      const status: StatefulSetStatus = {
        replicas: count,
        availableReplicas: available,
        observedGeneration: set.metadata.generation,
        ...(ready ? { readyReplicas: ready } : {}),
        ...(cur ? { currentReplicas: cur } : {}),
        ...(upd ? { updatedReplicas: upd } : {}),
        currentRevision,
        updateRevision: update.metadata.name,
        collisionCount: set.status?.collisionCount ?? 0,
      }
      await sets.guaranteedUpdate(ns, name, (s) => ({ ...s, status: { ...status, ...(s.status?.conditions ? { conditions: s.status.conditions } : {}) } }), {
        subresource: 'status',
      })
      // truncateHistory: keep the live revisions plus revisionHistoryLimit others.
      const live = new Set([
        current.metadata.name ?? '',
        update.metadata.name ?? '',
        currentRevision ?? '',
        ...fresh.map((p) => p.metadata.labels?.[controllerRevisionHashLabel] ?? ''),
      ])
      const old = all.filter((r) => !live.has(r.metadata.name ?? ''))
      for (const r of revisionsToPrune(old, spec.revisionHistoryLimit ?? 10, live)) await revisions.delete(ns, r.metadata.name ?? '')
      return wait > 0 ? { requeueAfterMs: wait } : undefined
    },
  }
}

function controllerRefIs(rev: Revision, owner: StatefulSet): boolean {
  return rev.metadata.ownerReferences?.some((r) => r.controller && r.uid === owner.metadata.uid) ?? false
}
