/** @module deployment-harness: a registry with only the ReplicaSet (also over ReplicationControllers) and Deployment controllers on a manual clock, plus a stand-in kubelet. */
import { createDeploymentController } from '../../src/controllers/deployment.js'
import { createEventRecorder } from '../../src/controllers/events.js'
import type { ControllerDeps } from '../../src/controllers/index.js'
import { createReplicaSetController } from '../../src/controllers/replicaset.js'
import { replicationControllerKind } from '../../src/controllers/replica-kind.js'
import type { ReplicationController } from '../../src/registry/core/replicationcontrollers.js'
import { ControllerManager } from '../../src/controllers/runtime.js'
import type { Deployment } from '../../src/registry/apps/deployments.js'
import type { ReplicaSet } from '../../src/registry/apps/replicasets.js'
import type { PodObject } from '../../src/registry/core/pods.js'
import { definitions } from '../../src/registry/definitions.js'
import { Registry } from '../../src/registry/registry.js'
import { SimClock } from '../../src/sim/clock.js'
import { MemoryStore } from '../../src/store/object-store.js'
import { rfc3339 } from '../../src/util/time.js'
import { ImageCatalogue } from '../../src/sim/images.js'

/** A cluster slice: registry, manual clock and the two controllers under test. */
export class Harness {
  readonly clock = new SimClock({ speed: 0, start: Date.parse('2026-01-01T00:00:00Z') })
  readonly registry = new Registry({ store: new MemoryStore({}), clock: this.clock, definitions })
  readonly manager = new ControllerManager(this.registry, this.clock)
  readonly deployments = this.registry.resource<Deployment>('apps', 'deployments')
  readonly replicaSets = this.registry.resource<ReplicaSet>('apps', 'replicasets')
  readonly pods = this.registry.resource<PodObject>('', 'pods')
  readonly rcs = this.registry.resource<ReplicationController>('', 'replicationcontrollers')
  readonly errors: unknown[] = []

  constructor() {
    // The memory store applies a write before its promise settles, so the namespace exists at once.
    void this.registry.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
    const deps: ControllerDeps = {
      registry: this.registry,
      clock: this.clock,
      events: createEventRecorder(this.registry, this.clock),
      manager: this.manager,
      sim: {},
      timings: {},
      images: new ImageCatalogue(),
    }
    this.manager.add(createReplicaSetController(deps))
    this.manager.add(createDeploymentController(deps))
    this.manager.add(createReplicaSetController(deps, replicationControllerKind))
    this.manager.onError = (_c, _k, err) => this.errors.push(err)
    this.manager.start()
  }

  /** Lets queued reconciles (and the ones they trigger) run without moving time. */
  async settle(rounds = 30): Promise<void> {
    for (let i = 0; i < rounds; i++) await this.clock.advance(0)
  }

  /** Moves simulated time in 1 s steps, letting the controllers react at each step. */
  async advance(seconds: number): Promise<void> {
    for (let i = 0; i < seconds; i++) {
      await this.clock.advance(1000)
      await this.settle(5)
    }
  }

  /** Active pods (no deletionTimestamp) in `default`, optionally those whose name starts with `prefix`. */
  activePods(prefix = ''): PodObject[] {
    return this.pods
      .list('default')
      .items.map((s) => s.obj as PodObject)
      .filter((p) => !p.metadata.deletionTimestamp && (p.metadata.name ?? '').startsWith(prefix))
  }

  /** Plays scheduler + kubelet: binds pods to `node` and marks them Running and Ready now (or not ready). */
  async markPods(pods: PodObject[], opts: { ready?: boolean; node?: string } = {}): Promise<void> {
    const now = rfc3339(this.clock.now())
    for (const p of pods) {
      const name = p.metadata.name ?? ''
      if (!p.spec?.nodeName) {
        await this.pods.guaranteedUpdate(
          'default',
          name,
          (cur) => {
            cur.spec!.nodeName = opts.node ?? 'node1'
            return cur
          },
          { trusted: true },
        )
      }
      const ready = opts.ready ?? true
      await this.pods.guaranteedUpdate(
        'default',
        name,
        (cur) => {
          const prev = cur.status?.conditions?.find((c) => c.type === 'Ready')
          const ltt = prev && prev.status === (ready ? 'True' : 'False') ? prev.lastTransitionTime : now
          cur.status = {
            ...cur.status,
            phase: ready ? 'Running' : 'Pending',
            conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: ltt }],
          }
          return cur
        },
        { subresource: 'status', trusted: true },
      )
    }
  }

  /** Marks every active unready pod Ready (a kubelet that starts everything at once). */
  async readyAll(prefix = ''): Promise<void> {
    await this.markPods(this.activePods(prefix).filter((p) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True'))
  }

  /** Removes pods that are being deleted (a kubelet finishing graceful termination). */
  async finishDeletions(): Promise<void> {
    for (const p of this.pods.list('default').items) {
      if (p.obj.metadata.deletionTimestamp) await this.pods.delete('default', p.obj.metadata.name ?? '', { gracePeriodSeconds: 0 })
    }
  }

  /** Event messages (reason: message) about an object, oldest first. */
  events(name: string): string[] {
    return this.registry
      .resource('', 'events')
      .list('default')
      .items.filter((s) => (s.obj.involvedObject as { name?: string }).name === name)
      .map((s) => `${s.obj.reason}: ${s.obj.message}`)
  }

  close(): void {
    this.manager.stop()
    this.clock.dispose()
  }
}

/** A Deployment manifest like the tutorial's rollout-nginx. */
export function nginxDeployment(name: string, image: string, extra: Record<string, unknown> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...((extra.metadata as object) ?? {}) },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image }] } },
      ...((extra.spec as object) ?? {}),
    },
  } as Deployment
}
