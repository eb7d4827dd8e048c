/** @module disruption.test: PodDisruptionBudget status and the eviction policy, on an in-process cluster with a manual clock. */
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster } from '../../src/cluster.js'
import { checkEviction } from '../../src/controllers/eviction-policy.js'
import { StatusError } from '../../src/errors.js'
import type { PodDisruptionBudget } from '../../src/registry/policy/poddisruptionbudgets.js'
import type { KubeObject } from '../../src/types.js'

let cluster: Cluster | undefined
afterEach(() => {
  cluster?.close()
  cluster = undefined
})

/**
 * A cluster where the test owns pod status: pods are bound to a node no kubelet runs
 * (`nowhere`), so whatever Ready state the test writes stays.
 */
async function start(): Promise<Cluster> {
  cluster = await Cluster.open({ speed: 0 })
  return cluster
}

const readyPod = async (c: Cluster, name: string, labels: Record<string, string>, opts: { ready?: boolean; phase?: string; owner?: KubeObject } = {}) => {
  const pods = c.registry.resource('', 'pods')
  const owner = opts.owner
    ? [{ apiVersion: opts.owner.apiVersion!, kind: opts.owner.kind!, name: opts.owner.metadata.name!, uid: opts.owner.metadata.uid!, controller: true }]
    : undefined
  await pods.create('default', {
    metadata: { name, labels, ...(owner ? { ownerReferences: owner } : {}) },
    spec: { nodeName: 'nowhere', containers: [{ name: 'c', image: 'nginx' }] },
  } as KubeObject)
  await pods.guaranteedUpdate(
    'default',
    name,
    (p) => ({
      ...p,
      status: { ...(p.status as object), phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
    }),
    { subresource: 'status' },
  )
}

const pdb = async (c: Cluster, name: string, spec: Record<string, unknown>) =>
  await c.registry.resource('policy', 'poddisruptionbudgets').create('default', {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name },
    spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  } as KubeObject)
const status = (c: Cluster, name: string) => (c.registry.resource('policy', 'poddisruptionbudgets').read('default', name) as PodDisruptionBudget).status!

async function refusal(fn: () => Promise<unknown>): Promise<StatusError> {
  try {
    await fn()
  } catch (err) {
    if (err instanceof StatusError) return err
    throw err
  }
  throw new Error('expected the eviction to be refused')
}

describe('disruption controller', () => {
  it('keeps minAvailable status: counts, observedGeneration and the DisruptionAllowed condition', async () => {
    const c = await start()
    for (const n of ['a', 'b', 'c']) await readyPod(c, n, { app: 'web' })
    await readyPod(c, 'd', { app: 'web' }, { ready: false })
    await readyPod(c, 'other', { app: 'db' })
    await pdb(c, 'web', { minAvailable: 2 })
    await c.clock.advance(10)
    expect(status(c, 'web')).toMatchObject({ currentHealthy: 3, desiredHealthy: 2, expectedPods: 4, disruptionsAllowed: 1, observedGeneration: 1 })
    expect(status(c, 'web').conditions).toEqual([
      { type: 'DisruptionAllowed', status: 'True', observedGeneration: 1, lastTransitionTime: expect.any(String), reason: 'SufficientPods', message: '' },
    ])
    await c.registry.resource('', 'pods').delete('default', 'a', { gracePeriodSeconds: 0 })
    await c.clock.advance(10)
    expect(status(c, 'web')).toMatchObject({ currentHealthy: 2, disruptionsAllowed: 0 })
    expect(status(c, 'web').conditions?.[0]).toMatchObject({ status: 'False', reason: 'InsufficientPods' })
  })

  it('scales percentages and maxUnavailable from the owning controller (rounding up)', async () => {
    const c = await start()
    const rs = await c.registry.resource('apps', 'replicasets').create('default', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-rs' },
      spec: {
        replicas: 5,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      },
    } as KubeObject)
    // Three pods of the RS exist before its controller looks (it adds the rest).
    for (const n of ['a', 'b', 'c']) await readyPod(c, n, { app: 'web' }, { owner: rs.obj })
    await pdb(c, 'pct', { minAvailable: '50%' })
    await pdb(c, 'max', { maxUnavailable: '30%' })
    await c.clock.advance(10)
    // The desired scale (5) is what counts: 50% of 5 rounds up to 3; 5 - ceil(1.5) = 3.
    expect(status(c, 'pct')).toMatchObject({ expectedPods: 5, desiredHealthy: 3 })
    expect(status(c, 'max')).toMatchObject({ expectedPods: 5, desiredHealthy: 3 })
    const { currentHealthy, disruptionsAllowed } = status(c, 'pct')
    expect(disruptionsAllowed).toBe(Math.max(0, currentHealthy - 3))
  })

  it('fails safe when a percentage budget covers a pod without a controller', async () => {
    const c = await start()
    await readyPod(c, 'bare', { app: 'web' })
    await pdb(c, 'web', { maxUnavailable: 1 })
    await c.clock.advance(10)
    expect(status(c, 'web').disruptionsAllowed).toBe(0)
    expect(status(c, 'web').conditions?.[0]).toMatchObject({
      type: 'DisruptionAllowed',
      status: 'False',
      reason: 'SyncFailed',
      message: 'found no controller ref for pod "bare"',
    })
  })
})

describe('eviction policy', () => {
  it('refuses with 429 and the DisruptionBudget cause when no disruption is allowed', async () => {
    const c = await start()
    for (const n of ['a', 'b']) await readyPod(c, n, { app: 'web' })
    await pdb(c, 'web-pdb', { minAvailable: 2 })
    await c.clock.advance(10)
    const pod = c.registry.resource('', 'pods').read('default', 'a')!
    const err = await refusal(() => checkEviction(c.registry, pod, {}, c.clock.now()))
    expect(err.status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      code: 429,
      reason: 'TooManyRequests',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web-pdb needs 2 healthy pods and has 2 currently' }] },
    })
    expect(err.headers['Retry-After']).toBeUndefined()
  })

  it('spends one disruption, records the pod and marks it DisruptionTarget', async () => {
    const c = await start()
    for (const n of ['a', 'b', 'c']) await readyPod(c, n, { app: 'web' })
    await pdb(c, 'web', { minAvailable: 2 })
    await c.clock.advance(10)
    const pods = c.registry.resource('', 'pods')
    await checkEviction(c.registry, pods.read('default', 'a')!, {}, c.clock.now())
    expect(status(c, 'web')).toMatchObject({ disruptionsAllowed: 0, disruptedPods: { a: expect.any(String) } })
    expect(status(c, 'web').conditions?.[0]).toMatchObject({ status: 'False', reason: 'InsufficientPods' })
    expect((pods.read('default', 'a') as unknown as { status: { conditions: unknown[] } }).status.conditions).toContainEqual(
      expect.objectContaining({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' }),
    )
    // The second eviction finds the budget spent (the pod is not deleted here, and still counts as disrupted).
    await c.clock.advance(10)
    expect((await refusal(() => checkEviction(c.registry, pods.read('default', 'b')!, {}, c.clock.now()))).code).toBe(429)
    // After two minutes a disrupted pod that never went away counts again.
    await c.clock.advance(121_000)
    expect(status(c, 'web')).toMatchObject({ currentHealthy: 3, disruptionsAllowed: 1 })
    expect(status(c, 'web').disruptedPods).toBeUndefined()
  })

  it('lets pending, not-ready (budget met) and unbudgeted pods go; dry runs write nothing', async () => {
    const c = await start()
    for (const n of ['a', 'b', 'c']) await readyPod(c, n, { app: 'web' })
    await readyPod(c, 'sick', { app: 'web' }, { ready: false })
    await readyPod(c, 'pending', { app: 'web' }, { phase: 'Pending', ready: false })
    await readyPod(c, 'free', { app: 'db' })
    await pdb(c, 'web', { minAvailable: 3 })
    await c.clock.advance(10)
    const pods = c.registry.resource('', 'pods')
    for (const n of ['sick', 'pending', 'free']) await checkEviction(c.registry, pods.read('default', n)!, {}, c.clock.now())
    expect(status(c, 'web').disruptedPods).toBeUndefined()
    const before = pods.read('default', 'a')!.metadata.resourceVersion
    expect((await refusal(() => checkEviction(c.registry, pods.read('default', 'a')!, { dryRun: ['All'] }, c.clock.now()))).code).toBe(429)
    expect(pods.read('default', 'a')!.metadata.resourceVersion).toBe(before)
  })

  it('refuses a budget the controller has not processed yet, and pods under two budgets', async () => {
    const c = await start()
    for (const n of ['a', 'b']) await readyPod(c, n, { app: 'web' })
    await pdb(c, 'one', { minAvailable: 1 })
    await c.clock.advance(10)
    await c.registry
      .resource('policy', 'poddisruptionbudgets')
      .guaranteedUpdate('default', 'one', (o) => ({ ...o, spec: { ...(o.spec as object), minAvailable: 0 } }))
    // No clock advance: the controller has not seen generation 2.
    const stale = await refusal(() => checkEviction(c.registry, c.registry.resource('', 'pods').read('default', 'a')!, {}, c.clock.now()))
    expect(stale.status).toMatchObject({
      code: 429,
      details: {
        causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget one is still being processed by the server.' }],
        retryAfterSeconds: 10,
      },
    })
    expect(stale.headers['Retry-After']).toBe('10')
    await pdb(c, 'two', { maxUnavailable: 1 })
    await c.clock.advance(10)
    const multi = await refusal(() => checkEviction(c.registry, c.registry.resource('', 'pods').read('default', 'a')!, {}, c.clock.now()))
    expect(multi.status).toMatchObject({
      code: 500,
      reason: 'InternalError',
      message: 'Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    })
  })
})
