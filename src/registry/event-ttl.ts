/**
 * @module event-ttl: kube-apiserver's `--event-ttl` (default 1 h) — every write of an Event
 * attaches a fresh etcd lease of that length, and the Event is deleted when the lease of its
 * latest write runs out; here on the simulated clock.
 */
import type { TimerHandle } from '../sim/clock.js'
import type { Registry } from './registry.js'

/** kube-apiserver's default `--event-ttl`: one hour. */
export const defaultEventTTLMs = 3_600_000

/** Expiries handled per clock turn, so a burst of them never blocks requests for long. */
const expireBatch = 2_000

interface Lease {
  at: number
  resource: string
  namespace: string
  name: string
  rv: number
}

/**
 * Follows every write of core/v1 and events.k8s.io/v1 Events and deletes each one `ttlMs` after
 * its latest write (an update renews the lease; the store delete is what etcd does on lease
 * expiry, so watchers see DELETED and no finalizer holds it). The TTL is the same for all, so the
 * leases expire in write order: a FIFO with one clock timer for its head. Returns the stop function.
 */
export function startEventTTL(registry: Registry, ttlMs = defaultEventTTLMs): () => void {
  const { store, clock } = registry
  const queue: Lease[] = []
  let head = 0
  let timer: TimerHandle | undefined
  let stopped = false

  const arm = () => {
    if (timer || stopped || head >= queue.length) return
    timer = clock.setTimer(Math.max(0, queue[head].at - clock.now()), expire)
  }

  async function expire(): Promise<void> {
    timer = undefined
    const now = clock.now()
    let n = 0
    while (head < queue.length && queue[head].at <= now && n++ < expireBatch) {
      const l = queue[head++]
      // Only the lease of the latest write counts: a renewed Event has a newer entry further on.
      if (store.get(l.resource, l.namespace, l.name)?.rv !== l.rv) continue
      try {
        await store.delete(l.resource, l.namespace, l.name, l.rv)
      } catch {
        // Deleted or rewritten meanwhile: nothing to expire.
      }
    }
    if (head > 4096 && head * 2 > queue.length) {
      queue.splice(0, head)
      head = 0
    }
    arm()
  }

  const stops: (() => void)[] = []
  for (const [group, plural] of [
    ['', 'events'],
    ['events.k8s.io', 'events'],
  ]) {
    const rs = registry.find(group, plural)
    if (!rs) continue
    const now = clock.now()
    for (const s of store.list(rs.key)) {
      queue.push({ at: now + ttlMs, resource: rs.key, namespace: s.obj.metadata.namespace ?? '', name: s.obj.metadata.name ?? '', rv: s.rv })
    }
    stops.push(
      store.watch(rs.key, undefined, store.currentRV(), (ev) => {
        if (ev.type === 'DELETED') return
        const m = ev.stored.obj.metadata
        queue.push({ at: clock.now() + ttlMs, resource: rs.key, namespace: m.namespace ?? '', name: m.name ?? '', rv: ev.stored.rv })
        arm()
      }),
    )
  }
  arm()
  return () => {
    stopped = true
    clock.clearTimer(timer)
    timer = undefined
    for (const s of stops) s()
  }
}
