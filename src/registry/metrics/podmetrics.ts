/** @module podmetrics: metrics.k8s.io/v1beta1 PodMetrics (metrics-server 0.7 pkg/api/pod.go): computed from the usage model on every read. */
import { StatusError } from '../../errors.js'
import { metricsSourceFor } from '../../sim/usage/metrics-source.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { addQuantity, formatQuantity, quantity, zeroQuantity } from '../shared/quantity-format.js'
import { metricsColumns, podMetricsObject, type PodMetrics } from './metrics-objects.js'

/** The sum of one resource over a pod's containers, as the table prints it. */
function total(o: PodMetrics, resource: 'cpu' | 'memory'): string {
  return formatQuantity(o.containers.reduce((sum, c) => addQuantity(sum, quantity(c.usage[resource]) ?? zeroQuantity), zeroQuantity))
}

/** `pods` in metrics.k8s.io: namespaced, get and list; Running pods with a sample only, sorted by namespace and name. */
export const podMetrics: ResourceDefinition<PodMetrics> = {
  group: 'metrics.k8s.io',
  version: 'v1beta1',
  kind: 'PodMetrics',
  plural: 'pods',
  singular: '',
  namespaced: true,
  verbs: ['get', 'list'],
  computed(now, ctx) {
    const pods = ctx.registry.resource('', 'pods')
    return metricsSourceFor(ctx.registry)
      .pods(ctx.namespace ?? '')
      .map((s) => podMetricsObject(s, pods.getStored(s.namespace, s.name)?.obj.metadata.labels, now.getTime()))
  },
  computedGet(now, ctx, name) {
    const ns = ctx.namespace ?? ''
    // The pod lister answers first (`pods "x" not found`); a pod without a sample is `podmetrics… "ns/x" not found`.
    const pod = ctx.registry.resource('', 'pods').get(ns, name).obj
    const s = metricsSourceFor(ctx.registry).pod(ns, name)
    if (!s) throw StatusError.notFound({ group: 'metrics.k8s.io', resource: 'podmetrics' }, `${ns}/${name}`)
    return podMetricsObject(s, pod.metadata.labels, now.getTime())
  },
  columns: metricsColumns,
  row: (o) => [o.metadata.name ?? '', total(o, 'cpu'), total(o, 'memory'), o.window],
}
