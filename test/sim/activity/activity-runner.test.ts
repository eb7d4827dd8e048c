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
 * What watches see of the objects activity changes, stamped with simulated ms since boot:
 * Deployment spec changes (replicas, image, restart stamp) and the deployment controller's Events
 * answering them at that instant, Jobs made and deleted, Node Ready transitions, and the Events
 * about Nodes and activity's Jobs. Pod-level detail (which node a pod lands on, whether its image
 * was there already, hence how fast a rolling update's later steps go) depends on generated pod
 * names, not on the seed, and is left out. With the activity log, normalised alike.
 */
async function recordRun(path: string, seconds: number, seed?: string): Promise<{ changes: string[]; log: string[] }> {
  const loaded = loadScenario(path)
  if (seed) loaded.activity!.seed = seed
  const c = await Cluster.open({ speed: 0, scenario: loaded })
  const t0 = c.clock.now()
  const changes: string[] = []
  const at = () => String(c.clock.now() - t0).padStart(9)
  const seen = new Map<string, string>()
  const specChanges = new Set<string>()
  const deploymentEvents: { instant: string; line: string }[] = []
  const changed = (key: string, value: string) => {
    if (seen.get(key) === value) return
    seen.set(key, value)
    changes.push(`${at()} ${key} ${value}`)
    specChanges.add(`${at()} ${key}`)
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
      const e = ev.stored.obj as any
      const o = e.involvedObject
      if (ev.type !== 'ADDED' || !(o.kind === 'Deployment' || o.kind === 'Node' || (o.kind === 'Job' && /-\d+$/.test(o.name)))) return
      const line = `${at()} Event ${o.kind} ${o.namespace ?? ''}/${o.name} ${e.reason}: ${stripSuffixes(e.message)}`
      if (o.kind === 'Deployment') deploymentEvents.push({ instant: `${at()} Deployment ${o.namespace}/${o.name}`, line })
      else changes.push(line)
    }),
  ]
  try {
    await advance(c, seconds)
    for (const e of deploymentEvents) if (specChanges.has(e.instant)) changes.push(e.line)
    // Controllers that wake at the same simulated instant may finish in either order: compare
    // what each instant produced, not the interleaving within it.
    return { changes: changes.sort(), log: summary(c.activity!.log).map(stripSuffixes) }
  } finally {
    for (const w of watches) w.stop()
    c.close()
  }
}

/** Pod and ReplicaSet names carry random or hashed suffixes: `web-5d8f7c9b4-x2x7q` → `web`. */
function stripSuffixes(s: string): string {
  return s
    .replace(/-[a-z0-9]{8,10}-[a-z0-9]{5}\b/g, '')
    .replace(/-[a-z0-9]{5}\b/g, '')
    .replace(/-[a-f0-9]{8,10}\b/g, '')
}

describe('shipped scenarios', () => {
  for (const name of ['busy', 'unhealthy']) {
    it(`${name}: the same seed gives the same changes and Events; another seed other ones`, async () => {
      const a = await recordRun(shipped(name), 300)
      const b = await recordRun(shipped(name), 300)
      expect(a.log.length).toBeGreaterThan(5)
      expect(b.log).toEqual(a.log)
      expect(b.changes).toEqual(a.changes)
      expect(a.changes.length).toBeGreaterThan(20)
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
      const first = summary(c.activity!.log).map(stripSuffixes)
      await c.reset()
      expect(c.activity!.log).toEqual([])
      await advance(c, 120)
      expect(summary(c.activity!.log).map(stripSuffixes)).toEqual(first)
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
