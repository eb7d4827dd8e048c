/** @module custom-resource-definition.test: the strategy a CRD's objects get (customResourceStrategy and its status variant). */
import { describe, expect, it } from 'vitest'
import { customResourceDefinitionFor } from '../../../src/registry/apiextensions/custom-resource-definition.js'
import type { CustomResourceDefinition } from '../../../src/registry/apiextensions/crd-types.js'
import { definitions } from '../../../src/registry/definitions.js'
import { Registry } from '../../../src/registry/registry.js'
import { SimClock } from '../../../src/sim/clock.js'
import { MemoryStore } from '../../../src/store/object-store.js'
import type { KubeObject } from '../../../src/types.js'

const crd = {
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer' } } },
              status: { type: 'object', properties: { ready: { type: 'boolean' } } },
            },
          },
        },
      },
    ],
  },
} as CustomResourceDefinition

type Widget = KubeObject & { spec?: { size?: number }; status?: { ready?: boolean } }

async function setup() {
  const registry = new Registry({ store: new MemoryStore(), clock: new SimClock({ speed: 0 }), definitions })
  await registry.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
  registry.addDefinition(customResourceDefinitionFor(crd))
  const widgets = registry.resource<Widget>('example.com', 'widgets')
  await widgets.create('default', {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', labels: { a: '1' } },
    spec: { size: 1 },
    status: { ready: true },
  } as Widget)
  return widgets
}

describe('custom resource strategy with the status subresource', () => {
  it('drops status on create, and a /status write changes status only: all of metadata stays as stored', async () => {
    const widgets = await setup()
    expect(widgets.read('default', 'w')!.status).toBeUndefined()
    await widgets.guaranteedUpdate(
      'default',
      'w',
      (w) => ({
        ...w,
        metadata: { ...w.metadata, labels: { a: '2' }, annotations: { x: 'y' }, finalizers: ['example.com/f'], generateName: 'w-' },
        spec: { size: 9 },
        status: { ready: true },
      }),
      { subresource: 'status' },
    )
    const w = widgets.read('default', 'w')!
    expect(w.status).toEqual({ ready: true })
    expect(w.spec).toEqual({ size: 1 })
    expect(w.metadata.labels).toEqual({ a: '1' })
    expect(w.metadata.annotations).toBeUndefined()
    expect(w.metadata.finalizers).toBeUndefined()
    expect(w.metadata.generateName).toBeUndefined()
    expect(w.metadata.generation).toBe(1)
  })

  it('a main-resource update keeps status and bumps generation on a spec change only', async () => {
    const widgets = await setup()
    await widgets.guaranteedUpdate('default', 'w', (w) => ({ ...w, status: { ready: true } }), { subresource: 'status' })
    await widgets.guaranteedUpdate('default', 'w', (w) => ({ ...w, metadata: { ...w.metadata, labels: { a: '3' } }, status: { ready: false } }))
    let w = widgets.read('default', 'w')!
    expect(w.status).toEqual({ ready: true })
    expect(w.metadata.labels).toEqual({ a: '3' })
    expect(w.metadata.generation).toBe(1)
    await widgets.guaranteedUpdate('default', 'w', (x) => ({ ...x, spec: { size: 2 } }))
    w = widgets.read('default', 'w')!
    expect(w.metadata.generation).toBe(2)
  })
})

describe('a storage version with served: false', () => {
  it('stores the objects but only the served versions are found and listed as served', async () => {
    const [v1] = crd.spec!.versions!
    const twoVersions = {
      ...crd,
      spec: {
        ...crd.spec,
        versions: [
          { ...v1, served: false },
          { ...v1, name: 'v2', storage: false },
        ],
      },
    } as CustomResourceDefinition
    const registry = new Registry({ store: new MemoryStore(), clock: new SimClock({ speed: 0 }), definitions })
    await registry.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
    const def = customResourceDefinitionFor(twoVersions)
    expect(def).toMatchObject({ version: 'v1', storageVersionServed: false })
    registry.addDefinition(def)
    expect(registry.findVersion('example.com', 'v1', 'widgets')).toBeUndefined()
    const v2 = registry.findVersion('example.com', 'v2', 'widgets')!
    expect(
      registry
        .servedStores()
        .filter((rs) => rs.def.group === 'example.com')
        .map((rs) => rs.def.version),
    ).toEqual(['v2'])
    // Objects are stored at v1 (the storage version) whichever version they come in at.
    await v2.create('default', { apiVersion: 'example.com/v2', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 3 } })
    expect(registry.resource('example.com', 'widgets').read('default', 'w')?.apiVersion).toBe('example.com/v1')
  })
})
