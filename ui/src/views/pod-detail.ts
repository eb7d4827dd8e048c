/** @module ui/views/pod-detail: the side panel for one pod — spec, status, conditions, logs (following) and an exec terminal. */
import { browserTransport, control, stream } from '../api.js'
import { act, h } from '../dom.js'
import { podSummary } from '../pod-status.js'
import { Reflector, type KubeObject } from '../watch.js'
import { openTerminal } from './terminal.js'

/** Opens the panel in `root` for `key` (`namespace/name`); returns the function that closes it. */
export function openPodDetail(root: HTMLElement, key: string): () => void {
  const [ns, name] = key.split('/')
  let pod: KubeObject | undefined
  let logAbort: AbortController | undefined
  let term: { el: HTMLElement; close: () => void } | undefined
  const info = h('div', { class: 'pod-info' }, 'loading…')
  const logs = h('pre', { class: 'logs', 'data-role': 'logs' })
  const container = h('select', { 'data-role': 'container' })
  const command = h('input', { value: 'sh', size: 12, 'aria-label': 'command' })
  const termBox = h('div', {})

  const followLogs = () => {
    logAbort?.abort()
    logAbort = new AbortController()
    logs.textContent = ''
    const c = container.value
    const path = `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}/log?follow=true&tailLines=500${c ? `&container=${encodeURIComponent(c)}` : ''}`
    stream(
      path,
      (s) => {
        logs.textContent += s
        logs.scrollTop = logs.scrollHeight
      },
      logAbort.signal,
    ).catch((err: Error) => {
      if (err.name !== 'AbortError') logs.textContent += `\n[${err.message}]`
    })
  }
  const exec = () => {
    term?.close()
    term = openTerminal(ns, name, container.value, command.value)
    termBox.replaceChildren(term.el)
    term.el.focus()
  }

  const draw = () => {
    if (!pod) return
    const s = podSummary(pod)
    const names: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name)
    if ([...container.options].map((o) => o.value).join() !== names.join()) {
      container.replaceChildren(...names.map((n) => h('option', { value: n }, n)))
    }
    info.replaceChildren(
      h(
        'dl',
        {},
        h('dt', {}, 'status'),
        h('dd', { 'data-role': 'status' }, `${s.status} · ready ${s.ready} · restarts ${s.restarts}`),
        h('dt', {}, 'node'),
        h('dd', {}, pod.spec?.nodeName ?? '(not scheduled)'),
        h('dt', {}, 'pod IP'),
        h('dd', {}, pod.status?.podIP ?? ''),
        h('dt', {}, 'images'),
        h('dd', {}, (pod.spec?.containers ?? []).map((c: { image: string }) => c.image).join(', ')),
      ),
      h('h4', {}, 'conditions'),
      h(
        'table',
        { class: 'conditions' },
        ...(pod.status?.conditions ?? []).map((c: { type: string; status: string; reason?: string }) =>
          h('tr', {}, h('td', {}, c.type), h('td', {}, c.status), h('td', { class: 'dim' }, c.reason ?? '')),
        ),
      ),
      h(
        'details',
        {},
        h('summary', {}, 'spec and status (JSON)'),
        h('pre', { class: 'json' }, JSON.stringify({ spec: pod.spec, status: pod.status }, null, 2)),
      ),
    )
  }

  // The panel keeps its own watch on this one pod (the grid's copy is slimmed for scale).
  const reflector = new Reflector(
    'pod',
    `/api/v1/namespaces/${encodeURIComponent(ns)}/pods?fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`,
    browserTransport,
    {
      replace: (_r, items) => {
        pod = items[0]
        draw()
      },
      apply: (_r, e) => {
        pod = e.type === 'DELETED' ? undefined : e.object
        if (!pod) info.replaceChildren(h('p', { class: 'dim' }, 'deleted'))
        draw()
      },
    },
  )
  reflector.start()

  let close = () => {}
  root.replaceChildren(
    h('div', { class: 'panel-head' }, h('h3', { 'data-role': 'pod-name' }, key), h('button', { onclick: () => close() }, '✕')),
    info,
    h(
      'div',
      { class: 'row' },
      h('label', {}, 'container ', container),
      h('button', { onclick: followLogs }, 'follow logs'),
      h(
        'button',
        {
          title: 'POST /kubemock/v1/namespaces/NS/pods/NAME/crash',
          onclick: act(() => control.crash(ns, name, container.value), `${name}: container crashed`),
        },
        'crash container',
      ),
    ),
    logs,
    h('div', { class: 'row' }, command, h('button', { onclick: exec, 'data-action': 'exec' }, 'exec')),
    termBox,
  )
  root.hidden = false
  // The container list arrives with the pod; start following as soon as there is one.
  const first = setInterval(() => {
    if (container.value) {
      clearInterval(first)
      followLogs()
    }
  }, 100)
  close = () => {
    clearInterval(first)
    reflector.stop()
    logAbort?.abort()
    term?.close()
    root.hidden = true
    root.replaceChildren()
  }
  return close
}
