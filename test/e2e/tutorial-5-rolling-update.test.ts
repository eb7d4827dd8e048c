/** @module tutorial-5-rolling-update.test: tutorial §5 with real kubectl — apply --record, history, set image --record, rollout status. */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../helpers/kubectl-path.js'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { parseTable } from '../helpers/parse-table.js'
import { eventually } from '../helpers/expect-kubectl.js'

const manifest = join(repoRoot, 'test', 'fixtures', 'rollout-nginx.yaml')

describe('tutorial §5: rolling update', () => {
  let km: Kubemock
  beforeAll(async () => {
    km = await startKubemock({ args: ['--speed', '20'] })
  })
  afterAll(async () => {
    await km?.stop()
  })

  /** `kubectl get pods -o wide` rows once `n` pods are Running and Ready (and no others exist). */
  const runningPods = (n: number) =>
    eventually(`${n} running pods`, async () => {
      const { rows } = parseTable((await km.kubectl(['get', 'pods', '-o', 'wide'])).stdout)
      return rows.length === n && rows.every((r) => r.STATUS === 'Running' && r.READY === '1/1') ? rows : undefined
    })

  it('replays apply --record → history 1 → set image --record → rollout status → history 1, 2 with new pods', async () => {
    const applied = await km.kubectl(['apply', '-f', manifest, '--record'])
    expect(applied.stdout).toBe('deployment.apps/rollout-nginx created\n')
    expect(applied.stderr).toContain('Flag --record has been deprecated, --record will be removed in the future')

    const h1 = await km.kubectl(['rollout', 'history', 'deployment', 'rollout-nginx'])
    expect(h1.code).toBe(0)
    const h1Lines = h1.stdout.split('\n')
    expect(h1Lines[0]).toBe('deployment.apps/rollout-nginx ')
    expect(h1Lines[1]).toBe('REVISION  CHANGE-CAUSE')
    expect(h1Lines[2]).toMatch(/^1 {9}kubectl apply .*--filename=\S*rollout-nginx\.yaml --record=true$/)

    const before = await runningPods(3)
    for (const p of before) {
      expect(p.NAME).toMatch(/^rollout-nginx-[4-9bcdf]{1,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
      expect(p.IP).toMatch(/^\d+\.\d+\.\d+\.\d+$/)
      expect(p.NODE).not.toBe('<none>')
    }

    const set = await km.kubectl(['set', 'image', 'deployment', 'rollout-nginx', 'nginx=nginx:1.16.0', '--record'])
    expect(set.stdout).toBe('deployment.apps/rollout-nginx image updated\n')
    const status = await km.kubectl(['rollout', 'status', 'deployment', 'rollout-nginx'], { timeoutMs: 25_000 })
    expect(status.code).toBe(0)
    const lines = status.stdout.trim().split('\n')
    expect(lines.at(-1)).toBe('deployment "rollout-nginx" successfully rolled out')
    // kubectl's first events may come before the controller has observed the new generation (a
    // busy machine): then it says so, once per event, as against a real cluster. The controller's
    // revision-annotation write comes before its status write, so that can be twice.
    while (lines[0] === 'Waiting for deployment spec update to be observed...') lines.shift()
    for (const l of lines.slice(0, -1)) {
      expect(l).toMatch(
        /^Waiting for deployment "rollout-nginx" rollout to finish: (\d+ out of 3 new replicas have been updated|\d+ old replicas are pending termination|\d+ of 3 updated replicas are available)\.\.\.$/,
      )
    }

    const h2 = (await km.kubectl(['rollout', 'history', 'deployment', 'rollout-nginx'])).stdout.split('\n')
    expect(h2[2]).toMatch(/^1 {9}kubectl apply /)
    expect(h2[3]).toMatch(/^2 {9}kubectl set image deployment rollout-nginx nginx=nginx:1\.16\.0 .*--record=true$/)
    expect(h2.slice(4)).toEqual(['', ''])

    const after = await runningPods(3)
    const oldNames = new Set(before.map((p) => p.NAME))
    expect(after.filter((p) => oldNames.has(p.NAME))).toEqual([])
    const images = (await km.kubectl(['get', 'pods', '-o', 'jsonpath={.items[*].spec.containers[0].image}'])).stdout.split(' ')
    expect(images).toEqual(['nginx:1.16.0', 'nginx:1.16.0', 'nginx:1.16.0'])

    // The RS of revision 2 carries the change-cause and the deployment.kubernetes.io annotations.
    const rs = parseTable((await km.kubectl(['get', 'rs'])).stdout).rows
    expect(rs.map((r) => [r.DESIRED, r.CURRENT, r.READY]).sort()).toEqual([
      ['0', '0', '0'],
      ['3', '3', '3'],
    ])
    const events = (await km.kubectl(['describe', 'deployment', 'rollout-nginx'])).stdout
    expect(events).toMatch(/Normal {2}ScalingReplicaSet {2}\S+ +deployment-controller {2}Scaled up replica set rollout-nginx-\w+ from 0 to 3/)
    // Upstream's sequence for 3 replicas at 25%/25% (surge 1, unavailable 0): one pod at a time,
    // the old ReplicaSet only ever going down, last 1 → 0 (never 1 → 2 → 0, even when the
    // ReplicaSet controller lags behind a scale-down).
    const oldRS = rs.find((r) => r.DESIRED === '0')!.NAME
    const newRS = rs.find((r) => r.DESIRED === '3')!.NAME
    const scaling = [...events.matchAll(/ScalingReplicaSet +\S+ +deployment-controller +(.*)$/gm)].map((m) => m[1])
    expect(scaling).toEqual([
      `Scaled up replica set ${oldRS} from 0 to 3`,
      `Scaled up replica set ${newRS} from 0 to 1`,
      `Scaled down replica set ${oldRS} from 3 to 2`,
      `Scaled up replica set ${newRS} from 1 to 2`,
      `Scaled down replica set ${oldRS} from 2 to 1`,
      `Scaled up replica set ${newRS} from 2 to 3`,
      `Scaled down replica set ${oldRS} from 1 to 0`,
    ])
  }, 60_000)
})
