import { describe, expect, test } from 'vitest'
import { fieldErrorString } from '../../../src/errors.js'
import { checkRules, validateRules } from '../../../src/registry/cel/validation-rules.js'

const rules = (...r: Record<string, unknown>[]) => ({ 'x-kubernetes-validations': r })

/** A CronTab-like schema: rules on spec, on a field, on list-map items and on the root. */
const schema = {
  type: 'object',
  ...rules({ rule: "self.metadata.name.startsWith('ct-')", message: 'name must start with ct-' }),
  properties: {
    spec: {
      type: 'object',
      ...rules(
        { rule: 'self.replicas <= self.maxReplicas' },
        { rule: "!has(self.image) || self.image.contains(':')", message: 'image needs a tag', fieldPath: '.image', reason: 'FieldValueForbidden' },
        { rule: 'self.replicas >= 0', messageExpression: "'replicas is ' + string(self.replicas) + ', must be >= 0'" },
      ),
      properties: {
        replicas: { type: 'integer' },
        maxReplicas: { type: 'integer' },
        image: { type: 'string' },
        mode: { type: 'string', ...rules({ rule: 'self == oldSelf', message: 'mode is immutable' }) },
        'x-y': { type: 'string' },
        namespace: { type: 'string' },
        port: { 'x-kubernetes-int-or-string': true, ...rules({ rule: "type(self) == int ? self > 0 : self.endsWith('%')" }) },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, port: { type: 'integer', ...rules({ rule: 'self >= oldSelf', message: 'port may only grow' }) } },
          },
        },
        labels: { type: 'object', additionalProperties: { type: 'string', ...rules({ rule: 'self.size() < 5' }) } },
      },
    },
  },
}

const good = { apiVersion: 'x/v1', kind: 'CronTab', metadata: { name: 'ct-a', namespace: 'default' }, spec: { replicas: 1, maxReplicas: 3, image: 'nginx:1' } }

function errs(obj: unknown, old?: unknown, warnings?: string[]): string[] {
  return validateRules(schema, obj, old, warnings).map(fieldErrorString)
}

describe('validateRules', () => {
  test('a valid object passes', () => {
    expect(errs(good)).toEqual([])
  })

  test('the default message, message, messageExpression, reason and fieldPath, as upstream words them', () => {
    const bad = { ...good, metadata: { name: 'a' }, spec: { replicas: -9, maxReplicas: -10, image: 'nginx' } }
    expect(errs(bad)).toEqual([
      '<nil>: Invalid value: "object": name must start with ct-',
      'spec: Invalid value: "object": failed rule: self.replicas <= self.maxReplicas',
      'spec.image: Forbidden: image needs a tag',
      'spec: Invalid value: "object": replicas is -9, must be >= 0',
    ])
  })

  test('escaped property names and has() on absent fields', () => {
    const s = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          ...rules({ rule: "has(self.x__dash__y) == has(self.__namespace__) && (!has(self.x__dash__y) || self.x__dash__y == 'a')" }),
          properties: { 'x-y': { type: 'string' }, namespace: { type: 'string' } },
        },
      },
    }
    expect(validateRules(s, { spec: {} }, undefined)).toEqual([])
    expect(validateRules(s, { spec: { 'x-y': 'a', namespace: 'n' } }, undefined)).toEqual([])
    expect(validateRules(s, { spec: { 'x-y': 'a' } }, undefined)).toHaveLength(1)
  })

  test('int-or-string values are ints or strings', () => {
    expect(errs({ ...good, spec: { ...good.spec, port: 80 } })).toEqual([])
    expect(errs({ ...good, spec: { ...good.spec, port: '50%' } })).toEqual([])
    expect(errs({ ...good, spec: { ...good.spec, port: 0 } })).toEqual([
      `spec.port: Invalid value: "": failed rule: type(self) == int ? self > 0 : self.endsWith('%')`,
    ])
  })

  test('rules on map values and list items report the key or index', () => {
    expect(errs({ ...good, spec: { ...good.spec, labels: { a: 'ok', b: 'toolong' } } })).toEqual([
      'spec.labels[b]: Invalid value: "string": failed rule: self.size() < 5',
    ])
  })

  test('transition rules run only on update, where the old value correlates', () => {
    const withMode = { ...good, spec: { ...good.spec, mode: 'a' } }
    expect(errs(withMode)).toEqual([])
    expect(errs({ ...good, spec: { ...good.spec, mode: 'b' } }, withMode)).toEqual(['spec.mode: Invalid value: "string": mode is immutable'])
    // Setting a field that was absent has no old value to compare with.
    expect(errs(withMode, good)).toEqual([])
  })

  test('list-map items correlate with old items by their keys, not their index', () => {
    const old = {
      ...good,
      spec: {
        ...good.spec,
        ports: [
          { name: 'http', port: 80 },
          { name: 'https', port: 443 },
        ],
      },
    }
    const reordered = {
      ...good,
      spec: {
        ...good.spec,
        ports: [
          { name: 'https', port: 443 },
          { name: 'http', port: 81 },
        ],
      },
    }
    expect(errs(reordered, old)).toEqual([])
    const shrunk = {
      ...good,
      spec: {
        ...good.spec,
        ports: [
          { name: 'https', port: 442 },
          { name: 'new', port: 1 },
        ],
      },
    }
    expect(errs(shrunk, old)).toEqual(['spec.ports[0].port: Invalid value: "integer": port may only grow'])
  })

  test('errors on values an update leaves unchanged are ratcheted into warnings', () => {
    const bad = { ...good, spec: { replicas: 5, maxReplicas: 3, image: 'nginx:1' } }
    const warnings: string[] = []
    expect(errs({ ...bad, metadata: { ...bad.metadata, labels: { x: 'y' } } }, bad, warnings)).toEqual([])
    expect(warnings).toEqual(['spec: Invalid value: "object": failed rule: self.replicas <= self.maxReplicas'])
    expect(errs({ ...bad, spec: { ...bad.spec, replicas: 6 } }, bad)).toHaveLength(1)
  })

  test('optionalOldSelf rules also run on create, with oldSelf an optional', () => {
    const s = {
      type: 'object',
      properties: {
        n: { type: 'integer', ...rules({ rule: '!oldSelf.hasValue() || self >= oldSelf.value()', optionalOldSelf: true, message: 'n may only grow' }) },
      },
    }
    expect(validateRules(s, { n: 1 }, undefined)).toEqual([])
    expect(validateRules(s, { n: 2 }, { n: 1 })).toEqual([])
    expect(validateRules(s, { n: 0 }, { n: 1 }).map(fieldErrorString)).toEqual(['n: Invalid value: "integer": n may only grow'])
  })

  test('an evaluation error names the rule', () => {
    const s = { type: 'object', properties: { m: { type: 'object', additionalProperties: { type: 'string' }, ...rules({ rule: "self['k'] == 'v'" }) } } }
    expect(validateRules(s, { m: { a: 'b' } }, undefined).map(fieldErrorString)).toEqual([
      `m: Invalid value: "object": no such key: k evaluating rule: self['k'] == 'v'`,
    ])
  })

  test('string formats become CEL durations and timestamps', () => {
    const s = {
      type: 'object',
      ...rules({ rule: "self.timeout < duration('1h') && self.at > timestamp('2020-01-01T00:00:00Z')" }),
      properties: { timeout: { type: 'string', format: 'duration' }, at: { type: 'string', format: 'date-time' } },
    }
    expect(validateRules(s, { timeout: '30m', at: '2024-05-01T00:00:00Z' }, undefined)).toEqual([])
    expect(validateRules(s, { timeout: '2h', at: '2024-05-01T00:00:00Z' }, undefined)).toHaveLength(1)
  })
})

describe('checkRules', () => {
  const at = 'spec.versions[0].schema.openAPIV3Schema'

  test('a valid schema has no errors', () => {
    expect(checkRules(schema, at)).toEqual([])
  })

  test('compile errors name the rule, as upstream', () => {
    const s = {
      type: 'object',
      properties: { spec: { type: 'object', properties: { a: { type: 'integer' } }, ...rules({ rule: 'self.b > 1' }, { rule: 'self.a >' }) } },
    }
    const got = checkRules(s, at).map(fieldErrorString)
    expect(got[0]).toBe(
      `${at}.properties[spec].x-kubernetes-validations[0].rule: Invalid value: apiextensions.ValidationRule{Rule:"self.b > 1", Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: compilation failed: ERROR: <input>:1:5: undefined field 'b'\n | self.b > 1\n | ....^`,
    )
    expect(got[1]).toMatch(/x-kubernetes-validations\[1\]\.rule: Invalid value: .*compilation failed: ERROR: <input>:1:\d+: Syntax error: /)
  })

  test('messageExpression compile errors, bad reasons, fieldPaths and messages', () => {
    const s = {
      type: 'object',
      properties: { a: { type: 'string' } },
      ...rules(
        { rule: 'true', messageExpression: 'nope' },
        { rule: 'true', reason: 'Bogus' },
        { rule: 'true', fieldPath: '.b' },
        { rule: 'true', message: ' ' },
        { rule: '' },
      ),
    }
    expect(checkRules(s, at).map(fieldErrorString)).toEqual([
      `${at}.x-kubernetes-validations[1].reason: Unsupported value: "Bogus": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`,
      `${at}.x-kubernetes-validations[2].fieldPath: Invalid value: ".b": fieldPath must be a valid path: does not refer to a valid field`,
      `${at}.x-kubernetes-validations[3].message: Invalid value: " ": message must be non-empty if specified`,
      `${at}.x-kubernetes-validations[4].rule: Required value: rule is not specified`,
    ])
    const onlyMessageExpression = { type: 'object', ...rules({ rule: 'true', messageExpression: 'nope' }) }
    expect(checkRules(onlyMessageExpression, at).map(fieldErrorString)[0]).toContain(
      `${at}.x-kubernetes-validations[0].messageExpression: Invalid value: apiextensions.ValidationRule{Rule:"true", Message:"", MessageExpression:"nope"`,
    )
    expect(checkRules(onlyMessageExpression, at).map(fieldErrorString)[0]).toContain(
      "messageExpression compilation failed: ERROR: <input>:1:1: undeclared reference to 'nope'",
    )
  })

  test('transition rules under lists that are not list-maps are refused', () => {
    const s = { type: 'object', properties: { l: { type: 'array', items: { type: 'string', ...rules({ rule: 'self == oldSelf' }) } } } }
    expect(checkRules(s, at).map(fieldErrorString)).toEqual([
      `${at}.properties[l].items.x-kubernetes-validations[0].rule: Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within ${at}.properties[l].items`,
    ])
  })
})
