/** @module ui/views/workloads: Deployments with their ReplicaSets as revision history (newest first). */
import { h } from '../dom.js'
import type { Store } from '../store.js'
import type { KubeObject } from '../watch.js'

/** Deployments drawn at most (a namespace with more shows the first ones by name). */
const maxShown = 100

const revisionOf = (rs: KubeObject): number => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0)

/** Redraws `root` whenever Deployments or ReplicaSets change (once per store flush). */
export function mountWorkloads(root: HTMLElement, store: Store, namespace: () => string): () => void {
  const draw = () => {
    const ns = namespace()
    const deps = [...store.all('deployments').values()].filter((d) => !ns || d.metadata.namespace === ns)
    deps.sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name))
    const byOwner = new Map<string, KubeObject[]>()
    for (const rs of store.all('replicasets').values()) {
      const owner = rs.metadata.ownerReferences?.find((o) => o.controller && o.kind === 'Deployment')
      if (!owner) continue
      let list = byOwner.get(owner.uid)
      if (!list) byOwner.set(owner.uid, (list = []))
      list.push(rs)
    }
    const items = deps.slice(0, maxShown).map((d) => {
      const st = d.status ?? {}
      const history = (byOwner.get(d.metadata.uid ?? '') ?? []).sort((a, b) => revisionOf(b) - revisionOf(a))
      return h(
        'li',
        { class: 'deployment', 'data-deployment': `${d.metadata.namespace}/${d.metadata.name}` },
        h(
          'div',
          { class: 'dep-head' },
          h('b', {}, d.metadata.name),
          ns ? null : h('span', { class: 'dim' }, ` ${d.metadata.namespace}`),
          h('span', { class: 'dep-ready', 'data-role': 'ready' }, ` ${st.readyReplicas ?? 0}/${d.spec?.replicas ?? 1} ready`),
          h('span', { class: 'dim' }, ` · ${st.updatedReplicas ?? 0} up-to-date · ${st.availableReplicas ?? 0} available`),
        ),
        h(
          'ol',
          { class: 'revisions' },
          ...history.map((rs) =>
            h(
              'li',
              { 'data-replicaset': rs.metadata.name, class: (rs.spec?.replicas ?? 0) > 0 ? 'live' : 'old' },
              `rev ${revisionOf(rs)}  ${rs.metadata.name}  ${rs.status?.readyReplicas ?? 0}/${rs.spec?.replicas ?? 0}  `,
              h('code', {}, (rs.spec?.template?.spec?.containers ?? []).map((c: { image: string }) => c.image).join(', ')),
            ),
          ),
        ),
      )
    })
    if (deps.length > maxShown) items.push(h('li', { class: 'dim' }, `… ${deps.length - maxShown} more`))
    root.replaceChildren(...(items.length ? items : [h('li', { class: 'dim' }, 'no Deployments')]))
  }
  store.subscribe((c) => {
    if (c.resources.has('deployments') || c.resources.has('replicasets')) draw()
  })
  return draw
}
