import { afterEach, describe, expect, it } from 'vitest'
import { createGarbageCollector } from '../../src/controllers/garbage-collector.js'
import { createJobController, failureBackoffMs, jobTrackingFinalizer } from '../../src/controllers/job.js'
import type { KubeObject } from '../../src/types.js'
import { startHarness, type Harness } from './workload-harness.js'

describe('failureBackoffMs', () => {
  it('doubles from 10 s and caps at 6 min', () => {
    expect([0, 1, 2, 3, 7, 8].map((n) => failureBackoffMs(n))).toEqual([0, 10_000, 20_000, 40_000, 360_000, 360_000])
  })
})

describe('job controller', () => {
  let h: Harness
  afterEach(() => h?.close())
  const job = (spec: Record<string, unknown> = {}): KubeObject => ({
    metadata: { name: 'pi' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'busybox', command: ['sh', '-c', 'echo done'] }] } }, ...spec },
  })
  const jobs = () => h.registry.resource('batch', 'jobs')
  const status = () => jobs().getStored('default', 'pi')!.obj.status as any
  const live = () => h.pods('default').filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')

  it('runs completions one at a time, counts through the tracking finalizer, then completes', async () => {
    h = await startHarness([createJobController])
    await jobs().create('default', job({ completions: 2 }))
    await h.settle()
    const [p1] = live()
    expect(p1.metadata.name).toMatch(/^pi-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
    expect(p1.metadata.finalizers).toEqual([jobTrackingFinalizer])
    expect(p1.metadata.labels).toMatchObject({ 'batch.kubernetes.io/job-name': 'pi', 'job-name': 'pi' })
    expect(p1.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Job', name: 'pi', controller: true, blockOwnerDeletion: true })
    expect(status()).toMatchObject({ active: 1, ready: 0, terminating: 0, uncountedTerminatedPods: {} })
    expect(status().startTime).toBeDefined()
    await h.runPods()
    expect(status().ready).toBe(1)
    await h.finishPod('default', p1.metadata.name!, 'Succeeded')
    expect(h.registry.resource('', 'pods').getStored('default', p1.metadata.name!)!.obj.metadata.finalizers).toBeUndefined()
    expect(status()).toMatchObject({ succeeded: 1, active: 1 })
    const [p2] = live()
    await h.finishPod('default', p2.metadata.name!, 'Succeeded')
    const st = status()
    expect(st.succeeded).toBe(2)
    expect(st.active).toBeUndefined()
    expect(st.completionTime).toBeDefined()
    expect(st.conditions.map((c: any) => [c.type, c.reason, c.message])).toEqual([
      ['SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods'],
      ['Complete', 'CompletionsReached', 'Reached expected number of succeeded pods'],
    ])
    const evs = h.registry
      .resource('', 'events')
      .list('default')
      .items.map((s) => [(s.obj as any).reason, (s.obj as any).message])
    expect(evs).toContainEqual(['Completed', 'Job completed'])
    expect(evs.filter(([r]) => r === 'SuccessfulCreate')).toHaveLength(2)
  })

  it('runs parallelism pods at once', async () => {
    h = await startHarness([createJobController])
    await jobs().create('default', job({ completions: 5, parallelism: 3 }))
    await h.settle()
    expect(live()).toHaveLength(3)
  })

  it('replaces failed pods after the backoff and fails past backoffLimit', async () => {
    h = await startHarness([createJobController])
    await jobs().create('default', job({ backoffLimit: 1 }))
    await h.settle()
    await h.finishPod('default', live()[0].metadata.name!, 'Failed')
    expect(status().failed).toBe(1)
    expect(live()).toHaveLength(0)
    await h.advance(9_000)
    expect(live()).toHaveLength(0)
    await h.advance(1_500)
    expect(live()).toHaveLength(1)
    await h.finishPod('default', live()[0].metadata.name!, 'Failed')
    const st = status()
    expect(st.failed).toBe(2)
    expect(st.conditions.map((c: any) => [c.type, c.reason, c.message])).toEqual([
      ['FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
      ['Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
    ])
    expect(st.completionTime).toBeUndefined()
  })

  it('releases the finalizer when the Job is deleted, so its pods go', async () => {
    h = await startHarness([createJobController, createGarbageCollector])
    await jobs().create('default', job())
    await h.settle()
    await h.runPods()
    await jobs().delete('default', 'pi', { propagationPolicy: 'Background' })
    await h.settle()
    await h.reapTerminating()
    expect(h.pods('default')).toHaveLength(0)
  })
})
