import { afterEach, describe, expect, it } from 'vitest'
import { createStatefulSetController, podOrdinal } from '../../src/controllers/statefulset.js'
import type { KubeObject } from '../../src/types.js'
import { startHarness, type Harness } from './workload-harness.js'

describe('podOrdinal', () => {
  it('parses only the set’s own names', () => {
    expect(podOrdinal('web', 'web-12')).toBe(12)
    expect(podOrdinal('web', 'web-x')).toBe(-1)
    expect(podOrdinal('web', 'webby-1')).toBe(-1)
  })
})

describe('statefulset controller', () => {
  let h: Harness
  afterEach(() => h?.close())
  const sts = (policy = 'OrderedReady', replicas = 3): KubeObject => ({
    metadata: { name: 'web' },
    spec: {
      replicas,
      serviceName: 'nginx',
      podManagementPolicy: policy,
      selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.15.12' }] } },
    },
  })
  const sets = () => h.registry.resource('apps', 'statefulsets')
  const names = () =>
    h
      .pods('default')
      .filter((p) => !p.metadata.deletionTimestamp)
      .map((p) => p.metadata.name)
      .sort()
  const status = () => sets().getStored('default', 'web')!.obj.status as Record<string, unknown>

  it('creates web-0, web-1, web-2 in order, each after the previous is Running and Ready', async () => {
    h = await startHarness([createStatefulSetController])
    await sets().create('default', sts())
    await h.settle()
    expect(names()).toEqual(['web-0'])
    const p0 = h.pods('default')[0]
    expect(p0.spec?.hostname).toBe('web-0')
    expect(p0.spec?.subdomain).toBe('nginx')
    expect(p0.metadata.labels).toMatchObject({ 'statefulset.kubernetes.io/pod-name': 'web-0', 'apps.kubernetes.io/pod-index': '0' })
    const rev = p0.metadata.labels?.['controller-revision-hash']
    expect(rev).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/)
    expect(h.registry.resource('apps', 'controllerrevisions').getStored('default', rev!)).toBeDefined()
    await h.runPods()
    expect(names()).toEqual(['web-0', 'web-1'])
    await h.runPods()
    expect(names()).toEqual(['web-0', 'web-1', 'web-2'])
    await h.runPods()
    expect(status()).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
      currentRevision: rev,
      updateRevision: rev,
      collisionCount: 0,
      observedGeneration: 1,
    })
    const evs = h.registry
      .resource('', 'events')
      .list('default')
      .items.map((s) => (s.obj as any).message)
    expect(evs).toContain('create Pod web-0 in StatefulSet web successful')
  })

  it('scales down from the highest ordinal, one at a time', async () => {
    h = await startHarness([createStatefulSetController])
    await sets().create('default', sts('Parallel'))
    await h.settle()
    expect(names()).toEqual(['web-0', 'web-1', 'web-2'])
    await h.runPods()
    await sets().guaranteedUpdate('default', 'web', (s: any) => ({ ...s, spec: { ...s.spec, podManagementPolicy: 'Parallel', replicas: 1 } }))
    await h.settle()
    expect(names()).toEqual(['web-0'])
    h.close()
    h = await startHarness([createStatefulSetController])
    await sets().create('default', sts())
    await h.settle()
    for (let i = 0; i < 3; i++) await h.runPods()
    expect(names()).toEqual(['web-0', 'web-1', 'web-2'])
    await sets().guaranteedUpdate('default', 'web', (s: any) => ({ ...s, spec: { ...s.spec, replicas: 1 } }))
    await h.settle()
    expect(
      h
        .pods('default')
        .filter((p) => p.metadata.deletionTimestamp)
        .map((p) => p.metadata.name),
    ).toEqual(['web-2'])
    await h.reapTerminating()
    expect(
      h
        .pods('default')
        .filter((p) => p.metadata.deletionTimestamp)
        .map((p) => p.metadata.name),
    ).toEqual(['web-1'])
    await h.reapTerminating()
    expect(names()).toEqual(['web-0'])
  })

  it('rolls a new template out from the highest ordinal and then makes it current', async () => {
    h = await startHarness([createStatefulSetController])
    await sets().create('default', sts())
    await h.settle()
    for (let i = 0; i < 3; i++) await h.runPods()
    expect(names()).toEqual(['web-0', 'web-1', 'web-2'])
    const first = status().currentRevision
    await sets().guaranteedUpdate('default', 'web', (s: any) => {
      s.spec.template.spec.containers[0].image = 'nginx:1.16.0'
      return s
    })
    await h.settle()
    expect(
      h
        .pods('default')
        .filter((p) => p.metadata.deletionTimestamp)
        .map((p) => p.metadata.name),
    ).toEqual(['web-2'])
    const update = status().updateRevision
    expect(update).not.toBe(first)
    expect(status().currentRevision).toBe(first)
    for (let i = 0; i < 3; i++) {
      await h.reapTerminating()
      await h.runPods()
    }
    expect(h.pods('default').map((p) => p.spec?.containers[0].image)).toEqual(['nginx:1.16.0', 'nginx:1.16.0', 'nginx:1.16.0'])
    expect(status()).toMatchObject({ currentRevision: update, updateRevision: update, currentReplicas: 3, updatedReplicas: 3 })
    const revs = h.registry
      .resource('apps', 'controllerrevisions')
      .list('default')
      .items.map((s) => [s.obj.metadata.name, (s.obj as any).revision])
    expect(revs.sort((a, b) => a[1] - b[1])).toEqual([
      [first, 1],
      [update, 2],
    ])
  })
})
