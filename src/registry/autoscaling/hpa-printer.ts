/** @module hpa-printer: formatHPAMetrics of pkg/printers/internalversion/printers.go, the TARGETS column of `kubectl get hpa`. */
import type { MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js'
import { canonicalQuantity } from '../shared/quantity-format.js'

/** Quantity.String() (canonical: `0.5` prints as `500m`); `<nil>` for a missing pointer, as fmt prints it. */
const q = (v: string | number | undefined): string => (v === undefined ? '<nil>' : canonicalQuantity(v))

/** One metric as `current/target`: `cpu: <unknown>/80%`, `5/10 (avg)`, `<unknown type>`. */
function formatMetric(spec: MetricSpec, status: MetricStatus | undefined): string {
  switch (spec.type) {
    case 'External': {
      const t = spec.external?.target
      const cur = status?.external?.current
      if (t?.averageValue !== undefined) return `${cur?.averageValue !== undefined ? q(cur.averageValue) : '<unknown>'}/${q(t.averageValue)} (avg)`
      return `${status?.external ? q(cur?.value) : '<unknown>'}/${q(t?.value)}`
    }
    case 'Pods':
      return `${status?.pods ? q(status.pods.current?.averageValue) : '<unknown>'}/${q(spec.pods?.target?.averageValue)}`
    case 'Object': {
      const t = spec.object?.target
      const cur = status?.object?.current
      if (t?.averageValue !== undefined) return `${cur?.averageValue !== undefined ? q(cur.averageValue) : '<unknown>'}/${q(t.averageValue)} (avg)`
      return `${status?.object ? q(cur?.value) : '<unknown>'}/${q(t?.value)}`
    }
    case 'Resource':
    case 'ContainerResource': {
      const src = spec.type === 'Resource' ? spec.resource : spec.containerResource
      const st = spec.type === 'Resource' ? status?.resource : status?.containerResource
      const t = src?.target
      if (t?.averageValue !== undefined) return `${src?.name}: ${st ? q(st.current?.averageValue) : '<unknown>'}/${q(t.averageValue)}`
      const cur = st?.current?.averageUtilization !== undefined ? `${st.current.averageUtilization}%` : '<unknown>'
      const target = t?.averageUtilization !== undefined ? `${t.averageUtilization}%` : '<auto>'
      return `${src?.name}: ${cur}/${target}`
    }
    default:
      return '<unknown type>'
  }
}

/** The first two metrics, `+ N more...` past two; `<none>` without metrics. */
export function formatHPAMetrics(specs: MetricSpec[] | undefined, statuses: MetricStatus[] | undefined | null): string {
  if (!specs?.length) return '<none>'
  const list = specs.map((s, i) => formatMetric(s, statuses?.[i]))
  if (list.length <= 2) return list.join(', ')
  return `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...`
}
