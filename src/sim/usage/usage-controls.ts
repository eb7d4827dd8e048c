/**
 * @module usage-controls: what the control API's usage endpoints do (set and remove the usage
 * overrides of a pod or of a namespace's pods by label selector), with their checks and answers.
 */
import { StatusError } from '../../errors.js'
import type { Registry } from '../../registry/registry.js'
import { notFound } from '../../registry/shared/field-errors.js'
import { formatQuantity } from '../../registry/shared/quantity-format.js'
import type { FieldError } from '../../types.js'
import { parseUsageOverride, usageOverridesFor, type UsageOverride, type UsageValues } from './usage-overrides.js'

/** An override as the endpoints echo it: canonical quantities. */
export interface UsageOverrideView {
  cpu?: string
  memory?: string
  containers?: { name: string; cpu?: string; memory?: string }[]
}

const text = (v: UsageValues) => ({
  ...(v.cpuNanoCores !== undefined ? { cpu: formatQuantity({ nanos: BigInt(v.cpuNanoCores), format: 'DecimalSI' }) } : {}),
  ...(v.memoryBytes !== undefined ? { memory: formatQuantity({ nanos: BigInt(v.memoryBytes) * 1_000_000_000n, format: 'BinarySI' }) } : {}),
})

/** The canonical view of an override. */
export function overrideView(o: UsageOverride): UsageOverrideView {
  const containers = Object.entries(o.containers).map(([name, v]) => ({ name, ...text(v) }))
  return { ...text(o), ...(containers.length ? { containers } : {}) }
}

const pods = { group: '', resource: 'pods' }
const namespaces = { group: '', resource: 'namespaces' }

/** PUT …/namespaces/NS/pods/NAME/usage: 404 for a missing pod, 422 for a container the pod does not have. */
export function setPodUsage(registry: Registry, namespace: string, name: string, body: unknown): { namespace: string; pod: string; usage: UsageOverrideView } {
  const pod = registry.resource('', 'pods').getStored(namespace, name)
  if (!pod) throw StatusError.notFound(pods, name)
  const o = parseUsageOverride(body, name)
  const spec = pod.obj.spec as { containers?: { name: string }[]; initContainers?: { name: string }[] } | undefined
  const names = new Set([...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c) => c.name))
  const errors: FieldError[] = Object.keys(o.containers).flatMap((c, i) => (names.has(c) ? [] : [notFound(`containers[${i}].name`, c)]))
  if (errors.length) throw StatusError.invalid('Usage', '', name, errors)
  usageOverridesFor(registry).setPod(namespace, name, o)
  return { namespace, pod: name, usage: overrideView(o) }
}

/** DELETE …/namespaces/NS/pods/NAME/usage: back to the model (200 whether or not there was an override). */
export function clearPodUsage(registry: Registry, namespace: string, name: string): { namespace: string; pod: string; removed: boolean } {
  return { namespace, pod: name, removed: usageOverridesFor(registry).deletePod(namespace, name) }
}

/** PUT …/namespaces/NS/usage?labelSelector=S: every matching pod of the namespace, now and later; 404 for a missing namespace. */
export function setNamespaceUsage(
  registry: Registry,
  namespace: string,
  selector: string,
  body: unknown,
): { namespace: string; labelSelector: string; usage: UsageOverrideView } {
  if (!registry.resource('', 'namespaces').getStored('', namespace)) throw StatusError.notFound(namespaces, namespace)
  const o = parseUsageOverride(body, namespace)
  usageOverridesFor(registry).setSelector(namespace, selector, o)
  return { namespace, labelSelector: selector, usage: overrideView(o) }
}

/** DELETE …/namespaces/NS/usage[?labelSelector=S]: that selector's override, or every one of the namespace without one. */
export function clearNamespaceUsage(registry: Registry, namespace: string, selector: string | undefined): { namespace: string; removed: boolean } {
  return { namespace, removed: usageOverridesFor(registry).deleteSelector(namespace, selector) }
}
