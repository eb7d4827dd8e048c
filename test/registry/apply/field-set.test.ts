import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { FieldPathSet, fieldSetFromFieldsV1 } from '../../../src/registry/apply/field-set.js'
import { comparePathElements, fieldElement, keyElement, valueElement } from '../../../src/registry/apply/path-element.js'

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/apply/${name}`, import.meta.url), 'utf8')
const f = fieldElement
const roundTrip = (json: string) => JSON.stringify(fieldSetFromFieldsV1(JSON.parse(json)).toFieldsV1())

describe('fieldsV1', () => {
  // Golden strings from structured-merge-diff's fieldpath/serialize_test.go: byte-identical after a round trip.
  test.each([
    `{"f:aaa":{},"f:aab":{},"f:aac":{},"f:aad":{},"f:aae":{},"f:aaf":{},"k:{\\"name\\":\\"first\\"}":{},"k:{\\"name\\":\\"second\\"}":{},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{},"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{},"v:1":{},"v:2":{},"v:3":{},"v:\\"aa\\"":{},"v:\\"ab\\"":{},"v:true":{},"i:1":{},"i:2":{},"i:3":{},"i:4":{}}`,
    `{"f:spec":{".":{},"f:apps":{".":{},"k:{\\"name\\":\\" app-💻\\"}":{".":{},"f:container":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\\"name\\":\\"port 🔑\\"}":{".":{},"f:containerPort":{},"f:name":{}}}},"f:name":{}},"k:{\\"name\\":\\" app-🚀\\"}":{".":{},"f:container":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\\"name\\":\\"port-✅ \\"}":{".":{},"f:containerPort":{},"f:name":{}}}},"f:name":{}}}}}`,
  ])('golden %#', (json) => {
    expect(roundTrip(json)).toBe(json)
  })

  // Field sets of a Pod and a Node as kube-apiserver serializes them (structured-merge-diff's internal/testdata).
  test.each(['podset.json', 'nodeset.json'])('%s round-trips byte for byte', (name) => {
    const json = fixture(name).trim()
    expect(roundTrip(json)).toBe(json)
  })

  test('members are sorted as upstream orders path elements, whatever order the JSON had', () => {
    const set = fieldSetFromFieldsV1({ 'i:2': {}, 'v:"b"': {}, 'k:{"b":1,"a":2}': {}, 'f:z': {}, 'i:10': {}, 'v:1': {}, 'f:a': { 'f:x': {}, '.': {} } })
    expect(JSON.stringify(set.toFieldsV1())).toBe('{"f:a":{".":{},"f:x":{}},"f:z":{},"k:{\\"a\\":2,\\"b\\":1}":{},"v:1":{},"v:\\"b\\"":{},"i:2":{},"i:10":{}}')
  })

  test('`.` marks a node that is also a member; `{}` and `{".":{}}` are the same leaf', () => {
    const a = fieldSetFromFieldsV1({ 'f:a': { '.': {} }, 'f:b': {} })
    expect(a.toFieldsV1()).toEqual({ 'f:a': {}, 'f:b': {} })
    expect(a.paths()).toEqual(['.a', '.b'])
    const b = fieldSetFromFieldsV1({ 'f:a': { 'f:b': {} } })
    expect(b.has('.a')).toBe(false)
    expect(b.has('.a.b')).toBe(true)
  })

  test("string keys and values in paths are quoted as Go's %q (strconv.Quote) prints them", () => {
    const set = fieldSetFromFieldsV1({ 'k:{"name":"a\\u0007\\u007f\\u00a0"}': {}, 'v:"b\\u000b"': {} })
    expect(set.paths()).toEqual(['[name="a\\a\\x7f\\u00a0"]', '[="b\\v"]'])
    for (const p of set.paths()) expect(set.has(p), p).toBe(true)
    expect(fieldSetFromFieldsV1({ 'v:"\\\\a\\udb40\\udc01"': {} }).paths()).toEqual(['[="\\\\a\\U000e0001"]'])
    expect(fieldSetFromFieldsV1({ 'v:"\\\\a\\udb40\\udc01"': {} }).has('[="\\\\a\\U000e0001"]')).toBe(true)
  })

  test('unknown element kinds are dropped, malformed ones rejected', () => {
    expect(fieldSetFromFieldsV1({ 'x:what': {}, 'f:a': {} }).paths()).toEqual(['.a'])
    expect(() => fieldSetFromFieldsV1({ 'k:{not json': {} })).toThrow()
    expect(() => fieldSetFromFieldsV1({ 'f:a': [] })).toThrow(/expected an object/)
    expect(() => fieldSetFromFieldsV1({ nocolon: {} })).toThrow(/missing colon/)
  })

  test('key values are written as Go writes JSON (HTML-safe escapes)', () => {
    expect(keyElement([['name', '<a&b>']])).toBe('k:{"name":"\\u003ca\\u0026b\\u003e"}')
    expect(valueElement('x>y')).toBe('v:"x\\u003ey"')
    // Read back from managedFields, the escaped and unescaped spellings are one element.
    expect(fieldSetFromFieldsV1({ 'k:{"name":"<a>"}': {} }).equals(fieldSetFromFieldsV1({ 'k:{"name":"\\u003ca\\u003e"}': {} }))).toBe(true)
  })
})

describe('path strings', () => {
  const set = fieldSetFromFieldsV1({
    'f:metadata': { 'f:labels': { '.': {}, 'f:app.kubernetes.io/name': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:containers': {
        'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': {} } },
      },
      'f:finalizers': { 'v:"a"': {} },
      'f:atomic': { 'i:0': {} },
    },
  })

  test('print as smd prints them, members of a level before its children', () => {
    expect(set.paths()).toEqual([
      '.metadata.labels',
      '.metadata.labels.app.kubernetes.io/name',
      '.spec.replicas',
      '.spec.atomic[0]',
      '.spec.containers[name="nginx"]',
      '.spec.containers[name="nginx"].image',
      '.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"]',
      '.spec.finalizers[="a"]',
    ])
  })

  test('has() reads them back, dots inside field names included', () => {
    for (const p of set.paths()) expect(set.has(p), p).toBe(true)
    expect(set.has('.spec')).toBe(false)
    expect(set.has('.spec.containers[name="other"]')).toBe(false)
    expect(set.has('.metadata.labels.app')).toBe(false)
    expect(set.has('')).toBe(false)
  })
})

describe('set algebra', () => {
  const s = (json: Record<string, unknown>) => fieldSetFromFieldsV1(json)
  const a = s({ 'f:a': {}, 'f:b': { 'f:c': {}, 'f:d': {} }, 'f:e': { '.': {}, 'f:x': {} } })
  const b = s({ 'f:b': { 'f:c': {} }, 'f:e': {}, 'f:z': {} })

  test('union, intersection, difference', () => {
    expect(a.union(b).paths()).toEqual(['.a', '.e', '.z', '.b.c', '.b.d', '.e.x'])
    expect(a.intersection(b).paths()).toEqual(['.e', '.b.c'])
    expect(a.difference(b).paths()).toEqual(['.a', '.b.d', '.e.x'])
    expect(b.difference(a).paths()).toEqual(['.z'])
  })

  test('difference keeps children below a removed member; recursiveDifference drops them', () => {
    expect(a.difference(s({ 'f:e': {} })).paths()).toEqual(['.a', '.b.c', '.b.d', '.e.x'])
    expect(a.recursiveDifference(s({ 'f:e': {} })).paths()).toEqual(['.a', '.b.c', '.b.d'])
  })

  test('equality is structural and empty results are empty', () => {
    expect(a.union(b).equals(b.union(a))).toBe(true)
    expect(a.difference(a).isEmpty()).toBe(true)
    expect(a.intersection(s({ 'f:q': {} })).isEmpty()).toBe(true)
    expect(a.difference(a).toFieldsV1()).toEqual({})
    expect(FieldPathSet.of([[f('a')], [f('b'), f('c')]]).equals(s({ 'f:a': {}, 'f:b': { 'f:c': {} } }))).toBe(true)
  })

  test('operations never change their operands', () => {
    // Fresh operands (the shared ones have been through other tests), compared by paths(), which
    // walks the trie each time: toFieldsV1() is cached per set and would not show a change.
    const x = s({ 'f:a': {}, 'f:b': { 'f:c': {}, 'f:d': {} }, 'f:e': { '.': {}, 'f:x': {} } })
    const y = s({ 'f:b': { 'f:c': {}, 'f:q': {} }, 'f:e': {}, 'f:z': {} })
    const before = [x.paths(), y.paths()]
    x.union(y)
    y.union(x)
    x.difference(y)
    x.recursiveDifference(y)
    x.intersection(y)
    expect([x.paths(), y.paths()]).toEqual(before)
  })

  test('path elements order as upstream: fields, keys, values, indexes', () => {
    const pes = ['i:1', 'v:true', 'v:"a"', 'v:2', 'k:{"name":"b"}', 'k:{"name":"a"}', 'f:b', 'f:a', 'i:0']
    expect([...pes].sort(comparePathElements)).toEqual(['f:a', 'f:b', 'k:{"name":"a"}', 'k:{"name":"b"}', 'v:2', 'v:"a"', 'v:true', 'i:0', 'i:1'])
  })
})
