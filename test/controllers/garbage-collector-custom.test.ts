/** @module garbage-collector-custom.test: the garbage collector follows resources served at run time (custom resources). */
import { afterEach, describe, expect, it } from 'vitest'
import { createGarbageCollector } from '../../src/controllers/garbage-collector.js'
import type { CustomResourceDefinition } from '../../src/registry/apiextensions/crd-types.js'
import { customResourceDefinitionFor } from '../../src/registry/apiextensions/custom-resource-definition.js'
import type { KubeObject } from '../../src/types.js'
import { startHarness, type Harness } from './workload-harness.js'

const crontabs = (versions = ['v1']): CustomResourceDefinition => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'crontabs.stable.example.com' },
  spec: {
    group: 'stable.example.com',
    scope: 'Namespaced',
    names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList' },
    versions: versions.map((name, i) => ({
      name,
      served: true,
      storage: i === versions.length - 1,
      schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    })),
  },
})

const refTo = (o: KubeObject, block = true) => ({
  apiVersion: o.apiVersion!,
  kind: o.kind!,
  name: o.metadata.name!,
  uid: o.metadata.uid!,
  ...(block ? { blockOwnerDeletion: true } : {}),
})

describe('garbage collector and custom resources', () => {
  let h: Harness
  afterEach(() => h?.close())
  const cms = () => h.registry.resource('', 'configmaps')
  const tabs = () => h.registry.resource('stable.example.com', 'crontabs')
  const cronTab = async (name: string, owners: KubeObject[] = []) =>
    (
      await tabs().create('default', {
        apiVersion: 'stable.example.com/v1',
        kind: 'CronTab',
        metadata: { name, ...(owners.length ? { ownerReferences: owners.map((o) => refTo(o)) } : {}) },
      })
    ).obj
  const configMap = async (name: string, owners: KubeObject[] = []) =>
    (
      await cms().create('default', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, ...(owners.length ? { ownerReferences: owners.map((o) => refTo(o)) } : {}) },
      })
    ).obj
  const exists = (name: string) => !!cms().getStored('default', name)

  it('background: a ConfigMap owned by a CronTab served after the collector started goes with it', async () => {
    h = await startHarness([createGarbageCollector])
    h.registry.addDefinition(customResourceDefinitionFor(crontabs()))
    const tab = await cronTab('nightly')
    await configMap('nightly-config', [tab])
    await h.settle()
    await tabs().delete('default', 'nightly', { propagationPolicy: 'Background' })
    await h.settle()
    expect(exists('nightly-config')).toBe(false)
  })

  it('background: a CronTab owned by a ConfigMap goes with it', async () => {
    h = await startHarness([createGarbageCollector])
    h.registry.addDefinition(customResourceDefinitionFor(crontabs()))
    const cm = await configMap('owner')
    await cronTab('owned', [cm])
    await h.settle()
    await cms().delete('default', 'owner', { propagationPolicy: 'Background' })
    await h.settle()
    expect(tabs().getStored('default', 'owned')).toBeUndefined()
  })

  it('foreground: the CronTab stays, with its finalizer, until its dependents are gone', async () => {
    h = await startHarness([createGarbageCollector])
    h.registry.addDefinition(customResourceDefinitionFor(crontabs()))
    const tab = await cronTab('nightly')
    const cm = await configMap('nightly-config', [tab])
    await configMap('nightly-child', [cm])
    await h.settle()
    await tabs().delete('default', 'nightly', { propagationPolicy: 'Foreground' })
    expect(tabs().getStored('default', 'nightly')?.obj.metadata.finalizers).toEqual(['foregroundDeletion'])
    await h.settle()
    expect([exists('nightly-config'), exists('nightly-child'), !!tabs().getStored('default', 'nightly')]).toEqual([false, false, false])
  })

  it('keeps following a CRD whose definition was replaced (a version added), and drops a removed one', async () => {
    h = await startHarness([createGarbageCollector])
    h.registry.addDefinition(customResourceDefinitionFor(crontabs()))
    const tab = await cronTab('nightly')
    await h.settle()
    h.registry.addDefinition(customResourceDefinitionFor(crontabs(['v1beta1', 'v1'])))
    await configMap('nightly-config', [tab])
    await h.settle()
    await tabs().delete('default', 'nightly', { propagationPolicy: 'Background' })
    await h.settle()
    expect(exists('nightly-config')).toBe(false)
    expect(h.manager.informers.for('stable.example.com', 'crontabs').resource).toBe(tabs())
    h.registry.removeDefinition('stable.example.com', 'crontabs')
    await configMap('later')
    await h.settle()
    expect(exists('later')).toBe(true)
  })

  it('collects dependents of custom objects deleted just before their resource stops being served (the CRD finalizer)', async () => {
    h = await startHarness([createGarbageCollector])
    h.registry.addDefinition(customResourceDefinitionFor(crontabs()))
    const tab = await cronTab('nightly')
    await configMap('nightly-config', [tab])
    await h.settle()
    await tabs().delete('default', 'nightly')
    h.registry.removeDefinition('stable.example.com', 'crontabs')
    await h.settle()
    expect(exists('nightly-config')).toBe(false)
  })
})
