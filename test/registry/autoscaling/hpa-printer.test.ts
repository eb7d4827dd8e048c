/** The TARGETS cell of `kubectl get hpa` (formatHPAMetrics). */
import { describe, expect, it } from 'vitest'
import { formatHPAMetrics } from '../../../src/registry/autoscaling/hpa-printer.js'

describe('formatHPAMetrics', () => {
  it('prints quantities as Quantity.String() does, not as written', () => {
    const cell = formatHPAMetrics(
      [{ type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '0.5' } } }],
      [{ type: 'Pods', pods: { metric: { name: 'qps' }, current: { averageValue: '1000m' } } }],
    )
    expect(cell).toBe('1/500m')
  })
  it('shows <unknown> while there are no metrics', () => {
    expect(formatHPAMetrics([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }], null)).toBe(
      'cpu: <unknown>/80%',
    )
  })
})
