/** @module scheduler-cache.test: the incremental scheduler cache equals a from-scratch rebuild after random changes, and its queueing hints. */
import { afterEach, describe, expect, it } from 'vitest'
import { InformerFactory, podInformer } from '../../src/controllers/informers.js'
import { nodeUpdateMayHelp, SchedulerCache } from '../../src/controllers/scheduler-cache.js'
import { buildNodeStates, type Node, type NodeState, type Pod } from '../../src/controllers/scheduler-filters.js'
import { definitions } from '../../src/registry/definitions.js'
import { bindPod } from '../../src/registry/core/pod-binding.js'
import { Registry } from '../../src/registry/registry.js'
import { SimClock } from '../../src/sim/clock.js'
import { MemoryStore } from '../../src/store/object-store.js'
import { StatusError } from '../../src/errors.js'
import type { KubeObject } from '../../src/types.js'
import { prng } from '../helpers/prng.js'

let factory: InformerFactory | undefined
afterEach(() => {
  factory?.stop()
  factory = undefined
})

async function setup() {
  const clock = new SimClock({ speed: 0, start: Date.parse('2025-03-01T10:00:00Z') })
  const registry = new Registry({ store: new MemoryStore({}), clock, definitions })
  await registry.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
  factory = new InformerFactory(registry)
  const pods = podInformer(factory)
  const nodes = factory.for('', 'nodes')
  const hints = { freed: 0, nodes: 0 }
  const cache = new SchedulerCache(pods, nodes, { podFreed: () => hints.freed++, nodeMayHelp: () => hints.nodes++ })
  factory.start()
  cache.start()
  return { clock, registry, pods, nodes, cache, hints }
}

const nonZero = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== 0))

/** A comparable view of node states: zero entries and Map order do not matter. */
function view(states: Iterable<NodeState>) {
  return [...states]
    .map((s) => ({
      name: s.name,
      rv: s.node.metadata.resourceVersion,
      allocatable: s.allocatable,
      requested: nonZero(s.requested),
      nonZeroRequested: nonZero(s.nonZeroRequested),
      podCount: s.podCount,
      usedPorts: [...s.usedPorts].sort(),
      ownerCounts: [...s.ownerCounts].sort(),
      podsWithAffinity: s.podsWithAffinity,
      podsWithRequiredAntiAffinity: s.podsWithRequiredAntiAffinity,
      // The hot loops' number copies mirror the dictionaries and the node object.
      numbers: [s.allocCpu, s.allocMemory, s.allocPods, s.reqCpu, s.reqMemory, s.nzCpu, s.nzMemory],
      open: s.openNode === s.node,
    }))
    .sort((a, b) => a.name.localeCompare(b.name))
}

function nodeObj(name: string, cpu: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels },
    status: { allocatable: { cpu, memory: '8Gi', pods: '110' }, capacity: { cpu, memory: '8Gi', pods: '110' } },
  } as KubeObject
}

describe('SchedulerCache', () => {
  for (const seed of [1, 7, 42, 2026]) {
    it(`equals buildNodeStates after random pod and node changes (seed ${seed})`, async () => {
      const { registry, pods, nodes, cache, clock } = await setup()
      const rnd = prng(seed)
      const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]
      const podRes = registry.resource('', 'pods')
      const nodeRes = registry.resource('', 'nodes')
      const nodeNames = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5']
      const owners = ['u-a', 'u-b', 'u-c']
      let seq = 0
      const ignoreConflicts = async (fn: () => unknown) => {
        try {
          await fn()
        } catch (err) {
          if (!(err instanceof StatusError)) throw err
        }
      }
      const podNames = () => pods.objects('default').map((p) => p.metadata.name!)
      const ops: (() => Promise<void> | void)[] = [
        // create a pod, pending or bound straight away, with random requests, ports, owner, affinity
        async () => {
          const cpu = pick([undefined, '0', '100m', '250m', '1'])
          const mem = pick([undefined, '64Mi', '1Gi'])
          const requests = { ...(cpu ? { cpu } : {}), ...(mem ? { memory: mem } : {}) }
          const port = pick([0, 0, 8080, 8081])
          const owner = pick([undefined, ...owners])
          const spec: Record<string, unknown> = {
            containers: [
              {
                name: 'c',
                image: 'nginx',
                resources: { requests },
                ports: port ? [{ containerPort: 80, hostPort: port, protocol: pick(['TCP', 'UDP']) }] : [],
              },
            ],
          }
          if (rnd() < 0.2) spec.initContainers = [{ name: 'i', image: 'busybox', resources: { requests: { cpu: '2' } } }]
          if (rnd() < 0.4) spec.nodeName = pick(nodeNames)
          if (rnd() < 0.15) {
            spec.affinity = {
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution:
                  rnd() < 0.5 ? [{ labelSelector: { matchLabels: { a: 'b' } }, topologyKey: 'kubernetes.io/hostname' }] : undefined,
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { weight: 1, podAffinityTerm: { labelSelector: { matchLabels: { a: 'b' } }, topologyKey: 'kubernetes.io/hostname' } },
                ],
              },
            }
          }
          const metadata = {
            name: `p${seq++}`,
            ...(owner ? { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: owner, controller: true }] } : {}),
          }
          await podRes.create('default', { apiVersion: 'v1', kind: 'Pod', metadata, spec } as KubeObject)
        },
        // bind a pending pod (sometimes through assume, sometimes with a failed bind that forgets)
        async () => {
          const pending = pods.objects('default').filter((p) => !(p as Pod).spec?.nodeName) as Pod[]
          if (!pending.length) return
          const p = pick(pending)
          const node = pick(nodeNames)
          const assumed = rnd() < 0.5
          if (assumed) cache.assume(p, node)
          if (assumed && rnd() < 0.3) {
            cache.forget(p)
            return
          }
          await ignoreConflicts(() => bindPod(podRes, 'default', p.metadata.name!, node, clock.now()))
        },
        // metadata update: owner changes (adoption / orphaning) or a label
        async () => {
          const names = podNames()
          if (!names.length) return
          await ignoreConflicts(
            async () =>
              await podRes.guaranteedUpdate('default', pick(names), (o) => {
                const owner = pick([undefined, ...owners])
                o.metadata.ownerReferences = owner ? [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: owner, controller: true }] : []
                o.metadata.labels = { ...o.metadata.labels, r: String(Math.floor(rnd() * 3)) }
                return o
              }),
          )
        },
        // phase change as the kubelet reports it
        async () => {
          const live = pods.objects('default').filter((p) => !['Succeeded', 'Failed'].includes((p as Pod).status?.phase ?? ''))
          if (!live.length) return
          const phase = pick(['Running', 'Running', 'Succeeded', 'Failed'])
          await ignoreConflicts(
            async () =>
              await podRes.guaranteedUpdate(
                'default',
                pick(live).metadata.name!,
                (o) => {
                  ;(o as Pod).status = { ...(o as Pod).status, phase }
                  return o
                },
                { subresource: 'status' },
              ),
          )
        },
        // delete, graceful (bound pods then linger terminating) or immediate
        async () => {
          const names = podNames()
          if (!names.length) return
          await ignoreConflicts(() => podRes.delete('default', pick(names), rnd() < 0.5 ? { gracePeriodSeconds: 0 } : {}))
        },
        // node added (again)
        async () => {
          const name = pick(nodeNames)
          if (nodes.get('', name)) return
          await nodeRes.create('', nodeObj(name, pick(['2', '4', '500m']), { zone: pick(['a', 'b']) }), { trusted: true })
        },
        // node updated: heartbeat-like status, allocatable, labels, cordon
        async () => {
          const present = nodes.objects().map((n) => n.metadata.name!)
          if (!present.length) return
          const name = pick(present)
          const kind = pick(['alloc', 'labels', 'cordon'])
          if (kind === 'alloc') {
            await ignoreConflicts(
              async () =>
                await nodeRes.guaranteedUpdate(
                  '',
                  name,
                  (o) => {
                    const cpu = pick(['1', '2', '8'])
                    ;(o as Node).status = { ...(o as Node).status, allocatable: { cpu, memory: '8Gi', pods: pick(['3', '110']) } }
                    return o
                  },
                  { subresource: 'status' },
                ),
            )
          } else {
            await ignoreConflicts(
              async () =>
                await nodeRes.guaranteedUpdate('', name, (o) => {
                  if (kind === 'labels') o.metadata.labels = { ...o.metadata.labels, zone: pick(['a', 'b', 'c']) }
                  else (o as Node).spec = { ...(o as Node).spec, unschedulable: rnd() < 0.5 }
                  return o
                }),
            )
          }
        },
        // node deleted (its pods stay bound to the name)
        async () => {
          const present = nodes.objects().map((n) => n.metadata.name!)
          if (present.length) await ignoreConflicts(() => nodeRes.delete('', pick(present)))
        },
      ]
      const weights = [6, 4, 2, 3, 3, 2, 3, 1]
      const total = weights.reduce((a, b) => a + b, 0)
      for (let step = 0; step < 600; step++) {
        let r = rnd() * total
        let i = 0
        while (r >= weights[i]) r -= weights[i++]
        await ops[i]()
        if (step % 10 === 0 || step > 590) {
          const oracle = buildNodeStates(nodes.objects() as Node[], pods.objects() as Pod[])
          expect(view(cache.states().values()), `seed ${seed} step ${step}`).toEqual(view(oracle.values()))
          // The per-cycle snapshot is a copy of the same.
          expect(view(cache.snapshot()), `snapshot, seed ${seed} step ${step}`).toEqual(view(oracle.values()))
          // The store itself agrees with what the informers hold.
          expect(podRes.list(undefined).items.length).toBe(pods.count())
        }
      }
      // The run exercised every kind of state.
      const final = buildNodeStates(nodes.objects() as Node[], pods.objects() as Pod[])
      expect(pods.count()).toBeGreaterThan(10)
      expect([...final.values()].some((s) => s.podCount > 0)).toBe(true)
    })
  }

  it('keeps a snapshot fixed until the next cycle, copying only changed nodes', async () => {
    const { registry, cache } = await setup()
    await registry.resource('', 'nodes').create('', nodeObj('a', '2'), { trusted: true })
    await registry.resource('', 'nodes').create('', nodeObj('b', '2'), { trusted: true })
    const first = cache.snapshot()
    const [a, b] = first
    await registry.resource('', 'pods').create('default', {
      metadata: { name: 'p' },
      spec: { nodeName: 'b', containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '1' } } }] },
    } as KubeObject)
    expect(nonZero(b.requested)).toEqual({})
    const second = cache.snapshot()
    expect(second).toBe(first)
    expect(second[1].requested).toEqual({ cpu: 1000 })
    expect(second[0]).toBe(a)
    expect(nonZero(a.requested)).toEqual({})
  })

  it('re-fills from the informers on start (a controllers restart)', async () => {
    const { registry, cache, nodes, pods } = await setup()
    await registry.resource('', 'nodes').create('', nodeObj('a', '2'), { trusted: true })
    await registry
      .resource('', 'pods')
      .create('default', { metadata: { name: 'p' }, spec: { nodeName: 'a', containers: [{ name: 'c', image: 'x' }] } } as KubeObject)
    factory!.stop()
    await registry.resource('', 'pods').delete('default', 'p', { gracePeriodSeconds: 0 })
    factory!.start()
    cache.start()
    expect(view(cache.states().values())).toEqual(view(buildNodeStates(nodes.objects() as Node[], pods.objects() as Pod[]).values()))
    expect(cache.states().get('a')?.podCount).toBe(0)
  })
})

describe('queueing hints', () => {
  const base = nodeObj('n', '2', { zone: 'a' }) as Node
  const withStatus = (n: Node, status: Partial<NonNullable<Node['status']>>): Node => ({ ...n, status: { ...n.status, ...status } })

  it('ignores heartbeats and shrinking, reacts to what can admit a pod', () => {
    const ready = (t: string, status = 'True') => [
      { type: 'Ready', status, lastHeartbeatTime: t, lastTransitionTime: '2025-03-01T10:00:00Z', reason: 'KubeletReady' },
    ]
    const a = withStatus(base, { conditions: ready('2025-03-01T10:00:00Z') as never })
    expect(nodeUpdateMayHelp(a, withStatus(a, { conditions: ready('2025-03-01T10:00:10Z') as never }))).toBe(false)
    expect(nodeUpdateMayHelp(a, withStatus(a, { conditions: ready('2025-03-01T10:00:10Z', 'False') as never }))).toBe(true)
    expect(nodeUpdateMayHelp(a, withStatus(a, { allocatable: { cpu: '1', memory: '8Gi', pods: '110' } }))).toBe(false)
    expect(nodeUpdateMayHelp(a, withStatus(a, { allocatable: { cpu: '3', memory: '8Gi', pods: '110' } }))).toBe(true)
    expect(nodeUpdateMayHelp(a, { ...a, metadata: { ...a.metadata, labels: { zone: 'b' } } })).toBe(true)
    expect(nodeUpdateMayHelp(a, { ...a, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } })).toBe(true)
    const cordoned = { ...a, spec: { unschedulable: true } }
    expect(nodeUpdateMayHelp(a, cordoned)).toBe(false)
    expect(nodeUpdateMayHelp(cordoned, a)).toBe(true)
  })

  it('fires on node add and useful updates, and when a bound pod goes away', async () => {
    const { registry, hints } = await setup()
    const nodes = registry.resource('', 'nodes')
    const pods = registry.resource('', 'pods')
    await nodes.create('', nodeObj('a', '2'), { trusted: true })
    expect(hints.nodes).toBe(1)
    // A heartbeat-like status write changes nothing the filters read.
    await nodes.guaranteedUpdate(
      '',
      'a',
      (o) => ({ ...o, status: { ...(o as Node).status, conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: 'x' }] } }) as KubeObject,
      {
        subresource: 'status',
      },
    )
    await nodes.guaranteedUpdate(
      '',
      'a',
      (o) => ({ ...o, status: { ...(o as Node).status, conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: 'y' }] } }) as KubeObject,
      {
        subresource: 'status',
      },
    )
    expect(hints.nodes).toBe(2) // the first write added the Ready condition; the second is a heartbeat
    await pods.create('default', { metadata: { name: 'p' }, spec: { nodeName: 'a', containers: [{ name: 'c', image: 'x' }] } } as KubeObject)
    await pods.guaranteedUpdate('default', 'p', (o) => ({ ...o, status: { phase: 'Running' } }) as KubeObject, { subresource: 'status' })
    expect(hints.freed).toBe(0)
    await pods.delete('default', 'p', { gracePeriodSeconds: 0 })
    expect(hints.freed).toBe(1)
    // Unbound pods going away free nothing.
    await pods.create('default', { metadata: { name: 'q' }, spec: { containers: [{ name: 'c', image: 'x' }] } } as KubeObject)
    await pods.delete('default', 'q', { gracePeriodSeconds: 0 })
    expect(hints.freed).toBe(1)
  })
})
