import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { parse } from 'yaml'
import { fieldSetFromFieldsV1 } from '../../../src/registry/apply/field-set.js'
import { ensureNamedFieldsAreMembers } from '../../../src/registry/apply/remove-items.js'
import { builtinSchema, customResourceSchema } from '../../../src/registry/apply/schema.js'
import { toFieldSet } from '../../../src/registry/apply/to-field-set.js'

// A Pod and a Node with their field sets (named fields as members), from structured-merge-diff's internal/testdata.
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/apply/${name}`, import.meta.url), 'utf8')
const core = (kind: string) => builtinSchema({ group: '', version: 'v1', kind })!

describe('toFieldSet under the built-in schemas', () => {
  test('a Node gives exactly upstream’s set', () => {
    const atom = core('Node')
    const got = ensureNamedFieldsAreMembers(toFieldSet(parse(fixture('node.yaml')), atom), atom)
    const want = fieldSetFromFieldsV1(JSON.parse(fixture('nodeset.json')))
    expect(got.difference(want).paths()).toEqual([])
    expect(want.difference(got).paths()).toEqual([])
  })

  test('a Pod gives upstream’s set, but for the structs that have since become atomic', () => {
    const atom = core('Pod')
    const got = ensureNamedFieldsAreMembers(toFieldSet(parse(fixture('pod.yaml')), atom), atom)
    const want = fieldSetFromFieldsV1(JSON.parse(fixture('podset.json')))
    expect(got.difference(want).paths()).toEqual([])
    // OwnerReference and SecretKeySelector are `+structType=atomic` now: their fields are no longer listed.
    const missing = want.difference(got).paths()
    expect(missing.length).toBeGreaterThan(0)
    for (const p of missing) expect(p).toMatch(/^\.metadata\.ownerReferences\[uid="[^"]+"\]\.\w+$|\.valueFrom\.secretKeyRef\.\w+$/)
  })

  test('an applied ConfigMap: type fields, name and every data key', () => {
    const set = toFieldSet({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: 'b' } }, data: { k: 'v' } }, core('ConfigMap'))
    expect(set.toFieldsV1()).toEqual({ 'f:apiVersion': {}, 'f:data': { 'f:k': {} }, 'f:kind': {}, 'f:metadata': { 'f:labels': { 'f:a': {} }, 'f:name': {} } })
  })

  test('Deployment lists: containers by name, ports by port and protocol (defaulted), atomic selector, int-or-string leaves', () => {
    const atom = builtinSchema({ group: 'apps', version: 'v1', kind: 'Deployment' })!
    const set = toFieldSet(
      {
        spec: {
          selector: { matchLabels: { app: 'x' } },
          strategy: { rollingUpdate: { maxSurge: '25%' } },
          template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }], env: [{ name: 'E', value: '1' }] }], tolerations: [{ key: 'k' }] } },
        },
      },
      atom,
    )
    expect(set.paths()).toEqual([
      '.spec.selector',
      '.spec.strategy.rollingUpdate.maxSurge',
      '.spec.template.spec.tolerations',
      '.spec.template.spec.containers[name="c"]',
      '.spec.template.spec.containers[name="c"].name',
      '.spec.template.spec.containers[name="c"].env[name="E"]',
      '.spec.template.spec.containers[name="c"].env[name="E"].name',
      '.spec.template.spec.containers[name="c"].env[name="E"].value',
      '.spec.template.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"]',
      '.spec.template.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"].containerPort',
    ])
  })
})

describe('custom resource schemas', () => {
  const atom = customResourceSchema({
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          hosts: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
          rules: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['name'],
            items: { type: 'object', properties: { name: { type: 'string' } } },
          },
          port: { 'x-kubernetes-int-or-string': true },
          extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
        },
      },
    },
  })

  test('metadata is ObjectMeta, list types come from the schema, unknown fields under preserve are deduced', () => {
    const set = toFieldSet(
      {
        apiVersion: 'example.com/v1',
        kind: 'Thing',
        metadata: { name: 't', ownerReferences: [{ uid: 'u', name: 'o', kind: 'K', apiVersion: 'v1' }] },
        spec: { hosts: ['a', 'b'], rules: [{ name: 'r' }], port: 80, extra: { deep: { x: 1 } }, template: { metadata: { labels: { a: 'b' } } } },
      },
      atom,
    )
    expect(set.paths()).toEqual([
      '.apiVersion',
      '.kind',
      '.metadata.name',
      '.metadata.ownerReferences[uid="u"]',
      '.spec.port',
      '.spec.extra.deep',
      '.spec.extra.deep.x',
      '.spec.hosts[="a"]',
      '.spec.hosts[="b"]',
      '.spec.rules[name="r"]',
      '.spec.rules[name="r"].name',
      '.spec.template.metadata.labels.a',
    ])
  })
})
