/** @module horizontal-pod-autoscaler.test: the HPA controller on an in-process cluster with a manual clock and a fake metrics source. */
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster } from '../../src/cluster.js'
import type { HorizontalPodAutoscaler } from '../../src/registry/autoscaling/horizontalpodautoscalers.js'
import { setMetricsSource, type MetricsSource, type PodUsageSample } from '../../src/sim/usage/metrics-source.js'
import type { KubeObject } from '../../src/types.js'

let cluster: Cluster | undefined
afterEach(() => {
  cluster?.close()
  cluster = undefined
})

/** A metrics source reporting `cpuMilli[pod] ?? defaultMilli` for every Running pod of the cluster. */
function fakeSource(c: Cluster, usage: { defaultMilli: number; byPod: Record<string, number> }): MetricsSource {
  const sample = (p: KubeObject): PodUsageSample => ({
    namespace: p.metadata.namespace ?? '',
    name: p.metadata.name ?? '',
    timestamp: c.clock.now(),
    windowMs: 15_000,
    containers: [{ name: 'web', cpuNanoCores: (usage.byPod[p.metadata.name ?? ''] ?? usage.defaultMilli) * 1_000_000, memoryBytes: 10 << 20 }],
  })
  const running = (ns: string) =>
    c.registry
      .resource('', 'pods')
      .list(ns)
      .items.map((s) => s.obj)
      .filter((p) => (p.status as { phase?: string } | undefined)?.phase === 'Running')
  return {
    pods: (ns) => running(ns).map(sample),
    pod: (ns, name) =>
      running(ns)
        .map(sample)
        .find((s) => s.name === name),
    nodes: () => [],
    node: () => undefined,
  }
}

const deployment = (cpu: string | undefined) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx', resources: cpu ? { requests: { cpu } } : {} }] },
    },
  },
})

const hpaObject = (behavior?: unknown) => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 1,
    maxReplicas: 5,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    ...(behavior ? { behavior } : {}),
  },
})

async function start(cpu: string | undefined, usage: { defaultMilli: number; byPod: Record<string, number> }, behavior?: unknown) {
  const c = (cluster = await Cluster.open({ speed: 0 }))
  setMetricsSource(c.registry, fakeSource(c, usage))
  await c.registry.resource('apps', 'deployments').create('default', deployment(cpu) as KubeObject)
  // Ready for longer than a metrics window, so the first samples count (groupPods). advance(0)
  // first: advance jumps before running the work a write queued.
  await c.clock.advance(0)
  await c.clock.advance(30_000)
  await c.registry.resource('autoscaling', 'horizontalpodautoscalers').create('default', hpaObject(behavior) as KubeObject)
  // Let the controller see the new HPA now (advance jumps before the work a write queued runs).
  await c.clock.advance(0)
  return c
}

const hpa = (c: Cluster) => c.registry.resource('autoscaling', 'horizontalpodautoscalers').read('default', 'web') as HorizontalPodAutoscaler
const status = (c: Cluster) => hpa(c).status as Record<string, never> & { conditions?: { type: string; status: string; reason: string; message: string }[] }
const condition = (c: Cluster, type: string) => status(c).conditions?.find((x) => x.type === type)
const replicas = (c: Cluster) => (c.registry.resource('apps', 'deployments').read('default', 'web')!.spec as { replicas: number }).replicas
const events = (c: Cluster) =>
  c.registry
    .resource('', 'events')
    .list('default')
    .items.map((s) => s.obj as KubeObject & { involvedObject: { kind: string }; reason: string; message: string; source: { component: string }; count: number })
    .filter((e) => e.involvedObject.kind === 'HorizontalPodAutoscaler')

describe('HorizontalPodAutoscaler controller', () => {
  it('syncs every 15 s: metrics in status, scale up, stabilised scale down after 300 s', async () => {
    const usage = { defaultMilli: 30, byPod: {} }
    const c = await start('100m', usage)
    expect(status(c)).toEqual({ currentMetrics: null, desiredReplicas: 0 })
    await c.clock.advance(14_000)
    expect(status(c).currentReplicas).toBeUndefined()
    await c.clock.advance(1_000)
    // 30m of 100m = 30% against 50%: 1 × 0.6 → 1 (the minimum).
    expect(status(c)).toMatchObject({
      currentReplicas: 1,
      desiredReplicas: 1,
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 30, averageValue: '30m' } } }],
    })
    expect(condition(c, 'AbleToScale')).toMatchObject({ status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' })
    expect(condition(c, 'ScalingActive')).toMatchObject({
      status: 'True',
      reason: 'ValidMetricFound',
      message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
    })
    expect(condition(c, 'ScalingLimited')).toMatchObject({ status: 'False', reason: 'DesiredWithinRange' })

    usage.defaultMilli = 200
    await c.clock.advance(15_000)
    // 200% / 50% = 4 → 4 replicas (the scale-up limit max(2 × 1, 4) allows it).
    expect(replicas(c)).toBe(4)
    expect(status(c)).toMatchObject({ currentReplicas: 1, desiredReplicas: 4 })
    expect(status(c).lastScaleTime).toBeDefined()
    expect(condition(c, 'AbleToScale')).toMatchObject({ reason: 'SucceededRescale', message: 'the HPA controller was able to update the target scale to 4' })
    expect(events(c).map((e) => [e.reason, e.message, e.source.component])).toContainEqual([
      'SuccessfulRescale',
      'New size: 4; reason: cpu resource utilization (percentage of request) above target',
      'horizontal-pod-autoscaler',
    ])

    await c.clock.advance(15_000)
    expect(status(c).currentReplicas).toBe(4)
    usage.defaultMilli = 10
    await c.clock.advance(15_000)
    // 10% is well below target, but the recommendations of the last 5 minutes hold the scale.
    expect(replicas(c)).toBe(4)
    expect(condition(c, 'AbleToScale')).toMatchObject({ reason: 'ScaleDownStabilized' })
    expect(status(c).currentMetrics).toMatchObject([{ resource: { current: { averageUtilization: 10 } } }])
    await c.clock.advance(240_000)
    expect(replicas(c)).toBe(4)
    await c.clock.advance(60_000)
    expect(replicas(c)).toBe(1)
    expect(events(c).map((e) => e.message)).toContain('New size: 1; reason: All metrics below target')
  }, 30_000)

  it('a container without a cpu request: FailedGetResourceMetric and FailedComputeMetricsReplicas', async () => {
    const c = await start(undefined, { defaultMilli: 30, byPod: {} })
    await c.clock.advance(15_000)
    const pod = c.registry.resource('', 'pods').list('default').items[0].obj.metadata.name
    expect(condition(c, 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'FailedGetResourceMetric',
      message: `the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container web of Pod ${pod}`,
    })
    expect(status(c).currentMetrics).toEqual([{ type: '' }])
    const byReason = Object.fromEntries(events(c).map((e) => [e.reason, e.message]))
    expect(byReason.FailedGetResourceMetric).toBe(`failed to get cpu utilization: missing request for cpu in container web of Pod ${pod}`)
    expect(byReason.FailedComputeMetricsReplicas).toBe(
      `invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: missing request for cpu in container web of Pod ${pod}`,
    )
  }, 30_000)

  it('a missing target: FailedGetScale; zero replicas: ScalingDisabled', async () => {
    const c = (cluster = await Cluster.open({ speed: 0 }))
    await c.registry.resource('autoscaling', 'horizontalpodautoscalers').create('default', hpaObject() as KubeObject)
    await c.clock.advance(0)
    await c.clock.advance(15_000)
    expect(condition(c, 'AbleToScale')).toMatchObject({
      status: 'False',
      reason: 'FailedGetScale',
      message: `the HPA controller was unable to get the target's current scale: deployments.apps "web" not found`,
    })
    expect(events(c).map((e) => [e.reason, e.message])).toContainEqual(['FailedGetScale', 'deployments.apps "web" not found'])
    await c.registry
      .resource('apps', 'deployments')
      .create('default', { ...deployment('100m'), spec: { ...deployment('100m').spec, replicas: 0 } } as KubeObject)
    await c.clock.advance(15_000)
    expect(condition(c, 'AbleToScale')).toMatchObject({ status: 'True', reason: 'SucceededGetScale' })
    expect(condition(c, 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'ScalingDisabled',
      message: 'scaling is disabled since the replica count of the target is zero',
    })
    expect(replicas(c)).toBe(0)
  }, 30_000)

  it('scales a ReplicationController through its scale selector', async () => {
    const c = (cluster = await Cluster.open({ speed: 0 }))
    setMetricsSource(c.registry, fakeSource(c, { defaultMilli: 150, byPod: {} }))
    const d = deployment('100m')
    await c.registry.resource('', 'replicationcontrollers').create('default', {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'web' },
      spec: { replicas: 1, selector: { app: 'web' }, template: d.spec.template },
    } as KubeObject)
    await c.clock.advance(0)
    await c.clock.advance(30_000)
    const h = hpaObject()
    h.spec.scaleTargetRef = { apiVersion: 'v1', kind: 'ReplicationController', name: 'web' }
    await c.registry.resource('autoscaling', 'horizontalpodautoscalers').create('default', h as KubeObject)
    await c.clock.advance(0)
    await c.clock.advance(15_000)
    // 150% against 50% → 3.
    expect((c.registry.resource('', 'replicationcontrollers').read('default', 'web')!.spec as { replicas: number }).replicas).toBe(3)
    expect(status(c)).toMatchObject({ currentReplicas: 1, desiredReplicas: 3 })
  }, 30_000)

  it('a target above maxReplicas is brought down without consulting metrics', async () => {
    const c = (cluster = await Cluster.open({ speed: 0 }))
    const d = deployment('100m')
    await c.registry.resource('apps', 'deployments').create('default', { ...d, spec: { ...d.spec, replicas: 8 } } as KubeObject)
    await c.registry.resource('autoscaling', 'horizontalpodautoscalers').create('default', hpaObject() as KubeObject)
    await c.clock.advance(0)
    await c.clock.advance(15_000)
    expect(replicas(c)).toBe(5)
    expect(status(c)).toMatchObject({ currentReplicas: 8, desiredReplicas: 5, currentMetrics: null })
    expect(events(c).map((e) => e.message)).toContain('New size: 5; reason: Current number of replicas above Spec.MaxReplicas')
  }, 30_000)

  it('two HPAs over the same pods: AmbiguousSelector on both, no scaling', async () => {
    const c = await start('100m', { defaultMilli: 200, byPod: {} })
    await c.registry.resource('autoscaling', 'horizontalpodautoscalers').create('default', { ...hpaObject(), metadata: { name: 'web2' } } as KubeObject)
    await c.clock.advance(0)
    await c.clock.advance(15_000)
    // web synced first (and scaled), then web2 found web's selector over the same pods.
    const read = (name: string) => c.registry.resource('autoscaling', 'horizontalpodautoscalers').read('default', name) as HorizontalPodAutoscaler
    const active = (name: string) => ((read(name).status as { conditions?: { type: string }[] }).conditions ?? []).find((x) => x.type === 'ScalingActive')
    const msg = 'pods by selector app=web are controlled by multiple HPAs: [default/web default/web2]'
    expect(active('web2')).toMatchObject({ status: 'False', reason: 'AmbiguousSelector', message: msg })
    await c.clock.advance(15_000)
    expect(active('web')).toMatchObject({ status: 'False', reason: 'AmbiguousSelector', message: msg })
    const scaled = replicas(c)
    await c.clock.advance(30_000)
    expect(replicas(c)).toBe(scaled)
    expect(
      events(c)
        .filter((e) => e.reason === 'FailedComputeMetricsReplicas')
        .map((e) => e.message),
    ).toContain(msg)
  }, 30_000)

  it('with a behavior: the scale-up policy limits each period', async () => {
    const behavior = { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] }, scaleDown: { stabilizationWindowSeconds: 0 } }
    const c = await start('100m', { defaultMilli: 200, byPod: {} }, behavior)
    await c.clock.advance(15_000)
    expect(replicas(c)).toBe(2)
    expect(condition(c, 'ScalingLimited')).toMatchObject({
      status: 'True',
      reason: 'ScaleUpLimit',
      message: 'the desired replica count is increasing faster than the maximum scale rate',
    })
    await c.clock.advance(15_000)
    expect(replicas(c)).toBe(2)
    await c.clock.advance(45_000)
    expect(replicas(c)).toBe(3)
  }, 30_000)
})
