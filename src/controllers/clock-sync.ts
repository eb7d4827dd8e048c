/**
 * @module clock-sync: one simulated clock for all the kubemock processes on one etcd. The clock's
 * state lives in the kube-system ConfigMap `kubemock-clock` (the simulated time, the wall-clock
 * moment it was taken, the speed); a process that advances its clock or changes its speed (the
 * control API) writes it, and every other process follows: the same speed, and its clock moved
 * forward to the shared time (firing what falls due, as an advance does). Time never runs back.
 */
import type { Registry } from '../registry/registry.js'
import type { SimClock } from '../sim/clock.js'
import type { KubeObject } from '../types.js'
import type { InformerFactory } from './informers.js'

/** The kube-system ConfigMap the shared clock lives in. */
export const clockConfigMap = 'kubemock-clock'
const name = clockConfigMap

interface ClockState {
  now: number
  wall: number
  speed: number
}

function stateOf(obj: KubeObject | undefined): ClockState | undefined {
  const data = (obj as { data?: Record<string, string> } | undefined)?.data
  if (!data) return undefined
  const s = { now: Number(data.now), wall: Number(data.wall), speed: Number(data.speed) }
  return Number.isFinite(s.now) && Number.isFinite(s.wall) && Number.isFinite(s.speed) ? s : undefined
}

/** Shares `clock` through the store; returns the function that stops following. */
export function shareClock(registry: Registry, informers: InformerFactory, clock: SimClock): () => void {
  const configMaps = registry.resource('', 'configmaps')
  let applying = false
  let publishing: Promise<void> = Promise.resolve()

  const publish = () => {
    if (applying) return
    const data = { now: String(clock.now()), wall: String(Date.now()), speed: String(clock.speed) }
    publishing = publishing.then(async () => {
      try {
        if (configMaps.getStored('kube-system', name)) await configMaps.guaranteedUpdate('kube-system', name, (cm) => ({ ...cm, data }), { shallow: true })
        else await configMaps.create('kube-system', { metadata: { name, namespace: 'kube-system' }, data } as KubeObject)
      } catch {
        // Another process wrote it at the same moment: its state is followed instead.
      }
    })
  }

  const follow = async (obj: KubeObject) => {
    const s = stateOf(obj)
    if (!s) return
    applying = true
    try {
      if (clock.speed !== s.speed) clock.setSpeed(s.speed)
      const target = s.now + (s.speed > 0 ? (Date.now() - s.wall) * s.speed : 0)
      if (target > clock.now()) await clock.advance(target - clock.now())
    } finally {
      applying = false
    }
  }

  const inf = informers.for('', 'configmaps')
  const stop = inf.addHandler((ev) => {
    if (ev.type === 'DELETED' || ev.stored.obj.metadata.namespace !== 'kube-system' || ev.stored.obj.metadata.name !== name) return
    void follow(ev.stored.obj)
  })
  const existing = configMaps.getStored('kube-system', name)
  if (existing) void follow(existing.obj)
  else publish()
  clock.onChange = publish
  return () => {
    stop()
    clock.onChange = undefined
  }
}
