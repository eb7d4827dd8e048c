/** @module ui/views/nodes: the node grid — one box per node with its pods inside, virtualised: only the boxes in view exist. */
import { control } from '../api.js'
import { act, h } from '../dom.js'
import { nodeReady, podSummary } from '../pod-status.js'
import type { Change, Store } from '../store.js'

/** A box's size in pixels, gap included: fixed, so the visible range is arithmetic, not layout. */
const boxWidth = 240
const boxHeight = 168
/** Pods drawn inside one box; more show as "+N". */
const maxChips = 30
/** The key used for the box of pods no node holds yet. */
const unscheduled = ''

/** Options for {@link NodeGrid}. */
export interface NodeGridOptions {
  store: Store
  /** The namespace whose pods are drawn ('' = all). */
  namespace: () => string
  onPod: (key: string) => void
}

/**
 * Draws nodes into `root` (a scrolling element): a spacer as tall as every row, and absolutely
 * placed boxes for the rows in view plus one above and below. Boxes are reused as the view
 * scrolls; a box is redrawn only when its node or one of its pods changed.
 */
export class NodeGrid {
  private readonly spacer: HTMLElement
  private order: string[] = []
  private orderDirty = true
  private readonly boxes = new Map<string, { el: HTMLElement; sig: string }>()
  private frame = 0
  /** Milliseconds the last draw took (the scale test reads it). */
  lastDrawMs = 0

  constructor(
    private readonly root: HTMLElement,
    private readonly opts: NodeGridOptions,
  ) {
    this.spacer = h('div', { class: 'spacer' })
    root.append(this.spacer)
    root.addEventListener('scroll', () => this.schedule(), { passive: true })
    new ResizeObserver(() => this.schedule()).observe(root)
    opts.store.subscribe((c) => this.changed(c))
  }

  /** Redraw everything in view (after a namespace change). */
  refresh(): void {
    for (const b of this.boxes.values()) b.sig = ''
    this.schedule()
  }

  private changed(c: Change): void {
    if (!c.resources.has('nodes') && !c.resources.has('pods')) return
    if (c.resources.has('nodes') || c.nodes.has(unscheduled)) this.orderDirty = true
    this.schedule()
  }

  private schedule(): void {
    if (this.frame) return
    this.frame = requestAnimationFrame(() => {
      this.frame = 0
      this.draw()
    })
  }

  private draw(): void {
    const t0 = performance.now()
    const store = this.opts.store
    if (this.orderDirty) {
      const names = [...store.all('nodes').keys()].sort()
      this.order = store.podKeysOn(unscheduled).size ? [unscheduled, ...names] : names
      this.orderDirty = false
    }
    const cols = Math.max(1, Math.floor(this.root.clientWidth / boxWidth))
    const rows = Math.ceil(this.order.length / cols)
    this.spacer.style.height = `${rows * boxHeight}px`
    const first = Math.max(0, Math.floor(this.root.scrollTop / boxHeight) - 1)
    const last = Math.min(rows - 1, Math.ceil((this.root.scrollTop + this.root.clientHeight) / boxHeight) + 1)
    const wanted = new Set<string>()
    for (let r = first; r <= last; r++)
      for (let c = 0; c < cols; c++) {
        const i = r * cols + c
        if (i < this.order.length) wanted.add(this.order[i])
      }
    const spare: HTMLElement[] = []
    for (const [name, b] of this.boxes)
      if (!wanted.has(name)) {
        spare.push(b.el)
        this.boxes.delete(name)
      }
    for (let r = first; r <= last; r++)
      for (let c = 0; c < cols; c++) {
        const i = r * cols + c
        if (i >= this.order.length) break
        const name = this.order[i]
        let b = this.boxes.get(name)
        if (!b) {
          const el = spare.pop() ?? this.root.appendChild(h('div', { class: 'node' }))
          b = { el, sig: '' }
          this.boxes.set(name, b)
        }
        b.el.style.transform = `translate(${c * boxWidth}px, ${r * boxHeight}px)`
        this.fill(name, b)
      }
    for (const el of spare) el.remove()
    this.lastDrawMs = performance.now() - t0
  }

  private fill(name: string, b: { el: HTMLElement; sig: string }): void {
    const store = this.opts.store
    const ns = this.opts.namespace()
    const node = name === unscheduled ? undefined : store.get('nodes', name)
    const ready = node ? nodeReady(node) : ''
    const cordoned = node?.spec?.unschedulable ? 'SchedulingDisabled' : ''
    const pods = [...store.podKeysOn(name)].filter((k) => !ns || k.startsWith(`${ns}/`)).sort()
    const drawn = pods.slice(0, maxChips).map((k) => ({ k, s: podSummary(store.get('pods', k)!) }))
    const sig = `${ready}|${cordoned}|${pods.length}|${drawn.map((p) => `${p.k}:${p.s.status}:${p.s.ready}:${p.s.restarts}`).join(',')}`
    if (sig === b.sig) return
    b.sig = sig
    const el = b.el
    el.dataset.node = name
    el.dataset.ready = ready
    el.className = `node ${name === unscheduled ? 'pending-box' : ready === 'True' ? 'ready' : 'notready'}`
    const head =
      name === unscheduled
        ? h('div', { class: 'node-head' }, h('span', { class: 'node-name' }, 'not scheduled'), h('span', { class: 'badge' }, String(pods.length)))
        : h(
            'div',
            { class: 'node-head' },
            // The cluster's common prefix (kubemock-) is dropped on screen: the box is narrow; the title has it all.
            h('span', { class: 'node-name', title: name }, name.replace(/^kubemock-/, '')),
            h('span', { class: `badge ${ready === 'True' ? 'ok' : 'bad'}`, 'data-role': 'ready' }, ready === 'True' ? 'Ready' : 'NotReady'),
            cordoned && h('span', { class: 'badge warn' }, cordoned),
            h(
              'button',
              {
                class: 'mini',
                'data-action': 'fail',
                title: 'stop this node’s kubelet (POST /kubemock/v1/nodes/NAME/fail)',
                onclick: act(() => control.failNode(name), `node ${name}: kubelet stopped`),
              },
              'fail',
            ),
            h(
              'button',
              {
                class: 'mini',
                'data-action': 'recover',
                title: 'restart its kubelet (POST …/recover)',
                onclick: act(() => control.recoverNode(name), `node ${name}: kubelet restarted`),
              },
              'recover',
            ),
          )
    const body = h('div', { class: 'node-pods' })
    for (const { k, s } of drawn) {
      const short = k.slice(k.indexOf('/') + 1)
      body.append(
        h(
          'span',
          {
            class: `pod ${s.tone}`,
            'data-pod': k,
            'data-status': s.status,
            title: `${k}\n${s.status}  ready ${s.ready}  restarts ${s.restarts}`,
            onclick: () => this.opts.onPod(k),
          },
          short,
          s.restarts ? h('sup', {}, String(s.restarts)) : null,
        ),
      )
    }
    if (pods.length > drawn.length) body.append(h('span', { class: 'more' }, `+${pods.length - drawn.length}`))
    el.replaceChildren(head, body)
  }
}
