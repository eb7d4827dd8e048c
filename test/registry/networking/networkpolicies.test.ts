import { describe, expect, it } from 'vitest'
import { networkPolicies, type NetworkPolicy } from '../../../src/registry/networking/networkpolicies.js'
import type { HookContext } from '../../../src/registry/resource-definition.js'

const ctx: HookContext = { now: new Date('2026-01-01T00:02:00Z'), randomSuffix: () => 'abcde' }
const np = (spec: Record<string, unknown>): NetworkPolicy =>
  ({ metadata: { name: 'deny', creationTimestamp: '2026-01-01T00:00:00Z' }, spec }) as unknown as NetworkPolicy
const errors = (spec: Record<string, unknown>) => networkPolicies.validate!(np(spec)).map((e) => `${e.field}: ${e.detail ?? ''}`)

describe('networkpolicies', () => {
  it('defaults policyTypes from the rules and port protocols to TCP', () => {
    const o = np({ podSelector: {}, egress: [{ ports: [{ port: 53 }] }] })
    networkPolicies.applyDefaults!(o, ctx)
    expect(o.spec?.policyTypes).toEqual(['Ingress', 'Egress'])
    expect(o.spec?.egress?.[0].ports?.[0].protocol).toBe('TCP')
    const i = np({})
    networkPolicies.applyDefaults!(i, ctx)
    expect(i.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] })
  })

  it('validates ports, peers, ipBlocks and policyTypes', () => {
    expect(errors({ podSelector: {}, ingress: [{ ports: [{ port: 70000 }] }] })).toEqual([
      'spec.ingress[0].ports[0].port: must be between 1 and 65535, inclusive',
    ])
    expect(errors({ podSelector: {}, ingress: [{ ports: [{ port: 'http', endPort: 90 }] }] })).toEqual([
      'spec.ingress[0].ports[0].endPort: may not be specified when `port` is non-numeric',
    ])
    expect(errors({ podSelector: {}, ingress: [{ from: [{}] }] })).toEqual(['spec.ingress[0].from[0]: must specify a peer'])
    expect(errors({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] }, podSelector: {} }] }] })).toEqual([
      'spec.egress[0].to[0].ipBlock.except[0]: must be a strict subset of `cidr`',
      'spec.egress[0].to[0]: may not specify both ipBlock and another peer',
    ])
    expect(errors({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.1.0/24'] } }] }] })).toEqual([])
    expect(errors({ podSelector: {}, policyTypes: ['Both'] })).toEqual(['spec.policyTypes[0]: supported values: "Ingress", "Egress"'])
  })

  it('prints NAME POD-SELECTOR AGE as printNetworkPolicy', () => {
    expect(networkPolicies.row!(np({ podSelector: {} }), ctx.now)).toEqual(['deny', '<none>', '2m'])
    expect(networkPolicies.row!(np({ podSelector: { matchLabels: { app: 'web' } } }), ctx.now)[1]).toBe('app=web')
  })
})
