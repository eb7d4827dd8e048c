/** @module deployment: the Deployment controller — owns ReplicaSets by selector and rolls them out (pkg/controller/deployment/deployment_controller.go syncDeployment, v1.32). */
import type { Deployment } from '../registry/apps/deployments.js'
import type { ReplicaSet } from '../registry/apps/replicasets.js'
import type { PodObject } from '../registry/core/pods.js'
import { labelSelectorIsEmpty, labelSelectorMatches } from '../registry/shared/label-selector-match.js'
import { StatusError } from '../errors.js'
import type { KubeObject } from '../types.js'
import { DeploymentSync } from './deployment-sync.js'
import type { ControllerDeps } from './index.js'
import { claimDecision, controllerOf, newControllerRef, selectorMatcher, withOwner, withoutOwner } from './replicaset-owner.js'
import type { Controller, ReconcileResult } from './runtime.js'
import { splitKey } from './runtime.js'

function isRef(ref: { apiVersion?: string; kind?: string } | undefined, kind: string): boolean {
  return !!ref && ref.kind === kind && (ref.apiVersion ?? '').startsWith('apps/')
}

/**
 * The Deployment controller. Each sync: claim ReplicaSets (adopt matching orphans, release
 * non-matching), then status-only when deleting, paused handling, scaling events, or a RollingUpdate /
 * Recreate rollout step. Writes go through the registry, so kubectl sees every intermediate state.
 */
export function createDeploymentController(deps: ControllerDeps): Controller {
  const { registry, clock, events } = deps
  const deployments = registry.resource<Deployment>('apps', 'deployments')
  const replicaSets = registry.resource<ReplicaSet>('apps', 'replicasets')
  const dCache = deps.manager.informers.for<Deployment>('apps', 'deployments')
  const rsCache = deps.manager.informers.for<ReplicaSet>('apps', 'replicasets')
  const podCache = deps.manager.informers.for<PodObject>('', 'pods')

  /** The controlling Deployment of an RS, or (orphans) every Deployment whose selector matches it (getDeploymentsForReplicaSet). */
  function keysForReplicaSet(rs: KubeObject): string[] {
    const ns = rs.metadata.namespace ?? ''
    const ref = controllerOf(rs)
    if (ref) return isRef(ref, 'Deployment') ? [`${ns}/${ref.name}`] : []
    if (!rs.metadata.labels || Object.keys(rs.metadata.labels).length === 0) return []
    return dCache
      .list(ns)
      .filter((s) => {
        const sel = (s.obj as Deployment).spec?.selector
        return !labelSelectorIsEmpty(sel) && labelSelectorMatches(sel, rs.metadata.labels)
      })
      .map((s) => `${ns}/${s.obj.metadata.name}`)
  }

  /** Pods matter only to Recreate rollouts, which wait for old pods to be gone (deletePod). */
  function keysForPod(pod: KubeObject): string[] {
    const ns = pod.metadata.namespace ?? ''
    const ref = controllerOf(pod)
    if (!isRef(ref, 'ReplicaSet')) return []
    const owner = controllerOf(rsCache.get(ns, ref!.name)?.obj ?? { metadata: {} })
    if (!isRef(owner, 'Deployment')) return []
    const d = dCache.getObject(ns, owner!.name)
    return d?.spec?.strategy?.type === 'Recreate' ? [`${ns}/${owner!.name}`] : []
  }

  /** getReplicaSetsForDeployment: ClaimReplicaSets with adoption re-checked against the live Deployment. */
  async function claimReplicaSets(d: Deployment): Promise<ReplicaSet[]> {
    const ns = d.metadata.namespace ?? ''
    const out: ReplicaSet[] = []
    const matcher = selectorMatcher(d.spec?.selector)
    for (const s of rsCache.list(ns)) {
      const rs = s.obj as ReplicaSet
      const decision = claimDecision(d, matcher, rs)
      if (decision === 'keep') out.push(JSON.parse(s.json) as ReplicaSet)
      if (decision !== 'adopt' && decision !== 'release') continue
      const fresh = deployments.getStored(ns, d.metadata.name ?? '')?.obj
      if (decision === 'adopt' && (!fresh || fresh.metadata.uid !== d.metadata.uid || fresh.metadata.deletionTimestamp)) continue
      try {
        const res = await replicaSets.guaranteedUpdate(ns, rs.metadata.name ?? '', (cur) => {
          if (cur.metadata.uid !== rs.metadata.uid) throw StatusError.notFound(replicaSets.ref, rs.metadata.name ?? '')
          if (decision === 'release') return withoutOwner(cur, d.metadata.uid ?? '') as ReplicaSet
          return controllerOf(cur) ? cur : (withOwner(cur, newControllerRef(d, 'apps/v1', 'Deployment')) as ReplicaSet)
        })
        if (decision === 'adopt' && controllerOf(res.obj)?.uid === d.metadata.uid) out.push(JSON.parse(res.json) as ReplicaSet)
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err
      }
    }
    return out
  }

  /** getPodMapForDeployment: pods matching the selector, grouped by the uid of their (owned) RS. */
  function podMap(d: Deployment, rsList: ReplicaSet[]): Map<string, PodObject[]> {
    const ns = d.metadata.namespace ?? ''
    const matcher = selectorMatcher(d.spec?.selector)
    const owned = (uid: string) => podCache.controlledBy(uid).filter((p) => (p.metadata.namespace ?? '') === ns && matcher(p.metadata.labels))
    return new Map(rsList.map((rs) => [rs.metadata.uid ?? '', owned(rs.metadata.uid ?? '')]))
  }

  return {
    name: 'deployment',
    watches: [
      { group: 'apps', plural: 'deployments' },
      { group: 'apps', plural: 'replicasets', keys: keysForReplicaSet },
      { group: '', plural: 'pods', keys: keysForPod },
    ],
    async reconcile(key): Promise<ReconcileResult | void> {
      const [ns, name] = splitKey(key)
      const d = deployments.read(ns, name)
      if (!d) return
      if (labelSelectorIsEmpty(d.spec?.selector) && d.spec?.selector) {
        events.record(
          { component: 'deployment-controller' },
          d,
          'Warning',
          'SelectingAll',
          'This deployment is selecting all pods. A non-empty selector is required.',
        )
        if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
          await deployments.update(ns, name, { ...d, status: { ...d.status, observedGeneration: d.metadata.generation } }, { subresource: 'status' })
        }
        return
      }
      const rsList = await claimReplicaSets(d)
      const sync = new DeploymentSync({ deployments, replicaSets, events, clock }, d, rsList, () => podMap(d, rsList))
      if (d.metadata.deletionTimestamp) {
        await sync.syncStatusOnly()
        return
      }
      await sync.checkPausedConditions()
      if (sync.d.spec?.paused) await sync.sync()
      else if (await sync.isScalingEvent()) await sync.sync()
      else if (sync.d.spec?.strategy?.type === 'Recreate') await sync.rolloutRecreate()
      else await sync.rolloutRolling()
      if (sync.requeueAfterMs !== undefined) return { requeueAfterMs: sync.requeueAfterMs }
    },
  }
}
