/** @module nodemetrics: metrics.k8s.io/v1beta1 NodeMetrics (metrics-server 0.7 pkg/api/node.go): computed from the usage model on every read. */
import { StatusError } from '../../errors.js'
import { metricsSourceFor } from '../../sim/usage/metrics-source.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { metricsColumns, nodeMetricsObject, type NodeMetrics } from './metrics-objects.js'

/** `nodes` in metrics.k8s.io: cluster-scoped, get and list; a node without a sample is NotFound. */
export const nodeMetrics: ResourceDefinition<NodeMetrics> = {
  group: 'metrics.k8s.io',
  version: 'v1beta1',
  kind: 'NodeMetrics',
  plural: 'nodes',
  singular: '',
  namespaced: false,
  verbs: ['get', 'list'],
  computed(now, ctx) {
    const labels = new Map(
      ctx.registry
        .resource('', 'nodes')
        .list(undefined)
        .items.map((s) => [s.obj.metadata.name, s.obj.metadata.labels]),
    )
    return metricsSourceFor(ctx.registry)
      .nodes()
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((s) => nodeMetricsObject(s, labels.get(s.name), now.getTime()))
  },
  computedGet(now, ctx, name) {
    const nodes = ctx.registry.resource('', 'nodes')
    // The node lister answers first (`nodes "x" not found`), then the metrics storage.
    const node = nodes.get('', name).obj
    const s = metricsSourceFor(ctx.registry).node(name)
    if (!s) throw StatusError.notFound({ group: 'metrics.k8s.io', resource: 'nodemetrics' }, name)
    return nodeMetricsObject(s, node.metadata.labels, now.getTime())
  },
  columns: metricsColumns,
  row: (o) => [o.metadata.name ?? '', o.usage.cpu, o.usage.memory, o.window],
}
