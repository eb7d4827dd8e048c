/** @module activity-runner.test: a scenario's activity on a manual clock — each kind of change, through the registry, replayed alike for one seed. */
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { Cluster } from '../../../src/cluster.js'
import type { ActivityRecord } from '../../../src/sim/activity/activity-runner.js'
import { loadScenario, parseScenario } from '../../../src/sim/scenario.js'

const shipped = (name: string) => fileURLToPath(new URL(`../../../scenarios/${name}.yaml`, import.meta.url))

/** A scenario with one labelled nginx Deployment (and its pods labelled too), two workers and `activity`. */
function scenario(activity: string): string {
  return `apiVersion: kubemock.dev/v1alpha1
kind: Scenario
nodes: [{ name: cp, controlPlane: true }, { name: w1 }, { name: w2 }]
activity:
${activity.replace(/^/gm, '  ')}
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: default, labels: { kubemock.dev/activity: 'true' } }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web, kubemock.dev/activity: 'true' } }
    spec: { containers: [{ name: nginx, image: 'nginx:1.26' }] }
`
}

async function open(text: string): Promise<Cluster> {
  return Cluster.open({ speed: 0, scenario: parseScenario(text) })
}

async function advance(c: Cluster, seconds: number): Promise<void> {
  for (let s = 0; s < seconds; s += 5) await c.clock.advance(5_000)
}

const deployment = (c: Cluster) => c.registry.resource('apps', 'deployments').read('default', 'web') as any
const webPods = (c: Cluster) =>
  c.registry
    .resource('', 'pods')
    .list('default', { labelSelector: 'app=web' })
    .items.map((s) => s.obj as any)
const summary = (log: ActivityRecord[]) => log.map((r) => `${r.kind} ${r.target ?? '-'} ${r.detail}`)

describe('activity kinds', () => {
  it('scale: changes replicas within the bounds', async () => {
    const c = await open(scenario('seed: 1\neverySeconds: 10\njitterSeconds: 0\nactions: [{ kind: scale, minReplicas: 3, maxReplicas: 4 }]'))
    try {
      await advance(c, 10)
      const d = deployment(c)
      expect([3, 4]).toContain(d.spec.replicas)
      expect(summary(c.activity!.log)).toEqual([`scale Deployment default/web replicas 2 → ${d.spec.replicas}`])
      // Another step always changes the count (it never "scales" to the same number).
      await advance(c, 10)
      expect(deployment(c).spec.replicas).not.toBe(d.spec.replicas)
      await advance(c, 20)
      expect(webPods(c).filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp)).toHaveLength(deployment(c).spec.replicas)
    } finally {
      c.close()
    }
  })

  it('rollout: to another listed image, or a restart stamp as kubectl rollout restart writes', async () => {
    const c = await open(scenario("everySeconds: 10\njitterSeconds: 0\nactions: [{ kind: rollout, images: ['nginx:1.26', 'nginx:1.27'] }]"))
    try {
      await advance(c, 10)
      expect(deployment(c).spec.template.spec.containers[0].image).toBe('nginx:1.27')
      await advance(c, 10)
      expect(deployment(c).spec.template.spec.containers[0].image).toBe('nginx:1.26')
      c.activity!.stop()
      await advance(c, 60)
      expect(deployment(c).status).toMatchObject({ updatedReplicas: 2, readyReplicas: 2 })
    } finally {
      c.close()
    }
    const r = await open(scenario('everySeconds: 10\nactions: [{ kind: rollout }]'))
    try {
      await advance(r, 10)
      expect(deployment(r).spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
      expect(deployment(r).metadata.generation).toBe(2)
    } finally {
      r.close()
    }
  })

  it('crash: a running container exits and the kubelet restarts it', async () => {
    const c = await open(scenario('everySeconds: 10\njitterSeconds: 0\nactions: [{ kind: crash, exitCode: 137 }]'))
    try {
      await advance(c, 10)
      expect(c.activity!.log[0]).toMatchObject({ kind: 'crash', detail: 'container nginx exited with 137' })
      await advance(c, 5)
      const crashed = webPods(c).find((p) => `Pod default/${p.metadata.name}` === c.activity!.log[0].target)
      expect(crashed.status.containerStatuses[0]).toMatchObject({ restartCount: 1, lastState: { terminated: { exitCode: 137 } } })
    } finally {
      c.close()
    }
  })

  it('imagePullFailure: pulls fail (ErrImagePull/ImagePullBackOff) until the image is put back', async () => {
    const c = await open(scenario('everySeconds: 200\njitterSeconds: 0\nstartAfterSeconds: 10\nactions: [{ kind: imagePullFailure, durationSeconds: 60 }]'))
    try {
      await advance(c, 40)
      expect(deployment(c).spec.template.spec.containers[0].image).toBe('docker.io/library/nginx:kubemock-missing')
      const waiting = webPods(c)
        .flatMap((p) => p.status?.containerStatuses ?? [])
        .map((s: any) => s.state?.waiting?.reason)
      expect(waiting.some((r: string) => r === 'ErrImagePull' || r === 'ImagePullBackOff')).toBe(true)
      await advance(c, 35)
      expect(deployment(c).spec.template.spec.containers[0].image).toBe('nginx:1.26')
      expect(summary(c.activity!.log)).toEqual([
        'imagePullFailure Deployment default/web image nginx:1.26 → docker.io/library/nginx:kubemock-missing',
        'restoreImage Deployment default/web image docker.io/library/nginx:kubemock-missing → nginx:1.26',
      ])
    } finally {
      c.close()
    }
  })

  it('nodeOutage: a worker goes NotReady and comes back; the control plane is left alone', async () => {
    const c = await open(scenario('everySeconds: 1000\nstartAfterSeconds: 5\nactions: [{ kind: nodeOutage, durationSeconds: 90 }]'))
    try {
      await advance(c, 5)
      const target = c.activity!.log[0].target!
      expect(['Node w1', 'Node w2']).toContain(target)
      const ready = () => (c.registry.resource('', 'nodes').read('', target.slice(5)) as any).status.conditions.find((x: any) => x.type === 'Ready').status
      await advance(c, 60)
      expect(ready()).toBe('Unknown')
      await advance(c, 40)
      expect(ready()).toBe('True')
      expect(c.activity!.log.map((r) => r.kind)).toEqual(['nodeOutage', 'recover'])
    } finally {
      c.close()
    }
  })

  it('job: Jobs named <prefix>-<n> run, fail as often as asked, and only `keep` finished ones stay', async () => {
    const c = await open(
      scenario('everySeconds: 20\njitterSeconds: 0\nactions: [{ kind: job, namespaces: [default], durationSeconds: 5, failureRatio: 1, keep: 2 }]'),
    )
    try {
      await advance(c, 100)
      const jobs = c.registry
        .resource('batch', 'jobs')
        .list('default')
        .items.map((s) => s.obj as any)
      const live = jobs.filter((j) => !j.metadata.deletionTimestamp).map((j) => j.metadata.name)
      expect(live).toEqual(['activity-job-3', 'activity-job-4', 'activity-job-5'])
      const failed = jobs.find((j) => j.metadata.name === 'activity-job-3')
      expect(failed.status.conditions.find((x: any) => x.type === 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' })
      expect(failed.metadata.managedFields.map((f: any) => f.manager)).toContain('kubemock-activity')
    } finally {
      c.close()
    }
  })
})

/**
 * What watches see, stamped with simulated ms since boot: Deployment spec changes (replicas,
 * image, restart stamp), Jobs made and deleted, Node Ready transitions, and every Event (reason,
 * involved object, message, count), pod-level ones included. Under the scenario's seed pod names
 * and the controllers' order are seeded too; what is normalised is only what differs by design:
 * uids, and pod-template hashes (they hash the template, which a rollout restart stamps with the
 * time of day). With the activity log, normalised alike.
 */
async function recordRun(path: string, seconds: number, seed?: string): Promise<{ changes: string[]; events: string[]; log: string[] }> {
  const loaded = loadScenario(path)
  if (seed) loaded.activity!.seed = seed
  const c = await Cluster.open({ speed: 0, scenario: loaded })
  const t0 = c.clock.now()
  const changes: string[] = []
  const events: string[] = []
  const at = () => String(c.clock.now() - t0).padStart(9)
  const seen = new Map<string, string>()
  const changed = (key: string, value: string) => {
    if (seen.get(key) === value) return
    seen.set(key, value)
    changes.push(`${at()} ${key} ${value}`)
  }
  const watches = [
    c.registry.resource('apps', 'deployments').watch(undefined, {}, (ev) => {
      const d = ev.stored.obj as any
      const t = d.spec?.template
      changed(
        `Deployment ${d.metadata.namespace}/${d.metadata.name}`,
        `${ev.type === 'DELETED' ? 'deleted' : ''} replicas=${d.spec?.replicas} image=${t?.spec?.containers?.[0]?.image} restarted=${!!t?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']}`,
      )
    }),
    c.registry.resource('batch', 'jobs').watch(undefined, {}, (ev) => {
      if (ev.type !== 'MODIFIED') changes.push(`${at()} Job ${ev.stored.obj.metadata.namespace}/${ev.stored.obj.metadata.name} ${ev.type}`)
    }),
    c.registry.resource('', 'nodes').watch(undefined, {}, (ev) => {
      const n = ev.stored.obj as any
      changed(`Node ${n.metadata.name}`, `Ready=${n.status?.conditions?.find((x: any) => x.type === 'Ready')?.status}`)
    }),
    c.registry.resource('', 'events').watch(undefined, {}, (ev) => {
      if (ev.type === 'DELETED') return
      const e = ev.stored.obj as any
      const o = e.involvedObject
      events.push(`${at()} ${o.kind} ${o.namespace ?? ''}/${normalise(o.name)} ${e.reason}: ${normalise(e.message)} ×${e.count ?? 1}`)
    }),
  ]
  try {
    await advance(c, seconds)
    // Work at one simulated instant may interleave differently (an owner's ReplicaSets of one
    // second are taken in name order, and their names hash the time): compare what each instant
    // produced, not the order within it.
    return { changes: changes.sort(), events: events.sort(), log: summary(c.activity!.log).map(normalise) }
  } finally {
    for (const w of watches) w.stop()
    c.close()
  }
}

/** The generateName and hash alphabet (upstream's rand.String and SafeEncodeString). */
const safe = '[bcdfghjklmnpqrstvwxz2456789]'

/** Uids and pod-template hashes (`web-5d8f7c9b4-x2x7q` → `web-<hash>-x2x7q`); seeded pod suffixes stay. */
function normalise(s: string): string {
  return s
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uid>')
    .replace(new RegExp(`-${safe}{6,10}(?=-${safe}{5}\\b|\\b)`, 'g'), '-<hash>')
}

describe('shipped scenarios', () => {
  for (const name of ['busy', 'unhealthy']) {
    it(`${name}: the same seed gives the same changes and Events; another seed other ones`, async () => {
      const a = await recordRun(shipped(name), 300)
      const b = await recordRun(shipped(name), 300)
      expect(a.log.length).toBeGreaterThan(5)
      expect(b.log).toEqual(a.log)
      expect(b.changes).toEqual(a.changes)
      expect(a.changes.length).toBeGreaterThan(10)
      // Every Event, pod-level ones too (pulls, starts, kills, back-offs, scheduling onto nodes).
      expect(a.events.length).toBeGreaterThan(100)
      expect(a.events.some((e) => / Pod .* Scheduled: Successfully assigned .* to /.test(e))).toBe(true)
      expect(b.events).toEqual(a.events)
      const other = await recordRun(shipped(name), 300, 'another seed')
      expect(other.log).not.toEqual(a.log)
    }, 60_000)
  }

  it('unhealthy boots into CrashLoopBackOff, ImagePullBackOff and failed Jobs', async () => {
    const c = await Cluster.open({ speed: 0, scenario: loadScenario(shipped('unhealthy')) })
    try {
      await advance(c, 120)
      const statuses = c.registry
        .resource('', 'pods')
        .list('broken')
        .items.flatMap((s) => (s.obj as any).status?.containerStatuses ?? [])
      expect(statuses.map((s: any) => s.state?.waiting?.reason)).toContain('ImagePullBackOff')
      expect(statuses.filter((s: any) => s.name === 'app' && s.restartCount >= 2)).toHaveLength(2)
      const backOff = c.registry
        .resource('', 'events')
        .list('broken')
        .items.map((s) => s.obj as any)
        .filter((e) => e.reason === 'BackOff' && e.involvedObject.name.startsWith('crashloop-'))
      expect(backOff[0]?.message).toBe(
        `Back-off restarting failed container app in pod ${backOff[0]?.involvedObject.name}_broken(${backOff[0]?.involvedObject.uid})`,
      )
      const backup = c.registry.resource('batch', 'jobs').read('jobs', 'backup') as any
      expect(backup.status.conditions.find((x: any) => x.type === 'Failed')?.status).toBe('True')
    } finally {
      c.close()
    }
  }, 30_000)

  it('reset starts the activity over from the seed', async () => {
    const c = await Cluster.open({ speed: 0, scenario: loadScenario(shipped('busy')) })
    try {
      await advance(c, 120)
      const first = summary(c.activity!.log).map(normalise)
      await c.reset()
      expect(c.activity!.log).toEqual([])
      await advance(c, 120)
      expect(summary(c.activity!.log).map(normalise)).toEqual(first)
    } finally {
      c.close()
    }
  }, 30_000)
})

describe('activity validation', () => {
  const bad = (activity: string) => () => parseScenario(scenario(activity), 'x.yaml')
  it('names the bad field', () => {
    expect(bad('actions: [{ kind: explode }]')).toThrow(
      'scenario x.yaml: is invalid: activity.actions[0].kind: Unsupported value: "explode": supported values: "rollout", "scale", "crash", "imagePullFailure", "nodeOutage", "job"',
    )
    expect(bad('actions: [{ kind: scale, minReplicas: 4, maxReplicas: 2 }]')).toThrow(
      'scenario x.yaml: is invalid: activity.actions[0].maxReplicas: Invalid value: 2: must be greater than or equal to minReplicas (4)',
    )
    expect(bad("actions: [{ kind: crash, selector: 'app in (a' }]")).toThrow(/activity\.actions\[0\]\.selector: Invalid value: "app in \(a": /)
    expect(bad('everySeconds: 0\nactions: [{ kind: job }]')).toThrow('activity.everySeconds: Invalid value: 0: must be > 0')
    expect(bad('actions: []')).toThrow(/activity\.actions: /)
    expect(bad('actions: [{ kind: job, weight: 0 }]')).toThrow('activity.actions: Invalid value: 0: at least one action must have a weight above 0')
    expect(bad('actions: [{ kind: job, durationSecs: 3 }]')).toThrow('activity.actions[0].durationSecs: Forbidden: unknown field')
    expect(bad('everySeconds: 10\njitterSeconds: 10\nactions: [{ kind: job }]')).toThrow(
      'activity.jitterSeconds: Invalid value: 10: must be less than everySeconds (10)',
    )
  })
})
