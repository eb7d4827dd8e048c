/** @module ui/views/events: the newest Events of the namespace, as a stream (newest on top). */
import { h } from '../dom.js'
import type { Store } from '../store.js'
import type { KubeObject } from '../watch.js'

/** Rows drawn. */
const shown = 150

const timeOf = (e: KubeObject): string => e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? ''

/** Redraws `root` whenever Events change (once per store flush). */
export function mountEvents(root: HTMLElement, store: Store, namespace: () => string): () => void {
  const draw = () => {
    const ns = namespace()
    const events = [...store.all('events').values()].filter((e) => !ns || e.metadata.namespace === ns)
    events.sort((a, b) => timeOf(b).localeCompare(timeOf(a)))
    root.replaceChildren(
      ...events.slice(0, shown).map((e) =>
        h(
          'tr',
          { class: e.type === 'Warning' ? 'warning' : '' },
          h(
            'td',
            { class: 'dim' },
            timeOf(e)
              .replace('T', ' ')
              .replace(/(\.\d+)?Z$/, ''),
          ),
          h('td', {}, e.reason ?? ''),
          h('td', {}, `${(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}`),
          h('td', {}, e.message ?? ''),
          h('td', { class: 'dim' }, e.count && e.count > 1 ? `×${e.count}` : ''),
        ),
      ),
    )
  }
  store.subscribe((c) => {
    if (c.resources.has('events')) draw()
  })
  return draw
}
