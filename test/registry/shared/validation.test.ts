import { describe, expect, it } from 'vitest'
import { fieldErrorString } from '../../../src/errors.js'
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  validateAnnotations,
  validateLabelSelector,
  validateObjectMeta,
} from '../../../src/registry/shared/validation.js'

const strings = (errs: Parameters<typeof fieldErrorString>[0][]): string[] => errs.map(fieldErrorString)

describe('name validators', () => {
  it('DNS-1123 subdomain text', () => {
    expect(isDNS1123Subdomain('Bad_Name')).toEqual([
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ])
    expect(isDNS1123Subdomain('web-1.example')).toEqual([])
    expect(isDNS1123Subdomain('a'.repeat(254))).toContain('must be no more than 253 characters')
  })
  it('DNS-1123 label: dots get their own message', () => {
    expect(isDNS1123Label('a.b')).toEqual(['must not contain dots'])
    expect(isDNS1123Label('Web')).toEqual([
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ])
  })
  it('DNS-1035 label must start with a letter', () => {
    expect(isDNS1035Label('1web')[0]).toMatch(
      /^a DNS-1035 label must consist of .* \(e\.g\. 'my-name', {2}or 'abc-123', regex used for validation is '\[a-z\]\(\[-a-z0-9\]\*\[a-z0-9\]\)\?'\)$/,
    )
    expect(isDNS1035Label('web')).toEqual([])
  })
  it('qualified names with prefixes', () => {
    expect(isQualifiedName('app.kubernetes.io/name')).toEqual([])
    expect(isQualifiedName('/x')).toEqual(['prefix part must be non-empty'])
    expect(isQualifiedName('a/b/c')[0]).toMatch(/^a qualified name must consist of/)
    expect(isQualifiedName('-x')).toEqual([
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ])
  })
  it('label values may be empty but not end with a dash', () => {
    expect(isValidLabelValue('')).toEqual([])
    expect(isValidLabelValue('x-')[0]).toMatch(/^a valid label must be an empty string/)
  })
  it('config map keys', () => {
    expect(isConfigMapKey('app.properties')).toEqual([])
    expect(isConfigMapKey('..data')).toEqual(["must not start with '..'"])
    expect(isConfigMapKey('a b')[0]).toMatch(/^a valid config key must consist of alphanumeric characters/)
  })
})

describe('validateObjectMeta', () => {
  it('requires name or generateName', () => {
    expect(strings(validateObjectMeta({ namespace: 'default' }, { namespaced: true }))).toEqual([
      'metadata.name: Required value: name or generateName is required',
    ])
  })
  it('reports an invalid name with the real text', () => {
    const [e] = strings(validateObjectMeta({ name: 'Bad_Name', namespace: 'default' }, { namespaced: true }))
    expect(e).toBe(
      `metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    )
  })
  it('accepts a generateName ending in a dash', () => {
    expect(validateObjectMeta({ generateName: 'web-', name: 'web-x7k2p', namespace: 'default' }, { namespaced: true })).toEqual([])
  })
  it('checks namespace presence by scope', () => {
    expect(strings(validateObjectMeta({ name: 'a' }, { namespaced: true }))).toEqual(['metadata.namespace: Required value'])
    expect(strings(validateObjectMeta({ name: 'a', namespace: 'x' }, { namespaced: false }))).toEqual([
      'metadata.namespace: Forbidden: not allowed on this type',
    ])
  })
  it('uses a custom name validator', () => {
    expect(strings(validateObjectMeta({ name: 'a.b' }, { namespaced: false, nameFn: isDNS1123Label }))).toEqual([
      'metadata.name: Invalid value: "a.b": must not contain dots',
    ])
  })
  it('validates label keys and values at metadata.labels', () => {
    const errs = validateObjectMeta({ name: 'a', namespace: 'd', labels: { 'bad key': 'ok', good: 'bad value' } }, { namespaced: true })
    expect(errs.map((e) => [e.field, e.badValue])).toEqual([
      ['metadata.labels', 'bad key'],
      ['metadata.labels', 'bad value'],
    ])
  })
})

describe('validateLabelSelector', () => {
  it('checks operators and values', () => {
    const errs = strings(
      validateLabelSelector(
        {
          matchExpressions: [
            { key: 'a', operator: 'In' },
            { key: 'b', operator: 'Exists', values: ['x'] },
            { key: 'c', operator: 'Maybe' },
          ],
        },
        'spec.selector',
      ),
    )
    expect(errs).toEqual([
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Maybe": not a valid selector operator',
    ])
  })
})

describe('validateAnnotations', () => {
  it('allows 256 KiB of keys plus values, counted in UTF-8 bytes as Go does', () => {
    const limit = 256 * 1024
    expect(validateAnnotations({ a: 'x'.repeat(limit - 1) }, 'metadata.annotations')).toEqual([])
    expect(validateAnnotations({ a: 'x'.repeat(limit) }, 'metadata.annotations').map(fieldErrorString)).toEqual([
      'metadata.annotations: Too long: may not be more than 262144 bytes',
    ])
    expect(validateAnnotations({ a: 'é'.repeat(limit / 2) }, 'metadata.annotations').map(fieldErrorString)).toEqual([
      'metadata.annotations: Too long: may not be more than 262144 bytes',
    ])
  })
})
