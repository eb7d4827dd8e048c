/** @module job-failures.test (e2e): Jobs failing by their containers' real exit codes (`sh -c 'exit N'`) — podFailurePolicy FailJob/Ignore, backoffLimit — through real kubectl on a manual clock. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ok, until } from '../helpers/expect-kubectl.js'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { parseTable } from '../helpers/parse-table.js'

describe('Jobs failing by exit code (kubectl)', () => {
  let km: Kubemock
  const k = (args: string[], input?: string) => km.kubectl(args, { input })
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${km.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect(res.status, await res.clone().text()).toBe(200)
  }
  const advance = (seconds: number) => post('/kubemock/v1/clock/advance', { seconds })

  /**
   * The one place exit codes come from: the container's program (`sh -c 'sleep 1; exit N'`, run
   * by the simulated PID 1). `exitNextPod` advances the clock until a pod of the Job not returned
   * before has its container ended with `code`, and returns its name.
   */
  const seen = new Set<string>()
  const exitCodes = {
    command: (code: number) => ['sh', '-c', `sleep 1; exit ${code}`],
    async exitNextPod(job: string, code: number): Promise<string> {
      const pod = await until(
        async () => {
          await advance(1)
          const pods = JSON.parse(ok(await k(['get', 'pods', '-l', `batch.kubernetes.io/job-name=${job}`, '-o', 'json']))).items as any[]
          const ended = (p: any) =>
            (p.status?.containerStatuses ?? []).some(
              (c: any) =>
                (c.state?.terminated ?? c.lastState?.terminated)?.exitCode === code && (c.state?.terminated ?? c.lastState?.terminated)?.reason === 'Error',
            )
          return pods.find((p) => !seen.has(p.metadata.name) && ended(p))?.metadata.name as string | undefined
        },
        20_000,
        () => km.logs(),
      )
      seen.add(pod)
      return pod
    },
  }

  /** A Job of one `main` container exiting with `code`, with the given spec fields. */
  const jobManifest = (name: string, code: number, spec: Record<string, unknown>, restartPolicy = 'Never') =>
    JSON.stringify({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name },
      spec: {
        ...spec,
        template: { spec: { restartPolicy, containers: [{ name: 'main', image: 'busybox:1.36', command: exitCodes.command(code) }] } },
      },
    })
  const conditions = async (job: string) =>
    (JSON.parse(ok(await k(['get', 'job', job, '-o', 'jsonpath={.status.conditions}']))) as any[]).map((c) => [c.type, c.status, c.reason, c.message])
  const waitFor = async (job: string, cond: string) => {
    await advance(1)
    return ok(await km.kubectl(['wait', `--for=condition=${cond}`, `job/${job}`, '--timeout=10s'], { timeoutMs: 15_000 }))
  }
  const jobEvents = async (job: string) =>
    ok(
      await k([
        'get',
        'events',
        '--field-selector',
        `involvedObject.kind=Job,involvedObject.name=${job}`,
        '-o',
        'jsonpath={range .items[*]}{.type} {.reason} {.message}{"\\n"}{end}',
      ]),
    )
      .split('\n')
      .filter(Boolean)

  beforeAll(async () => {
    km = await startKubemock({ args: ['--speed', '0', '--log-level', 'silent'] })
  }, 30_000)
  afterAll(async () => {
    await km?.stop()
  })

  it('podFailurePolicy FailJob on exit code 42: FailureTarget, then Failed with reason PodFailurePolicy', async () => {
    const rules = [
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
    ]
    expect(ok(await k(['apply', '-f', '-'], jobManifest('pi', 42, { backoffLimit: 6, podFailurePolicy: { rules } })))).toBe('job.batch/pi created\n')
    const pod = await exitCodes.exitNextPod('pi', 42)
    expect(await waitFor('pi', 'Failed')).toBe('job.batch/pi condition met\n')
    const message = `Container main for pod default/${pod} failed with exit code 42 matching FailJob rule at index 1`
    expect(await conditions('pi')).toEqual([
      ['FailureTarget', 'True', 'PodFailurePolicy', message],
      ['Failed', 'True', 'PodFailurePolicy', message],
    ])
    const row = parseTable(ok(await k(['get', 'job', 'pi']))).rows[0]
    expect(row).toMatchObject({ NAME: 'pi', STATUS: 'Failed', COMPLETIONS: '0/1' })
    expect(ok(await k(['get', 'job', 'pi', '-o', 'jsonpath={.status.failed} {.status.terminating} {.status.active}']))).toBe('1 0 ')
    expect(await jobEvents('pi')).toEqual([`Normal SuccessfulCreate Created pod: ${pod}`, `Warning PodFailurePolicy ${message}`])
    const describe = ok(await k(['describe', 'job', 'pi']))
    expect(describe).toMatch(/Pods Statuses: +0 Active \(0 Ready\) \/ 0 Succeeded \/ 1 Failed/)
    expect(describe).toMatch(new RegExp(`Warning +PodFailurePolicy +\\S+ +job-controller +${message}`))
    // The failed Job creates nothing more.
    await advance(60)
    expect(
      ok(await k(['get', 'pods', '-l', 'batch.kubernetes.io/job-name=pi', '-o', 'name']))
        .trim()
        .split('\n'),
    ).toEqual([`pod/${pod}`])
  }, 60_000)

  it('podFailurePolicy Ignore: the failures are not counted, the pods are replaced after the backoff', async () => {
    const rules = [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [42] } }]
    ok(await k(['apply', '-f', '-'], jobManifest('ignored', 42, { backoffLimit: 0, podFailurePolicy: { rules } })))
    const first = await exitCodes.exitNextPod('ignored', 42)
    // 10 s back-off, then a replacement; failed stays 0, so backoffLimit 0 is never exceeded.
    await advance(5)
    const names = () => k(['get', 'pods', '-l', 'batch.kubernetes.io/job-name=ignored', '-o', 'name'])
    expect(
      ok(await names())
        .trim()
        .split('\n'),
    ).toHaveLength(1)
    await advance(5)
    const second = await exitCodes.exitNextPod('ignored', 42)
    await advance(20)
    // exitNextPod advances the clock until it sees the exit, so how far the third pod has got
    // depends on how fast the kubelet's status lands: only the two pods seen to fail are certain.
    const pods = ok(
      await k(['get', 'pods', '-l', 'batch.kubernetes.io/job-name=ignored', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.phase} {end}']),
    )
    const phases = Object.fromEntries(
      pods
        .trim()
        .split(' ')
        .map((p) => p.split('=')),
    )
    expect(Object.keys(phases)).toHaveLength(3)
    expect([phases[first], phases[second]]).toEqual(['Failed', 'Failed'])
    expect(ok(await k(['get', 'job', 'ignored', '-o', 'jsonpath={.status.failed}']))).toBe('')
    expect(ok(await k(['get', 'job', 'ignored', '-o', 'jsonpath={.status.conditions}']))).toBe('')
    expect(parseTable(ok(await k(['get', 'job', 'ignored']))).rows[0]).toMatchObject({ STATUS: 'Running', COMPLETIONS: '0/1' })
  }, 60_000)

  it('backoffLimit: the second counted failure fails the Job with BackoffLimitExceeded', async () => {
    ok(await k(['apply', '-f', '-'], jobManifest('limited', 1, { backoffLimit: 1 })))
    await exitCodes.exitNextPod('limited', 1)
    await advance(10)
    await exitCodes.exitNextPod('limited', 1)
    expect(await waitFor('limited', 'Failed')).toBe('job.batch/limited condition met\n')
    expect(await conditions('limited')).toEqual([
      ['FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
      ['Failed', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
    ])
    expect(parseTable(ok(await k(['get', 'job', 'limited']))).rows[0]).toMatchObject({ STATUS: 'Failed', COMPLETIONS: '0/1' })
    expect(ok(await k(['get', 'job', 'limited', '-o', 'jsonpath={.status.failed}']))).toBe('2')
    expect((await jobEvents('limited')).filter((e) => e.startsWith('Warning'))).toEqual([
      'Warning BackoffLimitExceeded Job has reached the specified backoff limit',
    ])
  }, 60_000)

  it('Indexed with backoffLimitPerIndex: FailIndex fails each index at once, then the Job with FailedIndexes', async () => {
    const rules = [{ action: 'FailIndex', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } }]
    ok(
      await k(
        ['apply', '-f', '-'],
        jobManifest('indexed', 42, { completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimitPerIndex: 1, podFailurePolicy: { rules } }),
      ),
    )
    const failedPods = [await exitCodes.exitNextPod('indexed', 42), await exitCodes.exitNextPod('indexed', 42), await exitCodes.exitNextPod('indexed', 42)]
    expect(failedPods.map((n) => n.replace(/-[a-z0-9]{5}$/, '')).sort()).toEqual(['indexed-0', 'indexed-1', 'indexed-2'])
    expect(await waitFor('indexed', 'Failed')).toBe('job.batch/indexed condition met\n')
    expect(await conditions('indexed')).toEqual([
      ['FailureTarget', 'True', 'FailedIndexes', 'Job has failed indexes'],
      ['Failed', 'True', 'FailedIndexes', 'Job has failed indexes'],
    ])
    expect(ok(await k(['get', 'job', 'indexed', '-o', 'jsonpath={.status.failedIndexes} {.status.failed}']))).toBe('0-2 3')
    // No retries: FailIndex does not wait for backoffLimitPerIndex.
    await advance(60)
    expect(
      ok(await k(['get', 'pods', '-l', 'batch.kubernetes.io/job-name=indexed', '-o', 'name']))
        .trim()
        .split('\n'),
    ).toHaveLength(3)
    const describe = ok(await k(['describe', 'job', 'indexed']))
    expect(describe).toMatch(/Completion Mode: +Indexed/)
    // kubectl 1.32 describes completed indexes only; failed ones are in the status.
    expect(describe).toMatch(/Completed Indexes: +<none>/)
    expect(describe).toMatch(/Pods Statuses: +0 Active \(0 Ready\) \/ 0 Succeeded \/ 3 Failed/)
    expect(describe).toMatch(/Warning +FailedIndexes +\S+ +job-controller +Job has failed indexes/)
    expect(parseTable(ok(await k(['get', 'job', 'indexed']))).rows[0]).toMatchObject({ STATUS: 'Failed', COMPLETIONS: '0/3' })
  }, 60_000)

  it('restartPolicy OnFailure: the container restarts reaching backoffLimit fail the Job, its pod deleted', async () => {
    ok(await k(['apply', '-f', '-'], jobManifest('restarts', 3, { backoffLimit: 1 }, 'OnFailure')))
    const pod = await exitCodes.exitNextPod('restarts', 3)
    // The kubelet restarts the container after its 10 s back-off: one restart reaches backoffLimit 1.
    await advance(15)
    await advance(40)
    expect(await waitFor('restarts', 'Failed')).toBe('job.batch/restarts condition met\n')
    expect((await conditions('restarts')).map(([t, , r]) => [t, r])).toEqual([
      ['FailureTarget', 'BackoffLimitExceeded'],
      ['Failed', 'BackoffLimitExceeded'],
    ])
    expect(await jobEvents('restarts')).toEqual([
      `Normal SuccessfulCreate Created pod: ${pod}`,
      `Normal SuccessfulDelete Deleted pod: ${pod}`,
      'Warning BackoffLimitExceeded Job has reached the specified backoff limit',
    ])
    expect(ok(await k(['get', 'job', 'restarts', '-o', 'jsonpath={.status.failed}']))).toBe('1')
  }, 60_000)

  it('onPodConditions DisruptionTarget Ignore: a pod evicted by kubectl drain is replaced without counting', async () => {
    // Not an exit-code case: the pod must run until it is evicted, whatever the exit-code source.
    const manifest = JSON.parse(
      jobManifest('evicted', 0, { backoffLimit: 0, podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] } }),
    )
    manifest.spec.template.spec.containers[0].command = ['sleep', '3600']
    ok(await k(['apply', '-f', '-'], JSON.stringify(manifest)))
    // The status defaults to True, as SetDefaults_Job does.
    expect(ok(await k(['get', 'job', 'evicted', '-o', 'jsonpath={.spec.podFailurePolicy.rules[0].onPodConditions[0].status}']))).toBe('True')
    const running = async () => {
      await advance(1)
      const pods = JSON.parse(ok(await k(['get', 'pods', '-l', 'batch.kubernetes.io/job-name=evicted', '-o', 'json']))).items as any[]
      return pods.find((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp)
    }
    const first = await until(running, 20_000, () => km.logs())
    const drain = km.kubectl(['drain', first.spec.nodeName, '--ignore-daemonsets', '--pod-selector=batch.kubernetes.io/job-name=evicted', '--timeout=20s'], {
      timeoutMs: 25_000,
    })
    const second = await until(async () => {
      const p = await running()
      return p && p.metadata.name !== first.metadata.name ? p : undefined
    }, 20_000)
    expect(ok(await drain)).toContain(`pod/${first.metadata.name} evicted`)
    expect(second.spec.nodeName).not.toBe(first.spec.nodeName)
    expect(ok(await k(['get', 'job', 'evicted', '-o', 'jsonpath={.status.failed}|{.status.conditions}|{.status.active}']))).toBe('||1')
    ok(await k(['uncordon', first.spec.nodeName]))
  }, 60_000)
})
