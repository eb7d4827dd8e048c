/**
 * @module with-field-manager: a view of a registry whose writes are recorded under one field
 * manager (what a client's user agent is to upstream: `kube-controller-manager`, `kube-scheduler`,
 * `kubelet`). In-process controllers are handed such a view, so their fields show in
 * metadata.managedFields under their component's name. Per-cluster tables keyed by the registry
 * use RegistryMap, which sees through views to the registry itself.
 */
import type { AnyResourceStore, WriteOptions } from './generic-registry.js'
import type { Registry } from './registry.js'

const root = Symbol('registry')
const lookups = new Set<PropertyKey>(['resource', 'find', 'findVersion', 'forKind'])
const writes = new Set<PropertyKey>(['create', 'update', 'guaranteedUpdate'])
const views = new WeakMap<Registry, Map<string, Registry>>()

/** The view of `registry` whose stores write as `manager` unless a write names its own. */
export function withFieldManager(registry: Registry, manager: string): Registry {
  const base = registryRoot(registry)
  let byName = views.get(base)
  if (!byName) views.set(base, (byName = new Map()))
  let view = byName.get(manager)
  if (!view) {
    const stores = new WeakMap<AnyResourceStore, AnyResourceStore>()
    const wrap = (s: AnyResourceStore | undefined) => {
      if (!s) return s
      let w = stores.get(s)
      if (!w) stores.set(s, (w = storeAs(s, manager)))
      return w
    }
    view = new Proxy(base, {
      get(target, p) {
        if (p === root) return target
        const v = Reflect.get(target, p, target) as unknown
        if (typeof v !== 'function') return v
        if (lookups.has(p)) return (...args: unknown[]) => wrap((v as (...a: unknown[]) => AnyResourceStore | undefined).apply(target, args))
        return (v as (...a: unknown[]) => unknown).bind(target)
      },
    })
    byName.set(manager, view)
  }
  return view
}

/** The registry behind a view (the registry itself when it is not one). */
export function registryRoot(registry: Registry): Registry {
  return ((registry as unknown as Record<symbol, Registry | undefined>)[root] ?? registry) as Registry
}

/** A WeakMap keyed by cluster: a registry and its views share one entry. */
export class RegistryMap<V> {
  private readonly map = new WeakMap<Registry, V>()
  get(r: Registry): V | undefined {
    return this.map.get(registryRoot(r))
  }
  set(r: Registry, v: V): this {
    this.map.set(registryRoot(r), v)
    return this
  }
  has(r: Registry): boolean {
    return this.map.has(registryRoot(r))
  }
  delete(r: Registry): boolean {
    return this.map.delete(registryRoot(r))
  }
}

// The writes take their options last; a write that names a manager keeps it.
function storeAs(store: AnyResourceStore, manager: string): AnyResourceStore {
  return new Proxy(store, {
    get(target, p) {
      const v = Reflect.get(target, p, target) as unknown
      if (typeof v !== 'function') return v
      if (!writes.has(p)) return (v as (...a: unknown[]) => unknown).bind(target)
      const arity = p === 'create' ? 2 : 3
      return (...args: unknown[]) => {
        const opts = (args[arity] as WriteOptions | undefined) ?? {}
        args[arity] = opts.fieldManager === undefined ? { ...opts, fieldManager: manager } : opts
        return (v as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
}
