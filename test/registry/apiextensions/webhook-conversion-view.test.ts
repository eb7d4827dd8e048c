/** @module webhook-conversion-view.test: a CRD version served through an asynchronous converter (what strategy Webhook wires). */
import { describe, expect, it } from 'vitest'
import { customResourceDefinitionFor } from '../../../src/registry/apiextensions/custom-resource-definition.js'
import type { CustomResourceDefinition } from '../../../src/registry/apiextensions/crd-types.js'
import type { ObjectConverter } from '../../../src/registry/apiextensions/webhook-converter.js'
import { definitions } from '../../../src/registry/definitions.js'
import { Registry } from '../../../src/registry/registry.js'
import { SimClock } from '../../../src/sim/clock.js'
import { MemoryStore } from '../../../src/store/object-store.js'
import type { KubeObject } from '../../../src/types.js'

const schema = (field: string) => ({
  openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { [field]: { type: 'string' } } } } },
})
const crd = {
  metadata: { name: 'crontabs.stable.example.com' },
  spec: {
    group: 'stable.example.com',
    scope: 'Namespaced',
    names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList' },
    versions: [
      { name: 'v1beta1', served: true, storage: true, schema: schema('cronSpec') },
      { name: 'v1', served: true, storage: false, schema: schema('schedule') },
    ],
    conversion: { strategy: 'Webhook' },
  },
} as CustomResourceDefinition

type Tab = KubeObject & { spec: Record<string, unknown> }

/** What the webhook of the e2e test does: renames cronSpec ⇄ schedule; records every call. */
function renamer(calls: string[]): ObjectConverter {
  return async (objs, desired) => {
    calls.push(`${objs.length}→${desired}`)
    await new Promise((r) => setImmediate(r))
    return objs.map((o) => {
      const { cronSpec, schedule, ...rest } = (o as Tab).spec
      const value = cronSpec ?? schedule
      return { ...o, apiVersion: desired, spec: { ...rest, ...(desired.endsWith('/v1') ? { schedule: value } : { cronSpec: value }) } } as KubeObject
    })
  }
}

async function setup() {
  const calls: string[] = []
  const clock = new SimClock({ start: Date.parse('2026-01-01T00:00:00Z'), speed: 0 })
  const r = new Registry({ store: new MemoryStore(), clock, definitions })
  await r.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
  r.addDefinition(customResourceDefinitionFor(crd, { convert: renamer(calls) }))
  return { v1: r.findVersion('stable.example.com', 'v1', 'crontabs')!, beta: r.resource('stable.example.com', 'crontabs'), calls }
}

describe('a version converted asynchronously', () => {
  it('converts writes in and results out; only the view has convertOut', async () => {
    const { v1, beta, calls } = await setup()
    expect(beta.convertOut).toBeUndefined()
    const created = await v1.create('default', {
      apiVersion: 'stable.example.com/v1',
      kind: 'CronTab',
      metadata: { name: 'a' },
      spec: { schedule: '@daily' },
    } as KubeObject)
    expect((created.obj as Tab).spec).toEqual({ schedule: '@daily' })
    expect((beta.get('default', 'a').obj as Tab).spec).toEqual({ cronSpec: '@daily' })
    expect(calls).toEqual(['1→stable.example.com/v1beta1', '1→stable.example.com/v1'])
    const [out] = await v1.convertOut!([beta.get('default', 'a')])
    expect(out.obj).toMatchObject({ apiVersion: 'stable.example.com/v1', spec: { schedule: '@daily' } })
    expect(out.rv).toBe(beta.get('default', 'a').rv)
  })

  it('a read-modify-write at the view sees and writes the converted form', async () => {
    const { v1, beta } = await setup()
    await beta.create('default', {
      apiVersion: 'stable.example.com/v1beta1',
      kind: 'CronTab',
      metadata: { name: 'a' },
      spec: { cronSpec: '@daily' },
    } as KubeObject)
    const seen: unknown[] = []
    const written = await v1.guaranteedUpdate('default', 'a', (cur) => {
      seen.push((cur as Tab).spec)
      return { ...cur, spec: { schedule: '@hourly' } } as KubeObject
    })
    expect(seen).toEqual([{ schedule: '@daily' }])
    expect((written.obj as Tab).spec).toEqual({ schedule: '@hourly' })
    expect((beta.get('default', 'a').obj as Tab).spec).toEqual({ cronSpec: '@hourly' })
  })

  it('re-reads when the object changed during the conversion', async () => {
    const { v1, beta } = await setup()
    await beta.create('default', {
      apiVersion: 'stable.example.com/v1beta1',
      kind: 'CronTab',
      metadata: { name: 'a', labels: { n: '0' } },
      spec: { cronSpec: '@daily' },
    } as KubeObject)
    let tries = 0
    const update = v1.guaranteedUpdate('default', 'a', (cur) => {
      tries++
      return { ...cur, spec: { schedule: '@hourly' } } as KubeObject
    })
    // A write between the read and the write: the view must not overwrite it blindly.
    await beta.guaranteedUpdate('default', 'a', (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { n: '1' } } }))
    await update
    expect(tries).toBe(2)
    const now = beta.get('default', 'a').obj as Tab
    expect(now.metadata.labels).toEqual({ n: '1' })
    expect(now.spec).toEqual({ cronSpec: '@hourly' })
  })
})
