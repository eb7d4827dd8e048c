/** @module events: records core/v1 Events the way client-go's recorder does (named, aggregated, counted). */
import { defaultEventTTLMs, startEventTTL } from '../registry/event-ttl.js'
import type { Registry } from '../registry/registry.js'
import type { Clock } from '../sim/clock.js'
import type { KubeObject } from '../types.js'
import { rfc3339 } from '../util/time.js'

export interface EventSource {
  /** `kubelet`, `default-scheduler`, `deployment-controller`, … */
  component: string
  /** The node, for kubelet events. */
  host?: string
}

export interface EventOptions {
  /** involvedObject.fieldPath, e.g. `spec.containers{nginx}`. */
  fieldPath?: string
}

/** Emits Events about objects. Identical events within the aggregation window bump `count`. */
export interface EventRecorder {
  record(source: EventSource, obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, opts?: EventOptions): void
}

/** Options of {@link createEventRecorder}. */
export interface EventRecorderOptions {
  /**
   * The apiserver's `--event-ttl` in simulated ms (default 1 h): Events are deleted this long
   * after their latest write. 0 keeps them forever.
   */
  ttlMs?: number
}

/**
 * Writes Events through the registry (so `kubectl describe` and `get events` see them), and runs
 * the apiserver's event TTL over that registry's Events: at 100,000 pods the ~5 Events each pod
 * start records would otherwise stay for good (≈2 KB of memory apiece).
 */
export function createEventRecorder(registry: Registry, clock: Clock, opts: EventRecorderOptions = {}): EventRecorder {
  const events = registry.resource('', 'events')
  const ttlMs = opts.ttlMs ?? defaultEventTTLMs
  if (ttlMs > 0) startEventTTL(registry, ttlMs)
  // The recorder names each distinct event once and updates it on repeats (EventCorrelator).
  // Two generations of 5,000 stand in for an LRU of 10,000: deleting a Map's oldest entry one at a
  // time made V8 skip ever more deleted slots to find the next oldest (most of the recorder's time
  // at 100,000 pods).
  let known = new Map<string, { namespace: string; name: string }>()
  let older = new Map<string, { namespace: string; name: string }>()
  let seq = 0
  // Timestamps and name stems change once per simulated millisecond, not per event.
  let stampAt = Number.NaN
  let stamp = ''
  let nanos = 0n
  return {
    record(source, obj, type, reason, message, opts = {}) {
      const now = clock.now()
      if (now !== stampAt) {
        stampAt = now
        stamp = rfc3339(now)
        nanos = BigInt(now) * 1_000_000n
      }
      const namespace = obj.metadata.namespace || 'default'
      const key = [obj.metadata.uid, obj.kind, obj.metadata.name, opts.fieldPath ?? '', reason, message, source.component, source.host ?? '', type].join(
        '\u0000',
      )
      const prev = known.get(key) ?? older.get(key)
      if (prev && events.getStored(prev.namespace, prev.name)) {
        try {
          events.guaranteedUpdate(
            prev.namespace,
            prev.name,
            (e) => {
              e.count = ((e.count as number | undefined) ?? 1) + 1
              e.lastTimestamp = stamp
              return e
            },
            { trusted: true, shallow: true },
          )
          return
        } catch {
          // fall through and create a fresh event
        }
      }
      // Names are <object>.<hex nanoseconds>, unique per event.
      const name = `${obj.metadata.name}.${(nanos + BigInt(seq++ % 1_000_000)).toString(16)}`
      if (known.size >= 5_000) {
        older = known
        known = new Map()
      }
      known.set(key, { namespace, name })
      try {
        events.create(
          namespace,
          {
            metadata: { name, namespace },
            involvedObject: {
              kind: obj.kind,
              namespace: obj.metadata.namespace,
              name: obj.metadata.name,
              uid: obj.metadata.uid,
              apiVersion: obj.apiVersion,
              resourceVersion: obj.metadata.resourceVersion,
              ...(opts.fieldPath ? { fieldPath: opts.fieldPath } : {}),
            },
            reason,
            message,
            source: { component: source.component, ...(source.host ? { host: source.host } : {}) },
            firstTimestamp: stamp,
            lastTimestamp: stamp,
            count: 1,
            type,
            eventTime: null,
            reportingComponent: source.component,
            reportingInstance: source.host ?? '',
          },
          { trusted: true },
        )
      } catch {
        // Events are best effort, as in client-go (a terminating namespace refuses them).
      }
    },
  }
}
