/** @module crd-load-cel.test: a CRD written first thing in a process is checked with CEL (the definition loads it). */
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster } from '../../../src/cluster.js'
import type { StatusError } from '../../../src/errors.js'
import { celLoaded } from '../../../src/registry/cel/load-cel.js'

let cluster: Cluster | undefined
afterEach(() => {
  cluster?.close()
  cluster = undefined
})

describe('CRDs and CEL', () => {
  it('a CRD is checked with CEL however early it is written: a rule that does not compile is refused', async () => {
    const c = (cluster = await Cluster.open({ speed: 0 }))
    expect(celLoaded()).toBe(false)
    const crd = (rule: string) => ({
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-validations': [{ rule }] } } } },
          },
        ],
      },
    })
    const crds = c.registry.resource('apiextensions.k8s.io', 'customresourcedefinitions')
    const err = await crds.create('', crd('self.size >')).then(
      () => undefined,
      (e: StatusError) => e,
    )
    expect(err?.status.code).toBe(422)
    expect(err?.message).toContain('compilation failed')
    await crds.create('', crd('has(self.size)'))
  })
})
