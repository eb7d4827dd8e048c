import { describe, expect, it } from 'vitest'
import { StatusError, fieldErrorString } from '../../../../src/errors.js'
import { validateCustomObject } from '../../../../src/registry/apiextensions/schema/index.js'
import { goFloat } from '../../../../src/registry/apiextensions/schema/openapi-validator.js'
import { loadYAML, rootWith, versionsOf } from './crd-fixtures.js'

const errorsOf = (obj: Record<string, unknown>, schema: Record<string, unknown>) => validateCustomObject(obj, schema).map(fieldErrorString)
const obj = (spec: unknown) => ({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'x' }, spec })
const specOf = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => rootWith({ type: 'object', properties, ...extra })

describe('validateCustomObject', () => {
  it('reports a wrong type as kubectl shows it', () => {
    const schema = specOf({ replicas: { type: 'integer' } })
    const errs = validateCustomObject(obj({ replicas: 'string' }), schema)
    expect(errs.map(fieldErrorString)).toEqual(['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"'])
    expect(StatusError.invalid('CronTab', 'stable.example.com', 'x', errs).message).toBe(
      'CronTab.stable.example.com "x" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    )
    expect(errorsOf(obj({ replicas: 1.5 }), schema)).toContain(
      'spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"',
    )
    expect(errorsOf(obj({ replicas: 3 }), schema)).toEqual([])
  })

  it('accepts integers for number and both forms for int-or-string', () => {
    const schema = specOf({ ratio: { type: 'number' }, port: { 'x-kubernetes-int-or-string': true } })
    expect(errorsOf(obj({ ratio: 2, port: 'http' }), schema)).toEqual([])
    expect(errorsOf(obj({ ratio: 2.5, port: 80 }), schema)).toEqual([])
    expect(errorsOf(obj({ port: true }), schema)).toEqual(['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"'])
  })

  it('rejects null unless nullable', () => {
    const schema = specOf({ a: { type: 'string' }, b: { type: 'string', nullable: true } })
    expect(errorsOf(obj({ a: null, b: null }), schema)).toEqual(['spec.a: Invalid value: "null": spec.a in body must be of type string: "null"'])
  })

  it('checks enum, pattern, lengths and bounds with upstream texts', () => {
    const schema = specOf({
      size: { type: 'string', enum: ['small', 'large'] },
      cron: { type: 'string', pattern: '^\\d+ \\*$' },
      name: { type: 'string', maxLength: 3 },
      short: { type: 'string', minLength: 2 },
      replicas: { type: 'integer', minimum: 1, maximum: 10 },
      exclusive: { type: 'number', exclusiveMinimum: true, minimum: 0 },
      step: { type: 'integer', multipleOf: 5 },
    })
    expect(errorsOf(obj({ size: 'medium', cron: 'x', name: 'abcd', short: 'a', replicas: 11, exclusive: 0, step: 7 }), schema)).toEqual([
      'spec.size: Unsupported value: "medium": supported values: "small", "large"',
      'spec.cron: Invalid value: "x": spec.cron in body should match \'^\\d+ \\*$\'',
      'spec.name: Too long: may not be more than 3 bytes',
      'spec.short: Invalid value: "a": spec.short in body should be at least 2 chars long',
      'spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10',
      'spec.exclusive: Invalid value: 0: spec.exclusive in body should be greater than 0',
      'spec.step: Invalid value: 7: spec.step in body should be a multiple of 5',
    ])
    expect(errorsOf(obj({ replicas: 0 }), schema)).toEqual(['spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1'])
    // 1.32 keeps the plural for a limit of 1.
    expect(errorsOf(obj({ c: 'ab' }), specOf({ c: { type: 'string', maxLength: 1 } }))).toEqual(['spec.c: Too long: may not be more than 1 bytes'])
  })

  it('checks int32 ranges', () => {
    const schema = specOf({ n: { type: 'integer', format: 'int32' } })
    expect(errorsOf(obj({ n: 2 ** 31 }), schema)).toEqual(['<nil>: Invalid value: "": Checked value must be of type integer with format int32 in spec.n'])
  })

  it('checks items, object sizes and required fields', () => {
    const schema = specOf(
      {
        tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 2 },
        labels: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 1, minProperties: 1 },
      },
      { required: ['tags', 'image'] },
    )
    expect(errorsOf(obj({ tags: ['a', 1, 'c'], labels: { a: 'x', b: 2 } }), schema)).toEqual([
      'spec.tags[1]: Invalid value: "integer": spec.tags[1] in body must be of type string: "integer"',
      'spec.tags: Too many: 3: must have at most 2 items',
      'spec.labels: Too many: 2: must have at most 1 items',
      'spec.labels.b: Invalid value: "integer": spec.labels.b in body must be of type string: "integer"',
      'spec.image: Required value',
    ])
    expect(errorsOf(obj({ tags: [], labels: {}, image: 'x' }), schema)).toEqual([
      'spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items',
      'spec.labels: Invalid value: 0: spec.labels in body should have at least 1 properties',
    ])
    expect(errorsOf({ apiVersion: 'v', kind: 'K', metadata: {} }, rootWith({ type: 'object' }, {}))).toEqual([])
    expect(errorsOf({ apiVersion: 'v', kind: 'K', metadata: {} }, { ...rootWith({ type: 'object' }), required: ['spec'] })).toEqual(['spec: Required value'])
  })

  it('checks formats the apiextensions validator supports and ignores the others', () => {
    const schema = specOf({
      when: { type: 'string', format: 'date-time' },
      day: { type: 'string', format: 'date' },
      ip: { type: 'string', format: 'ipv4' },
      id: { type: 'string', format: 'uuid' },
      ttl: { type: 'string', format: 'duration' },
      data: { type: 'string', format: 'byte' },
      other: { type: 'string', format: 'k8s-short-name' },
      q: { type: 'string', format: 'quantity' },
    })
    const good = {
      when: '2024-01-02T03:04:05Z',
      day: '2024-02-29',
      ip: '10.0.0.1',
      id: '123e4567-e89b-12d3-a456-426614174000',
      ttl: '1h30m',
      data: 'aGVsbG8=',
      other: 'NOT_A_NAME',
      q: 'lots',
    }
    expect(errorsOf(obj(good), schema)).toEqual([])
    expect(errorsOf(obj({ when: 'yesterday', day: '2023-02-29', ip: '10.0.0', id: 'nope', ttl: 'forever', data: '***' }), schema)).toEqual([
      'spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"',
      'spec.day: Invalid value: "2023-02-29": spec.day in body must be of type date: "2023-02-29"',
      'spec.ip: Invalid value: "10.0.0": spec.ip in body must be of type ipv4: "10.0.0"',
      'spec.id: Invalid value: "nope": spec.id in body must be of type uuid: "nope"',
      'spec.ttl: Invalid value: "forever": spec.ttl in body must be of type duration: "forever"',
      'spec.data: Invalid value: "***": spec.data in body must be of type byte: "***"',
    ])
  })

  it('evaluates allOf, anyOf, oneOf and not', () => {
    const schema = specOf({
      a: { type: 'integer', anyOf: [{ minimum: 10 }, { maximum: 0 }] },
      b: { type: 'integer', oneOf: [{ minimum: 0 }, { maximum: 10 }] },
      c: { type: 'string', not: { enum: ['forbidden'] } },
      d: { type: 'integer', allOf: [{ minimum: 1 }, { maximum: 5 }] },
    })
    expect(errorsOf(obj({ a: 5, b: 5, c: 'forbidden', d: 6 }), schema)).toEqual([
      '<nil>: Invalid value: "": "spec.a" must validate at least one schema (anyOf)',
      'spec.a: Invalid value: 5: spec.a in body should be greater than or equal to 10',
      '<nil>: Invalid value: "": "spec.b" must validate one and only one schema (oneOf). Found 2 valid alternatives',
      '<nil>: Invalid value: "": "spec.c" must not validate the schema (not)',
      'spec.d: Invalid value: 6: spec.d in body should be less than or equal to 5',
      '<nil>: Invalid value: "": "spec.d" must validate all the schemas (allOf)',
    ])
    expect(errorsOf(obj({ a: 11, b: -1, c: 'ok', d: 3 }), schema)).toEqual([])
  })

  it('validates embedded resources as TypeMeta and ObjectMeta', () => {
    const schema = specOf({ template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } })
    expect(errorsOf(obj({ template: { metadata: { name: 'a/b' } } }), schema)).toEqual([
      'spec.template.apiVersion: Required value',
      'spec.template.kind: Required value',
      'spec.template.metadata.name: Invalid value: "a/b": may not contain \'/\'',
    ])
    expect(errorsOf(obj({ template: { apiVersion: 'a/b/c', kind: 'Pod_x' } }), schema)).toEqual([
      'spec.template.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c',
      expect.stringMatching(/^spec\.template\.kind: Invalid value: "Pod_x": may have mixed case, but should otherwise match: a DNS-1035 label/),
    ])
    expect(errorsOf(obj({ template: { apiVersion: 'v1', kind: 'Pod', metadata: { labels: { app: 'web' } } } }), schema)).toEqual([])
  })

  it('reports duplicates in set and map lists', () => {
    const schema = specOf({
      tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
      ports: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['port', 'protocol'],
        items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string' } } },
      },
      envs: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        items: { type: 'object', properties: { name: { type: 'string' } } },
      },
    })
    expect(
      errorsOf(
        obj({
          tags: ['a', 'b', 'a', 'a'],
          ports: [
            { port: 80, protocol: 'TCP' },
            { port: 80, protocol: 'UDP' },
            { port: 80, protocol: 'TCP' },
          ],
          envs: [{ name: 'A' }, { name: 'A' }, {}, {}],
        }),
        schema,
      ),
    ).toEqual([
      'spec.tags[2]: Duplicate value: "a"',
      'spec.ports[2]: Duplicate value: map[string]interface {}{"port":80, "protocol":"TCP"}',
      'spec.envs[1]: Duplicate value: map[string]interface {}{"name":"A"}',
      'spec.envs[3]: Duplicate value: map[string]interface {}{}',
    ])
  })

  it('forbids properties that additionalProperties: false excludes', () => {
    const schema = specOf({ m: { type: 'object', additionalProperties: false } })
    expect(errorsOf(obj({ m: { x: 1 } }), schema)).toEqual(['spec.m: Invalid value: "x": spec.m.x in body is a forbidden property'])
  })

  it('validates the real prometheus-operator examples, and a big Prometheus object fast', () => {
    for (const [crd, example] of [
      ['monitoring.coreos.com_servicemonitors.yaml', 'example-servicemonitor.yaml'],
      ['monitoring.coreos.com_prometheusrules.yaml', 'example-prometheusrule.yaml'],
    ]) {
      const [v1] = versionsOf(loadYAML(crd))
      expect(validateCustomObject(loadYAML(example), v1.schema)).toEqual([])
    }
    const [prom] = versionsOf(loadYAML('monitoring.coreos.com_prometheuses.yaml'))
    const p = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'Prometheus',
      metadata: { name: 'k8s', namespace: 'monitoring' },
      spec: {
        replicas: 2,
        serviceAccountName: 'prometheus-k8s',
        serviceMonitorSelector: {},
        podMonitorSelector: { matchLabels: { team: 'a' } },
        resources: { requests: { memory: '400Mi', cpu: '100m' } },
        retention: '15d',
        containers: [{ name: 'sidecar', image: 'busybox', ports: [{ containerPort: 8080, name: 'http' }], env: [{ name: 'A', value: 'b' }] }],
        tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
        alerting: { alertmanagers: [{ namespace: 'monitoring', name: 'alertmanager-main', port: 'web' }] },
      },
    }
    expect(validateCustomObject(p, prom.schema)).toEqual([])
    const bad = structuredClone(p)
    bad.spec.replicas = 'two' as unknown as number
    expect(validateCustomObject(bad, prom.schema).map(fieldErrorString)).toEqual([
      'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    ])
    // The schema is compiled on first use (above); what is measured is the per-write cost once warm.
    for (let i = 0; i < 200; i++) validateCustomObject(p, prom.schema)
    const start = performance.now()
    for (let i = 0; i < 1000; i++) validateCustomObject(p, prom.schema)
    const perObject = (performance.now() - start) / 1000
    expect(perObject).toBeLessThan(0.5)
  })
})

describe('goFloat', () => {
  it('prints bounds as Go prints float64', () => {
    expect([0.5, 10, 1e-5, 2.5e-7, 1e21, -3].map(goFloat)).toEqual(['0.5', '10', '1e-05', '2.5e-07', '1e+21', '-3'])
  })
})
