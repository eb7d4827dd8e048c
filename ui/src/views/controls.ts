/** @module ui/views/controls: the simulation's controls, each one call of the control API (README "Control API"). */
import { control } from '../api.js'
import { act, h, notify } from '../dom.js'

/** Fills `root` with the clock, image, fault and snapshot controls; polls the clock once a second. */
export function mountControls(root: HTMLElement): void {
  const now = h('span', { 'data-role': 'clock' }, '…')
  const speed = h('input', { type: 'number', min: 0, step: 'any', value: 1, size: 4, 'aria-label': 'speed' })
  const pause = h('button', {}, 'pause')
  const seconds = h('input', { type: 'number', min: 1, value: 60, size: 4, 'aria-label': 'seconds to advance' })
  let lastSpeed = 1
  let current = 1
  const refresh = async () => {
    const c = await control.clock()
    current = c.speed
    now.textContent = `${c.now.replace('T', ' ').replace(/\.\d+Z$/, 'Z')} · ${c.mode === 'manual' ? 'paused' : `${c.speed}×`}`
    pause.textContent = c.speed === 0 ? 'resume' : 'pause'
  }
  const tick = () => void refresh().catch(() => {})
  tick()
  setInterval(tick, 1000)
  pause.addEventListener(
    'click',
    act(async () => {
      if (current !== 0) lastSpeed = current
      await control.setSpeed(current === 0 ? lastSpeed || 1 : 0)
      await refresh()
    }),
  )

  const image = h('input', { placeholder: 'nginx:1.16.0', size: 14, 'aria-label': 'image' })
  const fault = {
    verb: h(
      'select',
      { 'aria-label': 'verb' },
      ...['', 'get', 'list', 'watch', 'create', 'update', 'patch', 'delete'].map((v) => h('option', { value: v }, v || 'any verb')),
    ),
    resource: h('input', { placeholder: 'pods', size: 10, 'aria-label': 'resource' }),
    status: h('select', { 'aria-label': 'status' }, ...[500, 503, 429, 409, 404, 403].map((s) => h('option', { value: s }, String(s)))),
    count: h('input', { type: 'number', min: 1, value: 1, size: 3, 'aria-label': 'count' }),
  }
  const faultList = h('span', { class: 'dim', 'data-role': 'faults' })
  const showFaults = async () => {
    const f = await control.faults()
    faultList.textContent = f.items.length
      ? f.items.map((x) => `${x.id}: ${x.verb ?? '*'} ${x.resource ?? '*'} → ${x.status ?? '?'} (${x.hits} hits, ${x.remaining ?? '∞'} left)`).join('; ')
      : 'no faults'
  }
  const file = h('input', { type: 'file', accept: '.yaml,.yml,.json', hidden: true })
  file.addEventListener('change', () => {
    const f = file.files?.[0]
    if (f) act(async () => control.restore(await f.text()), `restored ${f.name}`)()
    file.value = ''
  })

  root.replaceChildren(
    h(
      'fieldset',
      {},
      h('legend', {}, 'clock'),
      now,
      ' ',
      pause,
      ' speed ',
      speed,
      h(
        'button',
        {
          onclick: act(async () => {
            await control.setSpeed(Number(speed.value))
            await refresh()
          }),
        },
        'set',
      ),
      ' ',
      seconds,
      h(
        'button',
        {
          'data-action': 'advance',
          onclick: act(async () => {
            await control.advance(Number(seconds.value))
            await refresh()
          }),
        },
        's advance',
      ),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'image'),
      image,
      h('button', { onclick: act(() => control.failImage(image.value), `pulls of ${image.value} now fail`) }, 'fail'),
      h('button', { onclick: act(() => control.restoreImage(image.value), `pulls of ${image.value} work again`) }, 'restore'),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'API fault'),
      fault.verb,
      fault.resource,
      fault.status,
      ' ×',
      fault.count,
      h(
        'button',
        {
          onclick: act(async () => {
            const spec: Record<string, unknown> = { status: Number(fault.status.value), count: Number(fault.count.value) }
            if (fault.verb.value) spec.verb = fault.verb.value
            if (fault.resource.value) spec.resource = fault.resource.value
            await control.addFault(spec)
            await showFaults()
          }),
        },
        'inject',
      ),
      h(
        'button',
        {
          onclick: act(async () => {
            await control.clearFaults()
            await showFaults()
          }),
        },
        'clear',
      ),
      ' ',
      faultList,
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'cluster'),
      h(
        'button',
        {
          onclick: act(async () => {
            const yaml = await control.snapshot()
            const a = h('a', { href: URL.createObjectURL(new Blob([yaml], { type: 'application/yaml' })), download: 'kubemock-snapshot.yaml' })
            a.click()
            URL.revokeObjectURL(a.href)
          }, 'snapshot saved'),
        },
        'snapshot',
      ),
      h('button', { onclick: () => file.click() }, 'restore…'),
      file,
      h(
        'button',
        { onclick: act(() => (confirm('Reset the cluster to its initial objects?') ? control.reset() : Promise.resolve()), 'cluster reset') },
        'reset',
      ),
    ),
  )
  void showFaults().catch((err: Error) => notify(err.message))
}
