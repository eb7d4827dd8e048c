/** @module tutorial-6-7-rollback.test: tutorial §6–7 with real kubectl — a missing image tag stalls the rollout until the progress deadline, undo gives history 1, 3, 4, undo --to-revision=1 restores 1.15.12. */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../helpers/kubectl-path.js'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { parseTable } from '../helpers/parse-table.js'
import { eventually } from '../helpers/expect-kubectl.js'

const manifest = join(repoRoot, 'test', 'fixtures', 'rollout-nginx.yaml')

describe('tutorial §6–7: failed update, rollback, rollback to a revision', () => {
  let km: Kubemock
  beforeAll(async () => {
    km = await startKubemock({ args: ['--speed', '20'] })
  })
  afterAll(async () => {
    await km?.stop()
  })

  const pods = async () => parseTable((await km.kubectl(['get', 'pods'])).stdout).rows
  const revisions = async () =>
    (await km.kubectl(['rollout', 'history', 'deployment', 'rollout-nginx'])).stdout
      .split('\n')
      .slice(2)
      .filter((l) => l.trim())
      .map((l) => l.split(/\s+/)[0])
  const images = async () => (await km.kubectl(['get', 'pods', '-o', 'jsonpath={.items[*].spec.containers[0].image}'])).stdout.split(' ').sort()
  const rolledOut = async () => {
    const r = await km.kubectl(['rollout', 'status', 'deployment', 'rollout-nginx'], { timeoutMs: 25_000 })
    expect(r.stdout.trim().split('\n').at(-1)).toBe('deployment "rollout-nginx" successfully rolled out')
    expect(r.code).toBe(0)
  }
  /** Moves simulated time forward through the control API. */
  const advance = async (seconds: number) => {
    const res = await fetch(`${km.url}/kubemock/v1/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seconds }),
    })
    expect(res.status).toBe(200)
  }

  it('§6: nginx:1.17.23 cannot be pulled, the old pods keep running, the deadline passes, undo → 1, 3, 4', async () => {
    await km.kubectl(['apply', '-f', manifest, '--record'])
    await rolledOut()
    await km.kubectl(['set', 'image', 'deployment', 'rollout-nginx', 'nginx=nginx:1.16.0', '--record'])
    await rolledOut()
    expect(await revisions()).toEqual(['1', '2'])

    const set = await km.kubectl(['set', 'image', 'deployment', 'rollout-nginx', 'nginx=nginx:1.17.23', '--record'])
    expect(set.stdout).toBe('deployment.apps/rollout-nginx image updated\n')
    const stuck = await eventually('a pod failing to pull nginx:1.17.23', async () => {
      const rows = await pods()
      const bad = rows.filter((r) => r.STATUS === 'ErrImagePull' || r.STATUS === 'ImagePullBackOff')
      return bad.length === 1 && rows.length === 4 ? rows : undefined
    })
    expect(stuck.filter((r) => r.STATUS === 'Running' && r.READY === '1/1')).toHaveLength(3)

    // rollout status keeps waiting (1 of 3 updated) …
    const waiting = await km.kubectl(['rollout', 'status', 'deployment', 'rollout-nginx', '--timeout=2s'])
    expect(waiting.code).toBe(1)
    expect(waiting.stdout).toContain('Waiting for deployment "rollout-nginx" rollout to finish: 1 out of 3 new replicas have been updated...')
    expect(waiting.stderr).toContain('error: timed out waiting for the condition')
    // … until progressDeadlineSeconds (600) has passed.
    await advance(610)
    const failed = await eventually('ProgressDeadlineExceeded', async () => {
      const r = await km.kubectl(['rollout', 'status', 'deployment', 'rollout-nginx', '--timeout=3s'])
      return r.stderr.includes('exceeded its progress deadline') ? r : undefined
    })
    expect(failed.code).toBe(1)
    expect(failed.stderr).toBe('error: deployment "rollout-nginx" exceeded its progress deadline\n')

    const described = (await km.kubectl(['describe', 'deployment', 'rollout-nginx'])).stdout
    expect(described).toMatch(/^Replicas: +3 desired \| 1 updated \| 4 total \| 3 available \| 1 unavailable$/m)
    expect(described).toMatch(/^ {2}Available {6}True {4}MinimumReplicasAvailable$/m)
    expect(described).toMatch(/^ {2}Progressing {4}False {3}ProgressDeadlineExceeded$/m)
    expect(described).toMatch(/^NewReplicaSet: +rollout-nginx-\w+ \(1\/1 replicas created\)$/m)
    expect(described).toMatch(/^OldReplicaSets: +rollout-nginx-\w+ \(0\/0 replicas created\), rollout-nginx-\w+ \(3\/3 replicas created\)$/m)

    const undo = await km.kubectl(['rollout', 'undo', 'deployment', 'rollout-nginx'])
    expect(undo.stdout).toBe('deployment.apps/rollout-nginx rolled back\n')
    await rolledOut()
    expect(await revisions()).toEqual(['1', '3', '4'])
    const history = (await km.kubectl(['rollout', 'history', 'deployment', 'rollout-nginx'])).stdout
    expect(history).toMatch(/^4 {9}kubectl set image deployment rollout-nginx nginx=nginx:1\.16\.0 .*--record=true$/m)
    await eventually('3 nginx:1.16.0 pods', async () => ((await images()).join() === 'nginx:1.16.0,nginx:1.16.0,nginx:1.16.0' ? true : undefined))
  }, 60_000)

  it('§7: undo --to-revision=1 brings back nginx:1.15.12 in new pods', async () => {
    const before = new Set((await pods()).map((r) => r.NAME))
    const undo = await km.kubectl(['rollout', 'undo', 'deployment', 'rollout-nginx', '--to-revision=1'])
    expect(undo.stdout).toBe('deployment.apps/rollout-nginx rolled back\n')
    await rolledOut()
    const after = await eventually('3 nginx:1.15.12 pods', async () => {
      const rows = await pods()
      return (await images()).join() === 'nginx:1.15.12,nginx:1.15.12,nginx:1.15.12' && rows.length === 3 ? rows : undefined
    })
    expect(after.filter((r) => before.has(r.NAME))).toEqual([])
    expect(await revisions()).toEqual(['3', '4', '5'])
    const missing = await km.kubectl(['rollout', 'undo', 'deployment', 'rollout-nginx', '--to-revision=2'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toBe('error: unable to find specified revision 2 in history\n')
  }, 60_000)
})
