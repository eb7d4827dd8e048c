/** @module events: records core/v1 Events the way client-go's recorder does (named, aggregated, counted). */
import { defaultEventTTLMs, startEventTTL } from '../registry/event-ttl.js'
import type { Registry } from '../registry/registry.js'
import type { Clock } from '../sim/clock.js'
import type { KubeObject } from '../types.js'
import { GenerationalLru } from '../util/lru.js'
import { rfc3339 } from '../util/time.js'

// client-go tools/record/events_cache.go defaults.
const aggregateMaxEvents = 10
const aggregateIntervalMs = 600_000
const spamBurst = 25
const spamRefillPerMs = 1 / 300_000
/** Entries per cache generation (client-go keeps 4,096 per process; here one recorder serves every component). */
const cacheGeneration = 5_000

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

/** Emits Events about objects, correlated as client-go's recorder does (counted, aggregated, rate-limited). */
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
  // client-go's EventCorrelator, with its LRUs as generational caches: events that differ only
  // in message are aggregated (10 distinct messages within 10 min become one "(combined from
  // similar events)" Event), identical ones are counted into the Event first written, and a
  // token bucket per source and object (burst 25, one more every 5 min) drops the rest. So a
  // ReplicaSet creating 10,000 pods records about 25 events, as on a real cluster.
  const aggregates = new GenerationalLru<string, { messages: Set<string>; last: number }>(cacheGeneration)
  const observations = new GenerationalLru<string, { count: number; first: string; name: string }>(cacheGeneration)
  const buckets = new GenerationalLru<string, { tokens: number; at: number }>(cacheGeneration)
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
      const m = obj.metadata
      const objectKey = [source.component, source.host ?? '', obj.kind, m.namespace ?? '', m.name, m.uid ?? '', obj.apiVersion].join('\u0000')
      // EventAggregate: similar events (same object, type and reason) by distinct message.
      const aggregateKey = `${objectKey}\u0000${type}\u0000${reason}`
      let agg = aggregates.get(aggregateKey)
      if (!agg || now - agg.last > aggregateIntervalMs) agg = { messages: new Set(), last: now }
      agg.messages.add(message)
      agg.last = now
      aggregates.set(aggregateKey, agg)
      let cacheKey = `${aggregateKey}\u0000${opts.fieldPath ?? ''}\u0000${message}`
      let text = message
      if (agg.messages.size >= aggregateMaxEvents) {
        // The set stays below the threshold, so every further distinct message aggregates too.
        agg.messages.delete(agg.messages.values().next().value as string)
        cacheKey = aggregateKey
        text = `(combined from similar events): ${message}`
      }
      // eventObserve: a repeat takes the first occurrence's name and counts up.
      const prev = observations.get(cacheKey)
      const count = prev ? prev.count + 1 : 1
      // Names are <object>.<hex nanoseconds>, unique per event.
      const name = prev ? prev.name : `${m.name}.${(nanos + BigInt(seq++ % 1_000_000)).toString(16)}`
      const firstTimestamp = prev ? prev.first : stamp
      observations.set(cacheKey, { count, first: firstTimestamp, name })
      // EventSourceObjectSpamFilter: a token bucket per source and object.
      let bucket = buckets.get(objectKey)
      if (!bucket) bucket = { tokens: spamBurst, at: now }
      else {
        bucket.tokens = Math.min(spamBurst, bucket.tokens + (now - bucket.at) * spamRefillPerMs)
        bucket.at = now
      }
      buckets.set(objectKey, bucket)
      if (bucket.tokens < 1) return
      bucket.tokens -= 1
      // recordToSink, in the background as client-go's broadcaster: patch the existing Event;
      // create it (again) when it is gone. It never fails: Events are best effort.
      const at = stamp
      void (async () => {
        if (count > 1 && events.getStored(namespace, name)) {
          try {
            await events.guaranteedUpdate(
              namespace,
              name,
              (e) => {
                e.count = count
                e.lastTimestamp = at
                e.message = text
                return e
              },
              { trusted: true, shallow: true },
            )
            return
          } catch {
            // fall through and create it
          }
        }
        try {
          await events.create(
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
              message: text,
              source: { component: source.component, ...(source.host ? { host: source.host } : {}) },
              firstTimestamp,
              lastTimestamp: at,
              count,
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
      })()
    },
  }
}
