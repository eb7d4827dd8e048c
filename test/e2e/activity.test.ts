/** @module activity.test: a scenario's `activity:` seen through real kubectl watches on a manual clock — the same seed, the same changes; the shipped busy and unhealthy scenarios boot. */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../helpers/kubectl-path.js'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { eventually, ok } from '../helpers/expect-kubectl.js'
import { parseTable } from '../helpers/parse-table.js'

const fixture = join(repoRoot, 'test/fixtures/scenarios/activity.yaml')

async function advance(km: Kubemock, seconds: number): Promise<void> {
  const res = await fetch(`${km.url}/kubemock/v1/clock/advance`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seconds }),
  })
  expect(res.status).toBe(200)
}

/** Each watched object's line once per change (status-only updates repeat the last line: dropped). */
function changesPerObject(out: string): string[] {
  const last = new Map<string, string>()
  const kept: string[] = []
  for (const line of out.split('\n').filter(Boolean)) {
    const key = line.split(' ')[0]
    if (last.get(key) === line) continue
    last.set(key, line)
    kept.push(line)
  }
  return kept
}

/**
 * Boots the fixture at --speed 0, watches Deployments (replicas, image) and Jobs (made, deleted)
 * with kubectl while 5 simulated minutes pass in 10 s steps, and returns what the watches printed
 * plus the Node events kubectl lists at the end.
 */
async function watchRun(): Promise<{ deployments: string[]; jobs: string[]; nodeEvents: string }> {
  const km = await startKubemock({ args: ['--speed', '0', '--scenario', fixture, '--log-level', 'silent'] })
  try {
    const deployments = km.kubectlBackground([
      'get',
      'deployments',
      '-w',
      '-o',
      'jsonpath={.metadata.name} {.spec.replicas} {.spec.template.spec.containers[0].image}{"\\n"}',
    ])
    const jobs = km.kubectlBackground(['get', 'jobs', '-w', '--output-watch-events', '-o', 'jsonpath={.type} {.object.metadata.name}{"\\n"}'])
    await deployments.waitForStdout(/web 2 nginx:1\.26\n/)
    await jobs.waitForStdout(/^/)
    for (let i = 0; i < 30; i++) await advance(km, 10)
    // The watches have printed everything once their last line per Deployment is the final state.
    const final = ok(
      await km.kubectl([
        'get',
        'deployments',
        '-o',
        'jsonpath={range .items[*]}{.metadata.name} {.spec.replicas} {.spec.template.spec.containers[0].image}{"\\n"}{end}',
      ]),
    )
    const jobNames = ok(await km.kubectl(['get', 'jobs', '-o', 'name']))
      .trim()
      .split('\n')
      .filter(Boolean)
    await eventually('the watches to catch up', async () => {
      const seen = changesPerObject(deployments.stdout())
      const caughtUp = final
        .trim()
        .split('\n')
        .every((l) => seen.filter((s) => s.startsWith(`${l.split(' ')[0]} `)).at(-1) === l)
      return caughtUp && jobNames.every((j) => jobs.stdout().includes(`ADDED ${j.replace('job.batch/', '')}\n`)) ? true : undefined
    })
    const nodeEvents = ok(
      await km.kubectl([
        'get',
        'events',
        '--field-selector',
        'involvedObject.kind=Node',
        '-o',
        'jsonpath={range .items[*]}{.involvedObject.name} {.reason}{"\\n"}{end}',
      ]),
    )
    await deployments.stop()
    await jobs.stop()
    return {
      deployments: changesPerObject(deployments.stdout()),
      jobs: jobs
        .stdout()
        .split('\n')
        .filter((l) => /^(ADDED|DELETED) /.test(l)),
      nodeEvents,
    }
  } finally {
    await km.stop()
  }
}

describe('activity through kubectl', () => {
  it('the same seed gives the same changes in kubectl watches, run after run', async () => {
    const a = await watchRun()
    const b = await watchRun()
    expect(b).toEqual(a)
    // Five minutes at one change per 15 s: scaling and rollouts of both Deployments, Jobs made and cleaned up, a worker down and back.
    expect(a.deployments.length).toBeGreaterThan(6)
    // A rollout: some Deployment showed two images.
    const images = (name: string) => new Set(a.deployments.filter((l) => l.startsWith(`${name} `)).map((l) => l.split(' ')[2]))
    expect(Math.max(images('web').size, images('api').size)).toBe(2)
    expect(a.jobs).toContain('ADDED activity-job-1')
    expect(a.jobs).toContain('DELETED activity-job-1')
    expect(a.nodeEvents).toMatch(/^w\d NodeNotReady$/m)
    expect(a.nodeEvents).toMatch(/^w\d NodeReady$/m)
  }, 120_000)

  it('POST /kubemock/v1/reset starts the activity over: the same state after the same time', async () => {
    const km = await startKubemock({ args: ['--speed', '0', '--scenario', fixture, '--log-level', 'silent'] })
    try {
      const state = async () => {
        for (let i = 0; i < 12; i++) await advance(km, 10)
        return [
          ok(
            await km.kubectl([
              'get',
              'deployments',
              '-o',
              'jsonpath={range .items[*]}{.metadata.name} {.spec.replicas} {.spec.template.spec.containers[0].image}{"\\n"}{end}',
            ]),
          ),
          ok(await km.kubectl(['get', 'jobs', '-o', 'name'])),
        ]
      }
      const first = await state()
      const res = await fetch(`${km.url}/kubemock/v1/reset`, { method: 'POST' })
      expect(res.status).toBe(200)
      expect(await state()).toEqual(first)
      expect(first[1]).toContain('job.batch/activity-job-')
    } finally {
      await km.stop()
    }
  }, 60_000)
})

describe('shipped scenarios through kubectl', () => {
  it('busy boots its namespaces, Deployments, DaemonSet and Job', async () => {
    const km = await startKubemock({ args: ['--speed', '0', '--scenario', 'scenarios/busy.yaml', '--log-level', 'silent'] })
    try {
      const ns = parseTable(ok(await km.kubectl(['get', 'namespaces']))).rows.map((r) => r.NAME)
      expect(ns).toEqual(expect.arrayContaining(['shop', 'payments', 'batch']))
      const deploys = parseTable(ok(await km.kubectl(['get', 'deployments', '-A']))).rows.map((r) => `${r.NAMESPACE}/${r.NAME}`)
      expect(deploys).toEqual(expect.arrayContaining(['shop/frontend', 'shop/cart', 'payments/api', 'payments/ledger']))
      await advance(km, 30)
      const ds = parseTable(ok(await km.kubectl(['get', 'daemonset', 'log-agent', '-n', 'kube-system']))).rows[0]
      expect(ds).toMatchObject({ DESIRED: '3', READY: '3' })
      const jobs = parseTable(ok(await km.kubectl(['get', 'jobs', '-n', 'batch']))).rows.map((r) => r.NAME)
      expect(jobs).toEqual(expect.arrayContaining(['migrate', 'report-1']))
    } finally {
      await km.stop()
    }
  }, 60_000)

  it('unhealthy shows CrashLoopBackOff and ImagePullBackOff in kubectl get pods', async () => {
    const km = await startKubemock({ args: ['--speed', '0', '--scenario', 'scenarios/unhealthy.yaml', '--log-level', 'silent'] })
    try {
      const statuses = new Set<string>()
      for (let i = 0; i < 12 && !(statuses.has('CrashLoopBackOff') && statuses.has('ImagePullBackOff')); i++) {
        await advance(km, 10)
        for (const r of parseTable(ok(await km.kubectl(['get', 'pods', '-n', 'broken']))).rows) statuses.add(r.STATUS)
      }
      expect(statuses).toContain('CrashLoopBackOff')
      expect(statuses).toContain('ImagePullBackOff')
    } finally {
      await km.stop()
    }
  }, 60_000)

  it('a snapshot taken mid-run and restored goes on as the run did: kubectl sees the same Deployments, Jobs and Events', async () => {
    const km = await startKubemock({ args: ['--speed', '0', '--scenario', fixture, '--log-level', 'silent'] })
    try {
      const state = async () => {
        for (let i = 0; i < 9; i++) await advance(km, 10)
        return [
          ok(
            await km.kubectl([
              'get',
              'deployments',
              '-o',
              'jsonpath={range .items[*]}{.metadata.name} {.spec.replicas} {.spec.template.spec.containers[0].image}{"\\n"}{end}',
            ]),
          ),
          ok(await km.kubectl(['get', 'jobs', '-o', 'name'])),
          ok(
            await km.kubectl([
              'get',
              'events',
              '--field-selector',
              'involvedObject.kind=Node',
              '-o',
              'jsonpath={range .items[*]}{.involvedObject.name} {.reason}{"\\n"}{end}',
            ]),
          ),
        ]
      }
      for (let i = 0; i < 6; i++) await advance(km, 10)
      const snap = await fetch(`${km.url}/kubemock/v1/snapshot`, { headers: { accept: 'application/yaml' } })
      const yaml = await snap.text()
      expect(yaml).toMatch(/^kubemock:\n {2}activity:\n {4}seed: 7\n/m)
      const after = await state()
      const put = await fetch(`${km.url}/kubemock/v1/snapshot`, { method: 'PUT', headers: { 'content-type': 'application/yaml' }, body: yaml })
      expect(put.status).toBe(200)
      expect(await state()).toEqual(after)
      expect(after[1]).toContain('job.batch/activity-job-')
      // kubectl reads the same file as a List and leaves the kubemock section alone.
      const dry = await km.kubectl(['apply', '--dry-run=client', '-f', '-', '-o', 'name'], { input: yaml })
      expect(dry.code, dry.stderr).toBe(0)
      expect(dry.stdout).toContain('deployment.apps/web')
    } finally {
      await km.stop()
    }
  }, 60_000)
})
