/** @module json-path.test: kubectl's JSONPath subset as printer columns use it, and its parse errors. */
import { describe, expect, it } from 'vitest'
import { findJSONPath, jsonPathError } from '../../../src/registry/apiextensions/json-path.js'

const prom = {
  metadata: { name: 'k8s', labels: { 'app.kubernetes.io/name': 'prometheus' } },
  spec: { replicas: 2, version: 'v3.1.0', shards: 1 },
  status: {
    availableReplicas: 2,
    paused: false,
    conditions: [
      { type: 'Available', status: 'True', observedGeneration: 3 },
      { type: 'Reconciled', status: 'False', observedGeneration: 2 },
    ],
  },
}

describe('findJSONPath', () => {
  it('reads fields, quoted keys and indexes (negative from the end)', () => {
    expect(findJSONPath(prom, '.spec.replicas')).toEqual([2])
    expect(findJSONPath(prom, ".metadata.labels['app.kubernetes.io/name']")).toEqual(['prometheus'])
    expect(findJSONPath(prom, '.status.conditions[0].type')).toEqual(['Available'])
    expect(findJSONPath(prom, '.status.conditions[-1].type')).toEqual(['Reconciled'])
    expect(findJSONPath(prom, '{.status.paused}')).toEqual([false])
  })

  it('filters lists by comparison and by existence', () => {
    expect(findJSONPath(prom, ".status.conditions[?(@.type == 'Reconciled')].status")).toEqual(['False'])
    expect(findJSONPath(prom, '.status.conditions[?(@.type=="Available")].status')).toEqual(['True'])
    expect(findJSONPath(prom, '.status.conditions[?(@.observedGeneration > 2)].type')).toEqual(['Available'])
    expect(findJSONPath(prom, ".status.conditions[?(@.type != 'Available')].type")).toEqual(['Reconciled'])
    expect(findJSONPath(prom, '.status.conditions[?(@.observedGeneration)].type')).toEqual(['Available', 'Reconciled'])
    expect(findJSONPath(prom, ".status.conditions[?(@.type == 'Missing')].status")).toEqual([])
  })

  it('wildcards, unions, slices and recursive descent', () => {
    expect(findJSONPath(prom, '.status.conditions[*].type')).toEqual(['Available', 'Reconciled'])
    expect(findJSONPath(prom, '.status.conditions.*.status')).toEqual(['True', 'False'])
    expect(findJSONPath(prom, '.status.conditions[0,1].status')).toEqual(['True', 'False'])
    expect(findJSONPath(prom, ".spec['replicas','shards']")).toEqual([2, 1])
    expect(findJSONPath(prom, '.status.conditions[1:].type')).toEqual(['Reconciled'])
    expect(findJSONPath(prom, '..observedGeneration')).toEqual([3, 2])
  })

  it('finds nothing for missing keys, out-of-range indexes and wrong types', () => {
    expect(findJSONPath(prom, '.spec.nope.deeper')).toEqual([])
    expect(findJSONPath(prom, '.status.conditions[5].type')).toEqual([])
    expect(findJSONPath(prom, '.spec.replicas[0]')).toEqual([])
  })
})

describe('jsonPathError', () => {
  it('accepts what real CRDs use and explains what does not parse', () => {
    expect(jsonPathError(".status.conditions[?(@.type == 'Reconciled')].status")).toBeUndefined()
    expect(jsonPathError('.spec.replicas')).toBeUndefined()
    expect(jsonPathError('.status.conditions[?(@.type == ')).toMatch(/filter operand/)
    expect(jsonPathError('.spec[0')).toMatch(/unterminated array/)
    expect(jsonPathError(".spec['a")).toMatch(/unterminated string/)
    expect(jsonPathError('.spec.a b')).toMatch(/unrecognized character/)
  })
})
