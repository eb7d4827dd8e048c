/** @module ui/main: wires the page — token prompt, reflectors into the store, the views. */
import { browserTransport, HttpError, onUnauthorized, request, setToken, token } from './api.js'
import { byId, h, notify } from './dom.js'
import { nodeReady, slimNode, slimPod } from './pod-status.js'
import { Store } from './store.js'
import { Reflector } from './watch.js'
import { mountControls } from './views/controls.js'
import { mountEvents } from './views/events.js'
import { NodeGrid } from './views/nodes.js'
import { openPodDetail } from './views/pod-detail.js'
import { mountWorkloads } from './views/workloads.js'

/** What the page watches: resource name → collection path (all namespaces). */
const watched: Record<string, string> = {
  namespaces: '/api/v1/namespaces',
  nodes: '/api/v1/nodes',
  pods: '/api/v1/pods',
  deployments: '/apis/apps/v1/deployments',
  replicasets: '/apis/apps/v1/replicasets',
  events: '/api/v1/events',
}

const store = new Store({
  schedule: (fn) => requestAnimationFrame(fn),
  project: (resource, obj) => (resource === 'pods' ? slimPod(obj) : resource === 'nodes' ? slimNode(obj) : obj),
  limits: { events: 1000 },
})

const nsSelect = byId<HTMLSelectElement>('namespace')
const savedNs = new URLSearchParams(location.search).get('namespace') ?? sessionStorage.getItem('kubemock.namespace') ?? ''
const namespace = () => nsSelect.value

let closePanel: (() => void) | undefined
const panel = byId('panel')
const openPod = (key: string) => {
  closePanel?.()
  closePanel = openPodDetail(panel, key)
}

const grid = new NodeGrid(byId('nodes'), { store, namespace, onPod: openPod })
const drawWorkloads = mountWorkloads(byId('workloads'), store, namespace)
const drawEvents = mountEvents(byId('events'), store, namespace)
mountControls(byId('controls'))

nsSelect.addEventListener('change', () => {
  sessionStorage.setItem('kubemock.namespace', nsSelect.value)
  grid.refresh()
  drawWorkloads()
  drawEvents()
})

const summary = byId('summary')
store.subscribe((c) => {
  if (c.resources.has('namespaces')) {
    const names = [...store.all('namespaces').keys()].sort()
    const want = nsSelect.value || savedNs
    nsSelect.replaceChildren(h('option', { value: '' }, 'all namespaces'), ...names.map((n) => h('option', { value: n }, n)))
    nsSelect.value = names.includes(want) ? want : ''
  }
  if (c.resources.has('nodes') || c.resources.has('pods')) {
    let ready = 0
    for (const n of store.all('nodes').values()) if (nodeReady(n) === 'True') ready++
    summary.textContent = `${store.all('nodes').size} nodes (${ready} Ready) · ${store.all('pods').size} pods`
  }
})

// Token: asked for on the first 401, kept in sessionStorage, sent as Bearer and as the WebSocket subprotocol.
const dialog = byId<HTMLDialogElement>('token-dialog')
const tokenInput = byId<HTMLInputElement>('token')
let reflectors: Reflector[] = []
onUnauthorized(() => {
  if (!dialog.open) {
    tokenInput.value = ''
    dialog.showModal()
  }
})
byId('token-form').addEventListener('submit', () => {
  setToken(tokenInput.value.trim())
  start()
})
byId('logout').addEventListener('click', () => {
  setToken('')
  location.reload()
})

const connection = byId('connection')
function start(): void {
  for (const r of reflectors) r.stop()
  reflectors = Object.entries(watched).map(
    ([resource, path]) =>
      new Reflector(resource, path, browserTransport, store, {
        onState: (state, detail) => {
          connection.dataset.state = state
          connection.textContent = state === 'retrying' ? `${resource}: ${detail ?? 'retrying'}` : state
        },
      }),
  )
  for (const r of reflectors) r.start()
}

// One probe first: with --token and no token yet, it is the 401 that opens the dialog.
request('GET', '/version').then(
  (v) => {
    const version = v as { gitVersion?: string }
    byId('version').textContent = `Kubernetes ${version.gitVersion ?? ''}${token() ? ' · token set' : ''}`
    start()
  },
  (err: Error) => notify(err instanceof HttpError ? err.message : `cannot reach kubemock: ${err.message}`),
)

/** For the browser tests and the curious: the store and the grid's last draw time. */
;(window as unknown as { kubemockUi: unknown }).kubemockUi = { store, grid }
