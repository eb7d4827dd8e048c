import { describe, expect, it } from 'vitest'
import { fieldErrorString } from '../../../../src/errors.js'
import { validateCRDSchema } from '../../../../src/registry/apiextensions/schema/index.js'
import { loadYAML, prometheusCRDs, rootWith, versionsOf } from './crd-fixtures.js'

const P = 'spec.versions[0].schema.openAPIV3Schema'
const errorsOf = (schema: Record<string, unknown>, opts = {}) => validateCRDSchema(schema, P, opts).map(fieldErrorString)

describe('validateCRDSchema', () => {
  it('accepts the real prometheus-operator CRDs', () => {
    for (const plural of prometheusCRDs) {
      for (const [i, v] of versionsOf(loadYAML(`monitoring.coreos.com_${plural}.yaml`)).entries()) {
        expect(validateCRDSchema(v.schema, `spec.versions[${i}].schema.openAPIV3Schema`, { statusSubresource: v.status }), plural).toEqual([])
      }
    }
  })

  it('requires types everywhere unless int-or-string or preserve-unknown-fields', () => {
    expect(errorsOf(rootWith({ properties: { a: { type: 'string' } } }))).toEqual([
      `${P}.properties[spec].type: Required value: must not be empty for specified object fields`,
    ])
    expect(errorsOf(rootWith({ type: 'array', items: {} }))).toEqual([
      `${P}.properties[spec].items.type: Required value: must not be empty for specified array items`,
    ])
    expect(errorsOf(rootWith({ type: 'array' }))).toEqual([`${P}.properties[spec].items: Required value: must be specified`])
    expect(errorsOf({ properties: {} })).toEqual([`${P}.type: Required value: must not be empty at the root`])
    expect(errorsOf({ type: 'string' })).toEqual([`${P}.type: Invalid value: "string": must be object at the root`])
    expect(errorsOf(rootWith({ 'x-kubernetes-int-or-string': true }))).toEqual([])
    expect(errorsOf(rootWith({ 'x-kubernetes-preserve-unknown-fields': true }))).toEqual([])
  })

  it('checks x-kubernetes-* combinations', () => {
    expect(errorsOf(rootWith({ 'x-kubernetes-int-or-string': true, 'x-kubernetes-preserve-unknown-fields': true }))).toEqual([
      `${P}.properties[spec].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true`,
    ])
    expect(errorsOf(rootWith({ type: 'string', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true }))).toEqual([
      `${P}.properties[spec].type: Invalid value: "string": must be object if x-kubernetes-embedded-resource is true`,
    ])
    expect(errorsOf(rootWith({ type: 'object', 'x-kubernetes-embedded-resource': true }))).toEqual([
      `${P}.properties[spec].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
    ])
    expect(errorsOf(rootWith({ type: 'object', 'x-kubernetes-preserve-unknown-fields': false }))).toEqual([
      `${P}.properties[spec].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`,
    ])
    expect(
      errorsOf({
        type: 'object',
        properties: { metadata: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } },
      }),
    ).toContain(`${P}.properties[metadata].x-kubernetes-embedded-resource: Forbidden: must not be used inside of resource meta`)
  })

  it('forbids structure in value validations', () => {
    expect(
      errorsOf(rootWith({ type: 'object', properties: { a: { type: 'string' } }, anyOf: [{ type: 'object', properties: { b: { description: 'x' } } }] })),
    ).toEqual([
      `${P}.properties[spec].anyOf[0].properties[b].description: Forbidden: must be empty to be structural`,
      `${P}.properties[spec].anyOf[0].type: Forbidden: must be empty to be structural`,
    ])
    expect(errorsOf({ ...rootWith({ type: 'object' }), allOf: [{ properties: { other: { minimum: 1 } } }] })).toEqual([
      `${P}.properties[other]: Required value: because it is defined in ${P}.allOf[0].properties[other]`,
    ])
    // The int-or-string idiom is structural.
    expect(errorsOf(rootWith({ 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] }))).toEqual([])
  })

  it('restricts metadata to name and generateName', () => {
    expect(errorsOf({ type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 10 } } } } })).toEqual([])
    expect(errorsOf({ type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } })).toEqual([
      `${P}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
    ])
    expect(errorsOf({ type: 'object', properties: { metadata: { type: 'object', default: {} } } })).toEqual([
      `${P}.properties[metadata].default: Forbidden: must not be set in top-level metadata`,
    ])
    expect(errorsOf({ type: 'object', properties: { kind: { type: 'integer' } } })).toEqual([
      `${P}.properties[kind].type: Invalid value: "integer": must be string`,
    ])
  })

  it('forbids uniqueItems, additionalProperties with properties or at the root, unsupported keywords', () => {
    expect(errorsOf(rootWith({ type: 'array', items: { type: 'string' }, uniqueItems: true }))).toEqual([
      `${P}.properties[spec].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
    ])
    expect(errorsOf(rootWith({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false }))).toEqual([
      `${P}.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
    ])
    expect(errorsOf({ type: 'object', additionalProperties: { type: 'string' } })).toEqual([
      `${P}.additionalProperties: Forbidden: must not be used at the root`,
    ])
    expect(errorsOf(rootWith({ type: 'object', $ref: '#/x' }))).toContain(`${P}.properties[spec].$ref: Forbidden: $ref is not supported`)
    expect(errorsOf(rootWith({ type: 'null' }))).toEqual([
      `${P}.properties[spec].type: Unsupported value: "null": supported values: "array", "boolean", "integer", "number", "object", "string"`,
      `${P}.properties[spec].type: Forbidden: type cannot be set to null, use nullable as an alternative`,
    ])
    expect(errorsOf({ ...rootWith({ type: 'object' }), nullable: true })).toEqual([`${P}.nullable: Forbidden: nullable cannot be true at the root`])
  })

  it('checks list and map types', () => {
    expect(errorsOf(rootWith({ type: 'object', 'x-kubernetes-list-type': 'set' }))).toEqual([
      `${P}.properties[spec].type: Invalid value: "object": must be array if x-kubernetes-list-type is specified`,
    ])
    expect(errorsOf(rootWith({ type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'bag' }))).toEqual([
      `${P}.properties[spec].x-kubernetes-list-type: Unsupported value: "bag": supported values: "atomic", "set", "map"`,
    ])
    expect(errorsOf(rootWith({ type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } }, 'x-kubernetes-list-type': 'map' }))).toEqual(
      [`${P}.properties[spec].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`],
    )
    expect(
      errorsOf(
        rootWith({
          type: 'array',
          items: { type: 'object', properties: { name: { type: 'string' } } },
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name', 'id'],
        }),
      ),
    ).toEqual([
      `${P}.properties[spec].x-kubernetes-list-map-keys: Invalid value: []string{"name", "id"}: entries must all be names of item properties`,
      `${P}.properties[spec].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`,
    ])
    expect(errorsOf(rootWith({ type: 'array', items: { type: 'object' }, 'x-kubernetes-list-type': 'set' }))).toEqual([
      `${P}.properties[spec].items.x-kubernetes-map-type: Invalid value: "null": must be atomic as item of a list with x-kubernetes-list-type=set`,
    ])
    expect(errorsOf(rootWith({ type: 'string', 'x-kubernetes-map-type': 'granular' }))).toEqual([
      `${P}.properties[spec].type: Invalid value: "string": must be object if x-kubernetes-map-type is specified`,
    ])
  })

  it('requires defaults to validate and be pruned', () => {
    // The default is validated at the validator's root, whose name is empty: `%s in %s` leaves a double space.
    expect(errorsOf(rootWith({ type: 'object', properties: { replicas: { type: 'integer', default: 'one' } } }))).toEqual([
      `${P}.properties[spec].properties[replicas].default: Invalid value: "string":  in body must be of type integer: "string"`,
    ])
    expect(errorsOf(rootWith({ type: 'object', properties: { a: { type: 'string' } }, default: { a: 'x', b: 'y' } }))).toEqual([
      `${P}.properties[spec].default: Invalid value: map[string]interface {}{"a":"x", "b":"y"}: must not have unknown fields`,
    ])
    expect(errorsOf(rootWith({ type: 'object', properties: { a: { type: 'string', default: 'x' } }, default: {} }))).toEqual([])
  })

  it('checks x-kubernetes-validations rules statically', () => {
    expect(
      errorsOf(rootWith({ type: 'object', 'x-kubernetes-validations': [{ rule: ' ' }, { rule: 'self.a\n|| self.b' }, { rule: 'true', reason: 'Nope' }] })),
    ).toEqual([
      `${P}.properties[spec].x-kubernetes-validations[0].rule: Required value: rule is not specified`,
      `${P}.properties[spec].x-kubernetes-validations[1].message: Required value: message must be specified if rule contains line breaks`,
      `${P}.properties[spec].x-kubernetes-validations[2].reason: Unsupported value: "Nope": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`,
    ])
  })

  it('limits the root keywords when the status subresource is on', () => {
    expect(errorsOf({ ...rootWith({ type: 'object' }), additionalProperties: false }, { statusSubresource: true })[0]).toMatch(
      /^spec\.versions\[0\]\.schema\.openAPIV3Schema: Invalid value: only \[Description Type .*\] fields are allowed at the root of the schema if the status subresource is enabled$/,
    )
  })
})
