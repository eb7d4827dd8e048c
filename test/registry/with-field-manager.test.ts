/** @module with-field-manager.test: registry views that write under a component's field manager. */
import { describe, expect, it } from 'vitest'
import { definitions } from '../../src/registry/definitions.js'
import { Registry } from '../../src/registry/registry.js'
import { RegistryMap, registryRoot, withFieldManager } from '../../src/registry/with-field-manager.js'
import { SimClock } from '../../src/sim/clock.js'
import { MemoryStore } from '../../src/store/object-store.js'

function setup() {
  const registry = new Registry({ store: new MemoryStore({ historySize: 1000 }), clock: new SimClock({ speed: 0 }), definitions })
  return registry
}

const configMap = (name: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data })

describe('withFieldManager', () => {
  it("writes through a view are recorded under the view's manager unless the write names one", async () => {
    const registry = setup()
    await registry.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
    const kcm = withFieldManager(registry, 'kube-controller-manager')
    const cms = kcm.resource('', 'configmaps')
    await cms.create('default', configMap('a', { x: '1' }))
    await cms.guaranteedUpdate('default', 'a', (cm) => ({ ...cm, data: { x: '1', y: '2' } }))
    await cms.update('default', 'a', { ...cms.get('default', 'a').obj, data: { x: '1', y: '2', z: '3' } }, { fieldManager: 'someone' })
    const entries = registry.resource('', 'configmaps').get('default', 'a').obj.metadata.managedFields!
    expect(entries.map((e) => [e.manager, e.operation, e.fieldsV1])).toEqual([
      ['kube-controller-manager', 'Update', { 'f:data': { '.': {}, 'f:x': {}, 'f:y': {} } }],
      ['someone', 'Update', { 'f:data': { 'f:z': {} } }],
    ])
    // Writes straight to the registry name nobody and move no ownership.
    await registry.resource('', 'configmaps').guaranteedUpdate('default', 'a', (cm) => ({ ...cm, data: { x: 'changed', y: '2', z: '3' } }))
    expect(registry.resource('', 'configmaps').get('default', 'a').obj.metadata.managedFields).toEqual(entries)
  })

  it('a view is one per manager, and per-cluster tables see through it', () => {
    const registry = setup()
    const view = withFieldManager(registry, 'kubelet')
    expect(withFieldManager(registry, 'kubelet')).toBe(view)
    expect(registryRoot(view)).toBe(registry)
    expect(view.store).toBe(registry.store)
    const table = new RegistryMap<string>()
    table.set(view, 'x')
    expect(table.get(registry)).toBe('x')
    expect(table.has(withFieldManager(registry, 'other'))).toBe(true)
  })
})
