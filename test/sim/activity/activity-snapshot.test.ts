/** @module activity-snapshot.test: snapshots hold the activity plan's position; restore goes on from there as an uninterrupted run would; reset starts over. */
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { buildApp } from '../../../src/app.js'
import { Cluster } from '../../../src/cluster.js'
import { loadScenario, parseScenario } from '../../../src/sim/scenario.js'

const busy = fileURLToPath(new URL('../../../scenarios/busy.yaml', import.meta.url))

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c()
})

async function setup(scenario = loadScenario(busy)) {
  const cluster = await Cluster.open({ speed: 0, scenario })
  const app = await buildApp({ cluster })
  cleanup.push(async () => {
    await app.close()
    cluster.close()
  })
  const advance = async (seconds: number) => {
    for (let s = 0; s < seconds; s += 5) await cluster.clock.advance(5_000)
  }
  const snapshot = async () => (await app.inject({ url: '/kubemock/v1/snapshot' })).json()
  const restore = (body: unknown) => app.inject({ method: 'PUT', url: '/kubemock/v1/snapshot', payload: JSON.stringify(body) })
  const activity = async () => (await app.inject({ url: '/kubemock/v1/activity' })).json()
  return { cluster, app, advance, snapshot, restore, activity }
}

/** Pod-template hashes hash the template, which a rollout restart stamps with the time: `web-5d8f7c9b4-x2x7q` → `web-<hash>-x2x7q`. */
const normalise = (s: string) => s.replace(/-[bcdfghjklmnpqrstvwxz2456789]{6,10}(?=-[bcdfghjklmnpqrstvwxz2456789]{5}\b|\b)/g, '-<hash>')

/** The log items after the first `skip`, timed in simulated ms from `from`. */
const stepsAfter = (items: any[], skip: number, from: number) =>
  items.slice(skip).map((r) => `${Date.parse(r.time) - from} #${r.n} ${r.kind} ${normalise(r.target ?? '-')} ${r.detail}`)

describe('activity in snapshots', () => {
  it('a snapshot records the position; a restore goes on exactly as the uninterrupted run did', async () => {
    const { cluster, advance, snapshot, restore, activity } = await setup()
    await advance(100)
    const snap = await snapshot()
    const taken = cluster.clock.now()
    const a = snap.kubemock.activity
    expect(a).toMatchObject({ seed: 'busy', plan: expect.stringMatching(/^[0-9a-f]{12}$/), elapsedMs: 100_000 })
    expect(a.next.n).toBe(a.log.length + 1)
    expect(a.next.atMs).toBeGreaterThan(a.elapsedMs)
    expect(a.log).toEqual((await activity()).items)
    await advance(200)
    const uninterrupted = stepsAfter((await activity()).items, a.log.length, taken)
    expect(uninterrupted.length).toBeGreaterThan(5)

    const r = await restore(snap)
    expect(r.statusCode).toBe(200)
    const restoredAt = cluster.clock.now()
    // What it had done at the snapshot, and nothing since.
    expect((await activity()).items).toEqual(a.log)
    await advance(200)
    expect(stepsAfter((await activity()).items, a.log.length, restoredAt)).toEqual(uninterrupted)
    // The Jobs go on numbering from the snapshot's count.
    const jobs = (await activity()).items.filter((x: any) => x.kind === 'job').map((x: any) => x.target)
    expect(new Set(jobs).size).toBe(jobs.length)
  }, 60_000)

  it('a node down at the snapshot goes down again on restore and recovers when it was due to', async () => {
    const scenario = parseScenario(`apiVersion: kubemock.dev/v1alpha1
kind: Scenario
nodes: [{ name: cp, controlPlane: true }, { name: w1 }]
activity:
  everySeconds: 1000
  startAfterSeconds: 5
  actions: [{ kind: nodeOutage, durationSeconds: 90 }]
`)
    const { cluster, app, advance, snapshot, activity } = await setup(scenario)
    const ready = () => (cluster.registry.resource('', 'nodes').read('', 'w1') as any).status.conditions.find((c: any) => c.type === 'Ready').status
    await advance(30)
    const snap = await snapshot()
    expect(snap.kubemock.activity.pending).toEqual([{ kind: 'recover', n: 1, node: 'w1', dueInMs: 65_000 }])
    const yaml = (await app.inject({ url: '/kubemock/v1/snapshot', headers: { accept: 'application/yaml' } })).body
    expect(yaml).toMatch(/^kubemock:\n {2}activity:\n {4}seed: 1\n/m)
    await advance(120)
    expect(ready()).toBe('True')
    expect((await activity()).items.map((x: any) => x.kind)).toEqual(['nodeOutage', 'recover'])

    // Restored from its YAML form (what the web view downloads and uploads).
    expect((await app.inject({ method: 'PUT', url: '/kubemock/v1/snapshot', payload: yaml, headers: { 'content-type': 'application/yaml' } })).statusCode).toBe(
      200,
    )
    expect((await activity()).items.map((x: any) => x.kind)).toEqual(['nodeOutage'])
    // The kubelet is stopped again: nobody renews the Lease, the node goes Unknown.
    await advance(60)
    expect(ready()).toBe('Unknown')
    await advance(10)
    const log = (await activity()).items
    expect(log.map((x: any) => x.kind)).toEqual(['nodeOutage', 'recover'])
    await advance(20)
    expect(ready()).toBe('True')
  }, 30_000)

  it('a restore from another plan is refused whole; a dump without a position leaves the plan where it is', async () => {
    const { cluster, advance, snapshot, restore, activity } = await setup()
    await advance(60)
    const snap = await snapshot()
    const uids = () =>
      cluster.registry
        .resource('', 'nodes')
        .list(undefined)
        .items.map((s) => s.obj.metadata.uid)
    const before = uids()
    const r = await restore({ ...snap, kubemock: { activity: { ...snap.kubemock.activity, plan: '000000000000' } } })
    expect(r.statusCode).toBe(422)
    expect(r.json()).toMatchObject({
      kind: 'Status',
      reason: 'Invalid',
      message: expect.stringMatching(
        /^ObjectList is invalid: kubemock\.activity\.plan: Invalid value: "000000000000": the snapshot was taken from another activity plan than this cluster runs \([0-9a-f]{12}, seed "busy"\); restore it on a cluster started from the same scenario$/,
      ),
    })
    const bad = await restore({ ...snap, kubemock: { activity: { seed: 'busy' } } })
    expect(bad.statusCode).toBe(422)
    expect(bad.json().message).toMatch(/^ObjectList is invalid: \[kubemock\.activity\.plan: Required value, /)
    expect(uids()).toEqual(before)

    // No `kubemock` (a real cluster's dump): the objects change, the plan goes on from where it was.
    const logged = (await activity()).items.length
    await advance(5)
    const next = (await snapshot()).kubemock.activity.next
    const { kubemock: _drop, ...objectsOnly } = snap
    expect((await restore(objectsOnly)).statusCode).toBe(200)
    expect((await activity()).items).toHaveLength(logged)
    expect((await snapshot()).kubemock.activity.next).toEqual(next)
  }, 30_000)

  it('reset starts the plan over from the scenario, whatever was restored', async () => {
    const { advance, snapshot, restore, activity, app } = await setup()
    await advance(60)
    const first = (await activity()).items.map((x: any) => `${x.kind} ${normalise(x.target ?? '-')}`)
    await advance(60)
    expect((await restore(await snapshot())).statusCode).toBe(200)
    await app.inject({ method: 'POST', url: '/kubemock/v1/reset' })
    const fresh = (await snapshot()).kubemock.activity
    expect(fresh).toMatchObject({ elapsedMs: 0, log: [], jobs: {}, pending: [] })
    expect(fresh.next.n).toBe(1)
    await advance(60)
    expect((await activity()).items.map((x: any) => `${x.kind} ${normalise(x.target ?? '-')}`)).toEqual(first)
  }, 30_000)

  it('a cluster without activity exports no kubemock section and ignores one', async () => {
    const cluster = await Cluster.open({ speed: 0 })
    const app = await buildApp({ cluster })
    cleanup.push(async () => {
      await app.close()
      cluster.close()
    })
    const snap = (await app.inject({ url: '/kubemock/v1/snapshot' })).json()
    expect(snap.kubemock).toBeUndefined()
    const other = await setup()
    const withState = await other.snapshot()
    const r = await app.inject({ method: 'PUT', url: '/kubemock/v1/snapshot', payload: JSON.stringify({ ...snap, kubemock: withState.kubemock }) })
    expect(r.statusCode).toBe(200)
  }, 30_000)
})
