import { describe, expect, it } from 'vitest'
import { fieldErrorString } from '../../../src/errors.js'
import { bootstrapFlowSchemas, bootstrapPriorityLevels } from '../../../src/registry/flowcontrol/apf-bootstrap.js'
import { flowSchemas, type FlowSchema } from '../../../src/registry/flowcontrol/flowschemas.js'
import { priorityLevelConfigurations, type PriorityLevelConfiguration } from '../../../src/registry/flowcontrol/prioritylevelconfigurations.js'
import { danglingCondition } from '../../../src/controllers/flowschema-dangling.js'

const now = new Date('2026-01-01T01:00:00Z')
const meta = (name: string) => ({ name, creationTimestamp: '2026-01-01T00:00:00Z' })

describe('flowcontrol', () => {
  it('prints FlowSchemas as printFlowSchema does', () => {
    const fs = bootstrapFlowSchemas().map((o) => ({ ...o, metadata: { ...o.metadata, ...meta(o.metadata.name!) } }))
    const exempt = { ...fs[0], status: { conditions: [danglingCondition('exempt', true)] } }
    expect(flowSchemas.row!(exempt, now)).toEqual(['exempt', 'exempt', 1, '<none>', '60m', 'False'])
    expect(flowSchemas.row!(fs.find((f) => f.metadata.name === 'kube-scheduler')!, now)).toEqual([
      'kube-scheduler',
      'workload-high',
      800,
      'ByNamespace',
      '60m',
      '?',
    ])
    expect(flowSchemas.columns!.map((c) => c.name)).toEqual(['Name', 'PriorityLevel', 'MatchingPrecedence', 'DistinguisherMethod', 'Age', 'MissingPL'])
  })

  it('prints PriorityLevelConfigurations with <none> where there is no queuing', () => {
    const rows = bootstrapPriorityLevels().map((o) => priorityLevelConfigurations.row!({ ...o, metadata: meta(o.metadata.name!) }, now))
    expect(rows).toContainEqual(['exempt', 'Exempt', '<none>', '<none>', '<none>', '<none>', '60m'])
    expect(rows).toContainEqual(['catch-all', 'Limited', 5, '<none>', '<none>', '<none>', '60m'])
    expect(rows).toContainEqual(['workload-low', 'Limited', 100, 128, 6, 50, '60m'])
  })

  it('bootstraps the mandatory and suggested configuration with autoupdate annotations, all valid and referencing existing levels', () => {
    const levels = bootstrapPriorityLevels()
    const schemas = bootstrapFlowSchemas()
    expect(levels.map((l) => l.metadata.name).sort()).toEqual([
      'catch-all',
      'exempt',
      'global-default',
      'leader-election',
      'node-high',
      'system',
      'workload-high',
      'workload-low',
    ])
    expect(schemas).toHaveLength(13)
    for (const o of [...levels, ...schemas]) expect(o.metadata.annotations).toEqual({ 'apf.kubernetes.io/autoupdate-spec': 'true' })
    for (const l of levels) expect(priorityLevelConfigurations.validate!(l)).toEqual([])
    for (const f of schemas) {
      expect(flowSchemas.validate!(f)).toEqual([])
      expect(levels.some((l) => l.metadata.name === f.spec?.priorityLevelConfiguration.name)).toBe(true)
    }
  })

  it('validates the essentials with upstream messages and defaults what upstream defaults', () => {
    const fs: FlowSchema = {
      metadata: meta('x'),
      spec: { priorityLevelConfiguration: { name: '' }, matchingPrecedence: 0, distinguisherMethod: { type: 'ByPod' }, rules: [{ subjects: [] }] },
    }
    expect(flowSchemas.validate!(fs).map(fieldErrorString)).toEqual([
      'spec.matchingPrecedence: Invalid value: 0: must be a positive value',
      'spec.distinguisherMethod.type: Unsupported value: "ByPod": supported values: "ByNamespace", "ByUser"',
      'spec.priorityLevelConfiguration.name: Required value: must reference a priority level',
      'spec.rules[0].subjects: Required value: subjects must contain at least one value',
      'spec.rules[0]: Required value: at least one of resourceRules and nonResourceRules has to be non-empty',
    ])
    const plc: PriorityLevelConfiguration = {
      metadata: meta('x'),
      spec: { type: 'Limited', limited: { lendablePercent: 101, limitResponse: { type: 'Queue', queuing: { queues: 2, handSize: 4, queueLengthLimit: 10 } } } },
    }
    expect(priorityLevelConfigurations.validate!(plc).map(fieldErrorString)).toEqual([
      'spec.limited.lendablePercent: Invalid value: 101: must be between 0 and 100, inclusive',
      'spec.limited.limitResponse.queuing.handSize: Invalid value: 4: should not be greater than queues (2)',
    ])
    const d: PriorityLevelConfiguration = { metadata: meta('d'), spec: { type: 'Limited', limited: { limitResponse: { type: 'Queue', queuing: {} } } } }
    priorityLevelConfigurations.applyDefaults!(d, { now, randomSuffix: () => '' })
    expect(d.spec?.limited).toEqual({
      nominalConcurrencyShares: 30,
      lendablePercent: 0,
      limitResponse: { type: 'Queue', queuing: { queues: 64, handSize: 8, queueLengthLimit: 50 } },
    })
  })
})
