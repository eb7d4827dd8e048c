import { afterEach, describe, expect, it } from 'vitest'
import { createGarbageCollector } from '../../src/controllers/garbage-collector.js'
import { createJobController, jobTrackingFinalizer } from '../../src/controllers/job.js'
import type { KubeObject } from '../../src/types.js'
import { rfc3339 } from '../../src/util/time.js'
import { startHarness, type Harness } from './workload-harness.js'

describe('job controller', () => {
  let h: Harness
  afterEach(() => h?.close())
  const job = (spec: Record<string, unknown> = {}): KubeObject => ({
    metadata: { name: 'pi' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'busybox', command: ['sh', '-c', 'echo done'] }] } }, ...spec },
  })
  const jobs = () => h.registry.resource('batch', 'jobs')
  const status = () => jobs().getStored('default', 'pi')!.obj.status as any
  const events = () =>
    h.registry
      .resource('', 'events')
      .list('default')
      .items.map((s) => [(s.obj as any).type, (s.obj as any).reason, (s.obj as any).message])
  const conds = () => (status().conditions ?? []).map((c: any) => [c.type, c.reason, c.message])
  /** Fails a pod as the kubelet would: every container terminated with `exitCode` (or per name), plus extra pod conditions. */
  const exitPod = async (name: string, exitCode: number | Record<string, number>, extra: { type: string; status: string }[] = []) => {
    await h.registry.resource('', 'pods').guaranteedUpdate(
      'default',
      name,
      (o: any) => {
        const now = rfc3339(h.clock.now())
        const code = (c: string) => (typeof exitCode === 'number' ? exitCode : (exitCode[c] ?? 0))
        const term = (c: any) => ({
          name: c.name,
          image: c.image,
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: code(c.name), reason: code(c.name) ? 'Error' : 'Completed', startedAt: now, finishedAt: now } },
        })
        const anyFailed = o.spec.containers.some((c: any) => code(c.name) !== 0)
        o.status = {
          ...o.status,
          phase: anyFailed ? 'Failed' : 'Succeeded',
          containerStatuses: o.spec.containers.map(term),
          ...(o.spec.initContainers ? { initContainerStatuses: o.spec.initContainers.map(term) } : {}),
          conditions: [
            { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: now },
            ...extra.map((c) => ({ ...c, lastProbeTime: null, lastTransitionTime: now })),
          ],
        }
        return o
      },
      { subresource: 'status' },
    )
    await h.settle()
  }
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

  describe('podFailurePolicy', () => {
    const pfp = (rules: unknown[], spec: Record<string, unknown> = {}) => job({ podFailurePolicy: { rules }, ...spec })
    const failJob42 = { action: 'FailJob', onExitCodes: { containerName: 'pi', operator: 'In', values: [42] } }

    it('FailJob: FailureTarget then Failed with reason PodFailurePolicy, the other pods deleted first', async () => {
      h = await startHarness([createJobController])
      await jobs().create('default', pfp([{ action: 'Ignore', onExitCodes: { operator: 'In', values: [7] } }, failJob42], { parallelism: 2, completions: 4 }))
      await h.settle()
      await h.runPods()
      const [p1, p2] = live()
      await exitPod(p1.metadata.name!, 42)
      const message = `Container pi for pod default/${p1.metadata.name} failed with exit code 42 matching FailJob rule at index 1`
      // The running pod is deleted; the Job is only Failed once it is gone.
      expect(conds()).toEqual([['FailureTarget', 'PodFailurePolicy', message]])
      expect(status()).toMatchObject({ failed: 2, terminating: 1, uncountedTerminatedPods: {} })
      expect(status().active).toBeUndefined()
      const p2now = h.pods('default').find((p) => p.metadata.name === p2.metadata.name)!
      expect(p2now.metadata.deletionTimestamp).toBeDefined()
      expect(p2now.metadata.finalizers).toBeUndefined()
      expect(events()).toContainEqual(['Normal', 'SuccessfulDelete', `Deleted pod: ${p2.metadata.name}`])
      expect(events().filter(([, r]) => r === 'PodFailurePolicy')).toEqual([])
      await h.reapTerminating()
      expect(conds()).toEqual([
        ['FailureTarget', 'PodFailurePolicy', message],
        ['Failed', 'PodFailurePolicy', message],
      ])
      expect(status()).toMatchObject({ failed: 2, terminating: 0 })
      expect(events()).toContainEqual(['Warning', 'PodFailurePolicy', message])
      // Nothing is created after the Job failed.
      await h.advance(60_000)
      expect(live()).toHaveLength(0)
    })

    it('Ignore: the failure is not counted and the pod is replaced (after the backoff)', async () => {
      h = await startHarness([createJobController])
      await jobs().create('default', pfp([{ action: 'Ignore', onExitCodes: { operator: 'In', values: [7] } }], { backoffLimit: 0 }))
      await h.settle()
      await h.runPods()
      await exitPod(live()[0].metadata.name!, 7)
      expect(status().failed).toBeUndefined()
      expect(conds()).toEqual([])
      await h.advance(10_000)
      expect(live()).toHaveLength(1)
      // A failure no rule matches is counted: backoffLimit 0 fails the Job.
      await exitPod(live()[0].metadata.name!, 3)
      expect(status().failed).toBe(1)
      expect(conds()).toEqual([
        ['FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
        ['Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
      ])
      expect(events()).toContainEqual(['Warning', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'])
    })

    it('Count: counted as usual; exit code 0 of one container does not match NotIn', async () => {
      h = await startHarness([createJobController])
      await jobs().create('default', pfp([{ action: 'Count', onExitCodes: { operator: 'NotIn', values: [5] } }, failJob42], { backoffLimit: 1 }))
      await h.settle()
      await exitPod(live()[0].metadata.name!, 1)
      expect(status().failed).toBe(1)
      expect(conds()).toEqual([])
    })

    it('onExitCodes matches init containers too', async () => {
      h = await startHarness([createJobController])
      const j = pfp([{ action: 'FailJob', onExitCodes: { containerName: 'setup', operator: 'In', values: [3] } }])
      ;(j.spec as any).template.spec.initContainers = [{ name: 'setup', image: 'busybox' }]
      await jobs().create('default', j)
      await h.settle()
      const name = live()[0].metadata.name!
      await exitPod(name, { setup: 3, pi: 1 })
      expect(conds()[1]).toEqual([
        'Failed',
        'PodFailurePolicy',
        `Container setup for pod default/${name} failed with exit code 3 matching FailJob rule at index 0`,
      ])
    })

    it('onPodConditions: a DisruptionTarget pod is ignored', async () => {
      h = await startHarness([createJobController])
      await jobs().create('default', pfp([{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }], { backoffLimit: 0 }))
      await h.settle()
      await exitPod(live()[0].metadata.name!, 137, [{ type: 'DisruptionTarget', status: 'True' }])
      expect(status().failed).toBeUndefined()
      expect(conds()).toEqual([])
    })

    it('podReplacementPolicy Failed (implied): a deleted pod is replaced only once it is terminal', async () => {
      h = await startHarness([createJobController])
      await jobs().create('default', pfp([failJob42]))
      await h.settle()
      await h.runPods()
      const [p1] = live()
      const started = rfc3339(h.clock.now())
      await h.registry
        .resource('', 'pods')
        .guaranteedUpdate('default', p1.metadata.name!, (o: any) => ({ ...o, status: { ...o.status, startTime: started } }), { subresource: 'status' })
      await h.registry.resource('', 'pods').delete('default', p1.metadata.name!)
      await h.settle()
      expect(live()).toHaveLength(0)
      expect(status()).toMatchObject({ terminating: 1 })
      expect(status().failed).toBeUndefined()
      expect(h.pods('default')[0].metadata.finalizers).toEqual([jobTrackingFinalizer])
      await exitPod(p1.metadata.name!, 137)
      expect(status()).toMatchObject({ failed: 1, terminating: 0 })
      await h.advance(10_000)
      expect(live()).toHaveLength(1)
    })
  })

  it('TerminatingOrFailed: a deleted pod counts as failed and is replaced at once', async () => {
    h = await startHarness([createJobController])
    await jobs().create('default', job())
    await h.settle()
    await h.runPods()
    const [p1] = live()
    await h.registry.resource('', 'pods').delete('default', p1.metadata.name!)
    await h.settle()
    expect(status()).toMatchObject({ failed: 1, terminating: 1 })
    // The deleted pod's finish time is its deletion minus the grace period: the backoff has passed.
    expect(live()).toHaveLength(1)
  })

  it('the backoff starts again after a success', async () => {
    h = await startHarness([createJobController])
    await jobs().create('default', job({ completions: 3 }))
    await h.settle()
    await h.finishPod('default', live()[0].metadata.name!, 'Failed')
    await h.advance(10_000)
    await h.finishPod('default', live()[0].metadata.name!, 'Failed')
    await h.advance(19_000)
    expect(live()).toHaveLength(0)
    await h.advance(1_000)
    await h.finishPod('default', live()[0].metadata.name!, 'Succeeded')
    // Success resets the count: the next replacement needs none.
    expect(live()).toHaveLength(1)
    await h.advance(1_000)
    await h.finishPod('default', live()[0].metadata.name!, 'Failed')
    await h.advance(9_000)
    expect(live()).toHaveLength(0)
    await h.advance(1_000)
    expect(live()).toHaveLength(1)
  })

  it('activeDeadlineSeconds: DeadlineExceeded once the pods are gone', async () => {
    h = await startHarness([createJobController])
    await jobs().create('default', job({ activeDeadlineSeconds: 30 }))
    await h.settle()
    await h.runPods()
    await h.advance(30_000)
    expect(conds()).toEqual([['FailureTarget', 'DeadlineExceeded', 'Job was active longer than specified deadline']])
    await h.reapTerminating()
    expect(conds()[1]).toEqual(['Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline'])
    expect(status()).toMatchObject({ failed: 1 })
    expect(events()).toContainEqual(['Warning', 'DeadlineExceeded', 'Job was active longer than specified deadline'])
  })

  describe('Indexed', () => {
    const ixOf = (p: any) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']
    const liveAt = (ix: string) => live().filter((p) => ixOf(p) === ix)

    it('one pod per index: names, annotation, label, hostname and JOB_COMPLETION_INDEX; completedIndexes', async () => {
      h = await startHarness([createJobController])
      await jobs().create('default', job({ completionMode: 'Indexed', completions: 3, parallelism: 2 }))
      await h.settle()
      const pods = live().sort((a, b) => ixOf(a).localeCompare(ixOf(b)))
      expect(pods.map(ixOf)).toEqual(['0', '1'])
      expect(pods[0].metadata.name).toMatch(/^pi-0-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
      expect(pods[1].metadata.labels?.['batch.kubernetes.io/job-completion-index']).toBe('1')
      expect(pods[1].spec?.hostname).toBe('pi-1')
      expect(pods[1].spec?.containers[0].env).toEqual([
        {
          name: 'JOB_COMPLETION_INDEX',
          valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']" } },
        },
      ])
      await h.finishPod('default', pods[1].metadata.name!, 'Succeeded')
      expect(status()).toMatchObject({ succeeded: 1, completedIndexes: '1', active: 2 })
      expect(live().map(ixOf).sort()).toEqual(['0', '2'])
      for (const p of live()) await h.finishPod('default', p.metadata.name!, 'Succeeded')
      expect(status()).toMatchObject({ succeeded: 3, completedIndexes: '0-2' })
      expect(status().failedIndexes).toBeUndefined()
      expect(conds().map(([t]: string[]) => t)).toEqual(['SuccessCriteriaMet', 'Complete'])
    })

    it('backoffLimitPerIndex: an index fails after its own retries, the others go on; then FailedIndexes', async () => {
      h = await startHarness([createJobController])
      await jobs().create('default', job({ completionMode: 'Indexed', completions: 2, parallelism: 2, backoffLimitPerIndex: 1 }))
      await h.settle()
      expect(status().failedIndexes).toBe('')
      const first = liveAt('0')[0]
      expect(first.metadata.annotations?.['batch.kubernetes.io/job-index-failure-count']).toBe('0')
      await exitPod(first.metadata.name!, 1)
      // The failed pod keeps its finalizer until its replacement exists; the index's own backoff is 10 s.
      expect(h.pods('default').find((p) => p.metadata.name === first.metadata.name)!.metadata.finalizers).toEqual([jobTrackingFinalizer])
      expect(status().failed).toBeUndefined()
      await h.advance(9_000)
      expect(liveAt('0')).toHaveLength(0)
      await h.advance(1_000)
      const second = liveAt('0')[0]
      expect(second.metadata.annotations?.['batch.kubernetes.io/job-index-failure-count']).toBe('1')
      expect(status()).toMatchObject({ failed: 1, failedIndexes: '' })
      await exitPod(second.metadata.name!, 1)
      expect(status()).toMatchObject({ failed: 2, failedIndexes: '0' })
      expect(conds()).toEqual([])
      await h.advance(60_000)
      expect(liveAt('0')).toHaveLength(0)
      await h.finishPod('default', liveAt('1')[0].metadata.name!, 'Succeeded')
      expect(status()).toMatchObject({ succeeded: 1, completedIndexes: '1', failedIndexes: '0' })
      expect(conds()).toEqual([
        ['FailureTarget', 'FailedIndexes', 'Job has failed indexes'],
        ['Failed', 'FailedIndexes', 'Job has failed indexes'],
      ])
      expect(events()).toContainEqual(['Warning', 'FailedIndexes', 'Job has failed indexes'])
    })

    it('successPolicy: the matched rule ends the Job early (SuccessPolicy), the other pods deleted', async () => {
      h = await startHarness([createJobController])
      await jobs().create('default', job({ completionMode: 'Indexed', completions: 3, parallelism: 3, successPolicy: { rules: [{ succeededIndexes: '0' }] } }))
      await h.settle()
      await h.runPods()
      await h.finishPod('default', liveAt('1')[0].metadata.name!, 'Succeeded')
      expect(conds()).toEqual([])
      await h.finishPod('default', liveAt('0')[0].metadata.name!, 'Succeeded')
      expect(conds()).toEqual([['SuccessCriteriaMet', 'SuccessPolicy', 'Matched rules at index 0']])
      expect(live()).toHaveLength(0)
      await h.reapTerminating()
      expect(conds()[1]).toEqual(['Complete', 'SuccessPolicy', 'Matched rules at index 0'])
      expect(status()).toMatchObject({ succeeded: 2, completedIndexes: '0,1' })
      expect(status().failed).toBeUndefined()
      expect(status().completionTime).toBeDefined()
    })

    it('FailIndex fails the index at once; maxFailedIndexes exceeded fails the Job', async () => {
      h = await startHarness([createJobController])
      await jobs().create(
        'default',
        job({
          completionMode: 'Indexed',
          completions: 3,
          parallelism: 3,
          backoffLimitPerIndex: 5,
          maxFailedIndexes: 1,
          podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [42] } }] },
        }),
      )
      await h.settle()
      await exitPod(liveAt('2')[0].metadata.name!, 42)
      expect(status()).toMatchObject({ failed: 1, failedIndexes: '2', active: 2 })
      await h.advance(60_000)
      expect(liveAt('2')).toHaveLength(0)
      await exitPod(liveAt('0')[0].metadata.name!, 42)
      expect(conds()[0]).toEqual(['FailureTarget', 'MaxFailedIndexesExceeded', 'Job has exceeded the specified maximal number of failed indexes'])
      expect(status().failedIndexes).toBe('0,2')
      await h.reapTerminating()
      expect(conds()[1]).toEqual(['Failed', 'MaxFailedIndexesExceeded', 'Job has exceeded the specified maximal number of failed indexes'])
    })
  })

  it('suspend deletes the active pods (Suspended); resuming recreates them (JobResumed)', async () => {
    h = await startHarness([createJobController])
    await jobs().create('default', job({ parallelism: 2, completions: 4 }))
    await h.settle()
    await h.runPods()
    await jobs().guaranteedUpdate('default', 'pi', (j: any) => ({ ...j, spec: { ...j.spec, suspend: true } }))
    await h.settle()
    expect(live()).toHaveLength(0)
    expect(conds()).toEqual([['Suspended', 'JobSuspended', 'Job suspended']])
    expect(status().failed).toBeUndefined()
    expect(events()).toContainEqual(['Normal', 'Suspended', 'Job suspended'])
    expect(jobs().list('default').items.length).toBe(1)
    await h.reapTerminating()
    await h.advance(5_000)
    await jobs().guaranteedUpdate('default', 'pi', (j: any) => ({ ...j, spec: { ...j.spec, suspend: false } }))
    await h.settle()
    expect(live()).toHaveLength(2)
    expect(status().conditions.map((c: any) => [c.type, c.status, c.reason])).toEqual([['Suspended', 'False', 'JobResumed']])
    expect(status().startTime).toBe(rfc3339(h.clock.now()))
    expect(events()).toContainEqual(['Normal', 'Resumed', 'Job resumed'])
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
