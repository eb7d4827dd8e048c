// Cases after structured-merge-diff's merge/*_test.go (multiple_appliers, set, key, nested,
// deduced, leaf, default_keys, duplicates): a sequence of applies and updates, then the object
// and every manager's fields.
import { describe, expect, test } from 'vitest'
import { createUpdater } from '../../../src/registry/apply/create-updater.js'
import { TypedValueError } from '../../../src/registry/apply/list-items.js'
import { type Atom, openAPISchema } from '../../../src/registry/apply/schema.js'
import { ApplyConflicts, type Managers } from '../../../src/registry/apply/updater.js'

type Op = { apply: object; manager: string; force?: boolean; conflicts?: string[] } | { update: object; manager: string }

interface Result {
  object: unknown
  managers: Managers
}

function run(atom: Atom, ops: Op[], start?: object): Result {
  const u = createUpdater(atom)
  let object: object | undefined = start
  let managers: Managers = new Map()
  for (const op of ops) {
    if ('update' in op) {
      managers = u.update(object, op.update, 'v1', managers, op.manager)
      object = op.update
      continue
    }
    if (op.conflicts) {
      let err: unknown
      try {
        u.apply(object, op.apply, 'v1', managers, op.manager, false)
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(ApplyConflicts)
      expect((err as ApplyConflicts).conflicts.map((c) => `${c.manager}: ${c.path}`)).toEqual(op.conflicts)
      continue
    }
    const r = u.apply(object, op.apply, 'v1', managers, op.manager, op.force ?? false)
    object = r.object
    managers = r.managers
  }
  return { object, managers }
}

function owned(r: Result): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [name, vs] of r.managers) out[name] = vs.set.paths()
  return out
}

const associativeList = openAPISchema({
  type: 'object',
  properties: {
    list: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: { type: 'object', properties: { name: { type: 'string' }, value: { type: 'integer' } } },
    },
  },
})

describe('multiple appliers on an associative list', () => {
  test('an item one applier stops applying goes; the other applier keeps its own', () => {
    const r = run(associativeList, [
      { manager: 'apply-one', apply: { list: [{ name: 'a' }, { name: 'b' }] } },
      { manager: 'apply-two', apply: { list: [{ name: 'c' }] } },
      { manager: 'apply-one', apply: { list: [{ name: 'a' }] } },
    ])
    expect(r.object).toEqual({ list: [{ name: 'a' }, { name: 'c' }] })
    expect(owned(r)).toEqual({
      'apply-one': ['.list[name="a"]', '.list[name="a"].name'],
      'apply-two': ['.list[name="c"]', '.list[name="c"].name'],
    })
    expect(r.managers.get('apply-one')!.applied).toBe(true)
  })

  test('the same value applied twice is owned twice, without conflict', () => {
    const r = run(associativeList, [
      { manager: 'apply-one', apply: { list: [{ name: 'a', value: 0 }] } },
      { manager: 'apply-two', apply: { list: [{ name: 'a', value: 0 }] } },
    ])
    const both = ['.list[name="a"]', '.list[name="a"].name', '.list[name="a"].value']
    expect(owned(r)).toEqual({ 'apply-one': both, 'apply-two': both })
  })

  test('a different value conflicts; force takes the field over', () => {
    const ops: Op[] = [
      { manager: 'apply-one', apply: { list: [{ name: 'a', value: 0 }] } },
      { manager: 'apply-two', apply: { list: [{ name: 'a', value: 1 }] }, conflicts: ['apply-one: .list[name="a"].value'] },
    ]
    expect(run(associativeList, ops).object).toEqual({ list: [{ name: 'a', value: 0 }] })
    const forced = run(associativeList, [...ops, { manager: 'apply-two', apply: { list: [{ name: 'a', value: 1 }] }, force: true }])
    expect(forced.object).toEqual({ list: [{ name: 'a', value: 1 }] })
    expect(owned(forced)).toEqual({
      'apply-one': ['.list[name="a"]', '.list[name="a"].name'],
      'apply-two': ['.list[name="a"]', '.list[name="a"].name', '.list[name="a"].value'],
    })
  })

  test('an update takes the fields it changes; the applier then conflicts with the updater', () => {
    const r = run(associativeList, [
      { manager: 'applier', apply: { list: [{ name: 'a', value: 0 }] } },
      { manager: 'controller', update: { list: [{ name: 'a', value: 2 }] } },
      { manager: 'applier', apply: { list: [{ name: 'a', value: 0 }] }, conflicts: ['controller: .list[name="a"].value'] },
    ])
    expect(owned(r)).toEqual({ applier: ['.list[name="a"]', '.list[name="a"].name'], controller: ['.list[name="a"].value'] })
    expect(r.managers.get('controller')!.applied).toBe(false)
  })

  test('items keep the config order, live-only items their place (the merge walks both lists at once)', () => {
    const r = run(associativeList, [
      { manager: 'one', apply: { list: [{ name: 'a' }, { name: 'x' }, { name: 'b' }] } },
      { manager: 'two', apply: { list: [{ name: 'b' }, { name: 'c' }, { name: 'a' }] } },
    ])
    expect(r.object).toEqual({ list: [{ name: 'x' }, { name: 'b' }, { name: 'c' }, { name: 'a' }] })
  })
})

describe('removing items another manager has fields in (multiple_appliers_test.go)', () => {
  const listOfLists = openAPISchema({
    type: 'object',
    properties: {
      listOfLists: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        items: {
          type: 'object',
          properties: { name: { type: 'string' }, value: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } } },
        },
      },
    },
  })
  const start: Op[] = [
    { manager: 'apply-one', apply: { listOfLists: [{ name: 'a' }, { name: 'b', value: ['c'] }] } },
    { manager: 'apply-two', apply: { listOfLists: [{ name: 'b', value: ['d'] }] } },
  ]

  test('an item another applier also applies stays, without what only the dropping applier set', () => {
    const r = run(listOfLists, [
      ...start,
      { manager: 'controller', update: { listOfLists: [{ name: 'a' }, { name: 'b', value: ['c', 'd', 'e'] }] } },
      { manager: 'apply-one', apply: { listOfLists: [{ name: 'a' }] } },
    ])
    expect(r.object).toEqual({ listOfLists: [{ name: 'a' }, { name: 'b', value: ['d', 'e'] }] })
    expect(owned(r)).toEqual({
      'apply-one': ['.listOfLists[name="a"]', '.listOfLists[name="a"].name'],
      'apply-two': ['.listOfLists[name="b"]', '.listOfLists[name="b"].name', '.listOfLists[name="b"].value[="d"]'],
      controller: ['.listOfLists[name="b"].value[="e"]'],
    })
  })

  test('an item only an updater has fields in goes, and the updater loses them', () => {
    const r = run(listOfLists, [
      { manager: 'apply-one', apply: { listOfLists: [{ name: 'a' }, { name: 'b', value: ['c'] }] } },
      { manager: 'apply-two', apply: { listOfLists: [{ name: 'a', value: ['b'] }] } },
      {
        manager: 'controller',
        update: {
          listOfLists: [
            { name: 'a', value: ['b'] },
            { name: 'b', value: ['c', 'd'] },
          ],
        },
      },
      { manager: 'apply-one', apply: { listOfLists: [{ name: 'a' }] } },
    ])
    expect(r.object).toEqual({ listOfLists: [{ name: 'a', value: ['b'] }] })
    expect([...r.managers.keys()].sort()).toEqual(['apply-one', 'apply-two'])
  })
})

describe('list and map types', () => {
  const schema = openAPISchema({
    type: 'object',
    properties: {
      set: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
      atomicList: { type: 'array', items: { type: 'string' } },
      granular: { type: 'object', additionalProperties: { type: 'string' } },
      atomicMap: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } },
      struct: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } },
      atomicStruct: { type: 'object', 'x-kubernetes-map-type': 'atomic', properties: { a: { type: 'string' }, b: { type: 'string' } } },
    },
  })

  test('sets merge by value and each applier owns its values', () => {
    const r = run(schema, [
      { manager: 'one', apply: { set: ['a', 'b'] } },
      { manager: 'two', apply: { set: ['b', 'c'] } },
      { manager: 'one', apply: { set: ['a'] } },
    ])
    expect(r.object).toEqual({ set: ['a', 'b', 'c'] })
    expect(owned(r)).toEqual({ one: ['.set[="a"]'], two: ['.set[="b"]', '.set[="c"]'] })
  })

  test('atomic lists are replaced whole and conflict as one field', () => {
    const r = run(schema, [
      { manager: 'one', apply: { atomicList: ['a', 'b'] } },
      { manager: 'two', apply: { atomicList: ['c'] }, conflicts: ['one: .atomicList'] },
      { manager: 'two', apply: { atomicList: ['c'] }, force: true },
    ])
    expect(r.object).toEqual({ atomicList: ['c'] })
    expect(owned(r)).toEqual({ two: ['.atomicList'] })
  })

  test('granular maps merge key by key; atomic maps are one field', () => {
    const r = run(schema, [
      { manager: 'one', apply: { granular: { a: '1' }, atomicMap: { a: '1' } } },
      { manager: 'two', apply: { granular: { b: '2' } } },
      { manager: 'two', apply: { granular: { b: '2' }, atomicMap: { b: '2' } }, conflicts: ['one: .atomicMap'] },
    ])
    expect(r.object).toEqual({ granular: { a: '1', b: '2' }, atomicMap: { a: '1' } })
    expect(owned(r)).toEqual({ one: ['.atomicMap', '.granular.a'], two: ['.granular.b'] })
  })

  test('structs merge field by field; atomic structs do not', () => {
    const r = run(schema, [
      { manager: 'one', apply: { struct: { a: 'x' }, atomicStruct: { a: 'x' } } },
      { manager: 'two', apply: { struct: { b: 'y' }, atomicStruct: { b: 'y' } }, force: true },
    ])
    expect(r.object).toEqual({ struct: { a: 'x', b: 'y' }, atomicStruct: { b: 'y' } })
    expect(owned(r)).toEqual({ one: ['.struct.a'], two: ['.atomicStruct', '.struct.b'] })
  })

  test('a field nobody applies any more is removed, with the struct it leaves empty', () => {
    const r = run(schema, [
      { manager: 'one', apply: { struct: { a: 'x' }, granular: { k: 'v' } } },
      { manager: 'one', apply: { granular: { k: 'v' } } },
    ])
    expect(r.object).toEqual({ granular: { k: 'v' } })
  })

  test('fields set by an update and never applied are not pruned', () => {
    const r = run(schema, [
      { manager: 'kubectl', update: { struct: { a: 'x', b: 'y' } } },
      { manager: 'one', apply: { struct: { a: 'x' } } },
      { manager: 'one', apply: {} },
    ])
    expect(r.object).toEqual({ struct: { a: 'x', b: 'y' } })
    // An update owns the struct it added as well as its fields (compare reports it added).
    expect(owned(r)).toEqual({ kubectl: ['.struct', '.struct.a', '.struct.b'] })
  })
})

describe('nested associative lists with multi-field keys', () => {
  const schema = openAPISchema({
    type: 'object',
    properties: {
      containers: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        items: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            image: { type: 'string' },
            ports: {
              type: 'array',
              'x-kubernetes-list-type': 'map',
              'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
              items: {
                type: 'object',
                properties: { containerPort: { type: 'integer' }, protocol: { type: 'string', default: 'TCP' }, name: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  })

  test('items are keyed by every key field, defaults filling the ones left out', () => {
    const r = run(schema, [
      { manager: 'one', apply: { containers: [{ name: 'c', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }] }] } },
      { manager: 'two', apply: { containers: [{ name: 'c', ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }] }] } },
    ])
    expect(r.object).toEqual({
      containers: [
        {
          name: 'c',
          ports: [
            { containerPort: 80, name: 'http', protocol: 'TCP' },
            { containerPort: 53, protocol: 'UDP' },
          ],
        },
      ],
    })
    expect(owned(r).two).toEqual([
      '.containers[name="c"]',
      '.containers[name="c"].name',
      '.containers[name="c"].ports[containerPort=80,protocol="TCP"]',
      '.containers[name="c"].ports[containerPort=80,protocol="TCP"].containerPort',
      '.containers[name="c"].ports[containerPort=80,protocol="TCP"].name',
      '.containers[name="c"].ports[containerPort=80,protocol="TCP"].protocol',
    ])
    expect(r.managers.get('one')!.set.toFieldsV1()).toEqual({
      'f:containers': {
        'k:{"name":"c"}': {
          '.': {},
          'f:name': {},
          'f:ports': {
            'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} },
            'k:{"containerPort":53,"protocol":"UDP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} },
          },
        },
      },
    })
  })

  test('a conflict deep in a nested item names the full path', () => {
    run(schema, [
      { manager: 'one', apply: { containers: [{ name: 'c', image: 'a' }] } },
      { manager: 'two', apply: { containers: [{ name: 'c', image: 'b' }] }, conflicts: ['one: .containers[name="c"].image'] },
    ])
  })

  test('a configuration repeating a key is rejected; a live object with one is tolerated', () => {
    const u = createUpdater(schema)
    expect(() => u.apply(undefined, { containers: [{ name: 'c' }, { name: 'c' }] }, 'v1', new Map(), 'm', false)).toThrow(
      new TypedValueError('.containers', 'duplicate entries for key [name="c"]'),
    )
    const m = u.update(undefined, { containers: [{ name: 'c' }, { name: 'c', image: 'x' }] }, 'v1', new Map(), 'm')
    expect(m.get('m')!.set.paths()).toEqual(['.containers', '.containers[name="c"]'])
    expect(() => u.apply(undefined, { containers: [{ image: 'x' }] }, 'v1', new Map(), 'm', false)).toThrow(
      '.containers: element 0: associative list with keys has an element that omits all key fields ["name"]',
    )
  })
})

describe('untyped (deduced) values', () => {
  const schema = openAPISchema({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true })

  test('maps merge key by key, lists are atomic, scalars are leaves', () => {
    const r = run(schema, [
      { manager: 'one', apply: { a: { b: 1, l: [1, 2] } } },
      { manager: 'two', apply: { a: { c: 2 } } },
      { manager: 'two', apply: { a: { c: 2, l: [3] } }, conflicts: ['one: .a.l'] },
    ])
    expect(r.object).toEqual({ a: { b: 1, l: [1, 2], c: 2 } })
    // `.a` is no struct field, so each applier owns the key itself too.
    expect(owned(r)).toEqual({ one: ['.a', '.a.b', '.a.l'], two: ['.a', '.a.c'] })
  })

  test('a value that changes form is replaced', () => {
    const r = run(schema, [
      { manager: 'one', apply: { a: { b: 1 } } },
      { manager: 'one', apply: { a: 'now a string' } },
    ])
    expect(r.object).toEqual({ a: 'now a string' })
    expect(owned(r)).toEqual({ one: ['.a'] })
  })
})

describe('updates', () => {
  test('a create owns everything set; a later update owns only what it changed, and takes it', () => {
    const schema = openAPISchema({
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'string' }, m: { type: 'object', additionalProperties: { type: 'string' } } },
    })
    const r = run(schema, [
      { manager: 'creator', update: { a: '1', b: '1', m: { x: '1' } } },
      { manager: 'editor', update: { a: '2', b: '1', m: { x: '1', y: '2' } } },
    ])
    expect(owned(r)).toEqual({ creator: ['.b', '.m', '.m.x'], editor: ['.a', '.m.y'] })
  })

  test('removed fields leave every set; a manager left with nothing disappears', () => {
    const schema = openAPISchema({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } })
    const r = run(schema, [
      { manager: 'one', update: { a: '1' } },
      { manager: 'two', update: { a: '1', b: '2' } },
      { manager: 'three', update: { b: '2' } },
    ])
    expect(owned(r)).toEqual({ two: ['.b'] })
  })

  test('an unchanged object leaves ownership as it was', () => {
    const schema = openAPISchema({ type: 'object', properties: { a: { type: 'string' } } })
    const u = createUpdater(schema)
    const m = u.update(undefined, { a: '1' }, 'v1', new Map(), 'one')
    const m2 = u.update({ a: '1' }, { a: '1' }, 'v1', m, 'two')
    expect([...m2.keys()]).toEqual(['one'])
    expect(m2.get('one')).toBe(m.get('one'))
  })
})

describe('apply results', () => {
  const schema = openAPISchema({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } })

  test('a no-op apply says so; every result is a copy of its own', () => {
    const u = createUpdater(schema)
    const config = { a: '1' }
    const first = u.apply(undefined, config, 'v1', new Map(), 'one', false)
    expect(first.unchanged).toBe(false)
    expect(first.object).not.toBe(config)
    const second = u.apply(first.object, { a: '1' }, 'v1', first.managers, 'one', false)
    expect(second.unchanged).toBe(true)
    expect(second.object).toEqual(first.object)
    expect(second.object).not.toBe(first.object)
    expect(second.managers.get('one')!.set.equals(first.managers.get('one')!.set)).toBe(true)
  })

  test('inputs are never mutated', () => {
    const u = createUpdater(schema)
    const live = Object.freeze({ a: '1', b: '2' })
    const config = Object.freeze({ b: '3' })
    const managers: Managers = new Map()
    const r = u.apply(live, config, 'v1', managers, 'one', true)
    expect(r.object).toEqual({ a: '1', b: '3' })
    expect(managers.size).toBe(0)
  })
})

describe('configurations that do not fit the schema', () => {
  const schema = openAPISchema({
    type: 'object',
    properties: {
      replicas: { type: 'integer' },
      name: { type: 'string' },
      flag: { type: 'boolean' },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      args: { type: 'array', items: { type: 'string' } },
    },
  })
  const u = createUpdater(schema)
  const applying = (config: object) => () => u.apply(undefined, config, 'v1', new Map(), 'm', false)

  test.each([
    [{ replicas: 'three' }, '.replicas: expected numeric (int or float), got string'],
    [{ name: 3 }, '.name: expected string, got &value.valueUnstructured{Value:3}'],
    [
      { name: { a: 'x', b: [true, 1.5] } },
      '.name: expected string, got &value.valueUnstructured{Value:map[string]interface {}{"a":"x", "b":[]interface {}{true, 1.5}}}',
    ],
    [{ replicas: {} }, '.replicas: expected numeric (int or float), got map[string]interface {}'],
    [{ flag: ['a', 1, null] }, '.flag: expected boolean, got &{[a 1 <nil>]}'],
    [{ flag: 'yes' }, '.flag: expected boolean, got &{yes}'],
    [{ labels: ['a'] }, '.labels: expected map, got &{[a]}'],
    [{ args: 'a' }, '.args: expected list, got &{a}'],
    [{ args: ['a', 1] }, '.args[1]: expected string, got &value.valueUnstructured{Value:1}'],
  ])('%j is rejected with upstream’s message', (config, message) => {
    expect(applying(config)).toThrow(new TypedValueError(message.slice(0, message.indexOf(':')), message.slice(message.indexOf(':') + 2)))
  })

  test('nulls pass; a field the schema does not declare is refused before any field validation', () => {
    expect(applying({ replicas: null, labels: { x: 'y' } })).not.toThrow()
    expect(applying({ replicas: 1, other: { x: 1 } })).toThrow(new TypedValueError('.other', 'field not declared in schema'))
  })
})
