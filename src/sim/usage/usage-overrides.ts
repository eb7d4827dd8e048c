/**
 * @module usage-overrides: the usage the control API sets (`PUT /kubemock/v1/namespaces/NS/pods/NAME/usage`
 * and `PUT /kubemock/v1/namespaces/NS/usage?labelSelector=…`), one table per cluster.
 */
import { StatusError } from '../../errors.js'
import type { Registry } from '../../registry/registry.js'
import { invalid } from '../../registry/shared/field-errors.js'
import { quantity } from '../../registry/shared/quantity-format.js'
import { matchRequirements, parseLabelSelector, type Requirement } from '../../store/selectors.js'
import type { FieldError } from '../../types.js'
import { RegistryMap } from '../../registry/with-field-manager.js'

/** CPU (nanocores) and memory (bytes) a container is told to use; either may be absent. */
export interface UsageValues {
  cpuNanoCores?: number
  memoryBytes?: number
}

/** One override: values for every container, and per container by name (these win). */
export interface UsageOverride extends UsageValues {
  containers: Record<string, UsageValues>
}

/** The body as the control API takes it (quantities as strings, or numbers). */
export interface UsageOverrideBody {
  cpu?: string | number
  memory?: string | number
  containers?: { name: string; cpu?: string | number; memory?: string | number }[]
}

interface SelectorOverride {
  selector: string
  requirements: Requirement[]
  override: UsageOverride
}

const bad = (why: string) => StatusError.badRequest(`invalid control request: ${why}`)

/**
 * Checks and converts a body: a non-object or an unknown field is a 400 (`invalid control
 * request: …`), a value that is not a non-negative Kubernetes quantity a 422 naming the field.
 */
export function parseUsageOverride(body: unknown, name: string): UsageOverride {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw bad('the body must be a JSON object such as {"cpu":"500m","memory":"200Mi"}')
  const b = body as Record<string, unknown>
  for (const k of Object.keys(b)) if (!['cpu', 'memory', 'containers'].includes(k)) throw bad(`unknown field "${k}"`)
  const errors: FieldError[] = []
  const values = (o: Record<string, unknown>, path: string): UsageValues => {
    const out: UsageValues = {}
    for (const [key, field] of [
      ['cpu', 'cpuNanoCores'],
      ['memory', 'memoryBytes'],
    ] as const) {
      const v = o[key]
      if (v === undefined || v === null) continue
      if (typeof v !== 'string' && typeof v !== 'number') throw bad(`${path}${key}: must be a quantity string such as "500m" or "200Mi"`)
      const q = quantity(v)
      if (!q || q.nanos < 0n) {
        errors.push(
          invalid(
            `${path}${key}`,
            v,
            q ? 'must be greater than or equal to 0' : "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
          ),
        )
        continue
      }
      // CPU is kept in nanocores, memory in bytes (rounded up, as Quantity.Value() does).
      out[field] = key === 'cpu' ? Number(q.nanos) : Math.ceil(Number(q.nanos) / 1e9)
    }
    return out
  }
  const override: UsageOverride = { ...values(b, ''), containers: {} }
  if (b.containers !== undefined) {
    if (!Array.isArray(b.containers)) throw bad('containers: must be a list of {"name":…,"cpu":…,"memory":…}')
    b.containers.forEach((c, i) => {
      if (!c || typeof c !== 'object' || Array.isArray(c)) throw bad(`containers[${i}]: must be an object`)
      const co = c as Record<string, unknown>
      for (const k of Object.keys(co)) if (!['name', 'cpu', 'memory'].includes(k)) throw bad(`containers[${i}]: unknown field "${k}"`)
      if (typeof co.name !== 'string' || !co.name) {
        errors.push({ type: 'FieldValueRequired', field: `containers[${i}].name` })
        return
      }
      override.containers[co.name] = values(co, `containers[${i}].`)
    })
  }
  if (errors.length) throw StatusError.invalid('Usage', '', name, errors)
  return override
}

/** The overrides of one cluster: per pod (`namespace/name`) and per namespace + label selector. */
export class UsageOverrides {
  private readonly byPod = new Map<string, UsageOverride>()
  private readonly bySelector = new Map<string, SelectorOverride[]>()
  /** Called with the namespace on every change, so that readers deciding once (the OOM killer) look again. */
  private listeners: ((namespace: string) => void)[] = []

  /** Calls `fn` with the namespace after every change. */
  onChange(fn: (namespace: string) => void): void {
    this.listeners.push(fn)
  }

  private changed(namespace: string): void {
    for (const fn of this.listeners) fn(namespace)
  }

  setPod(namespace: string, name: string, o: UsageOverride): void {
    this.byPod.set(`${namespace}/${name}`, o)
    this.changed(namespace)
  }

  /** Whether there was one to remove. */
  deletePod(namespace: string, name: string): boolean {
    const had = this.byPod.delete(`${namespace}/${name}`)
    if (had) this.changed(namespace)
    return had
  }

  /** Sets the override for the pods `selector` matches (a bad selector is a 400); replaces one with the same selector. */
  setSelector(namespace: string, selector: string, o: UsageOverride): void {
    const requirements = StatusError.fromStore(() => parseLabelSelector(selector))
    const list = (this.bySelector.get(namespace) ?? []).filter((s) => s.selector !== selector)
    list.push({ selector, requirements, override: o })
    this.bySelector.set(namespace, list)
    this.changed(namespace)
  }

  /** Removes the override of `selector` (every selector of the namespace when undefined); whether one was removed. */
  deleteSelector(namespace: string, selector: string | undefined): boolean {
    const list = this.bySelector.get(namespace) ?? []
    const kept = selector === undefined ? [] : list.filter((s) => s.selector !== selector)
    if (kept.length) this.bySelector.set(namespace, kept)
    else this.bySelector.delete(namespace)
    const had = kept.length !== list.length
    if (had) this.changed(namespace)
    return had
  }

  /** The values for one container: the pod's own override, else the newest matching selector's; container entries win over the top level. */
  forContainer(namespace: string, name: string, labels: Record<string, string>, container: string): UsageValues | undefined {
    const own = this.byPod.get(`${namespace}/${name}`)
    const sel = (this.bySelector.get(namespace) ?? []).findLast((s) => matchRequirements(s.requirements, labels))?.override
    const o = own ?? sel
    if (!o) return undefined
    const c = o.containers[container]
    const cpu = c?.cpuNanoCores ?? o.cpuNanoCores
    const memory = c?.memoryBytes ?? o.memoryBytes
    if (cpu === undefined && memory === undefined) return undefined
    return { cpuNanoCores: cpu, memoryBytes: memory }
  }

  /** Whether any override exists (the model skips the lookups otherwise). */
  get empty(): boolean {
    return this.byPod.size === 0 && this.bySelector.size === 0
  }

  clear(): void {
    this.byPod.clear()
    this.bySelector.clear()
  }
}

const tables = new RegistryMap<UsageOverrides>()

/** The cluster's override table (created on first use). */
export function usageOverridesFor(registry: Registry): UsageOverrides {
  let t = tables.get(registry)
  if (!t) tables.set(registry, (t = new UsageOverrides()))
  return t
}
