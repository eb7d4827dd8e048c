import { afterEach, describe, expect, it } from 'vitest'
import { createDaemonSetController } from '../../src/controllers/daemonset.js'
import {
  daemonPodTolerations,
  nodeShouldRunDaemonPod,
  replaceNodeNameAffinity,
  targetNodeName,
  type NodeObject,
} from '../../src/controllers/daemonset-nodes.js'
import { daemonSetStatus, planManage, planRollingUpdate, scaledValue, type DaemonState } from '../../src/controllers/daemonset-plan.js'
import type { PodObject } from '../../src/controllers/workload-pods.js'
import type { KubeObject } from '../../src/types.js'
import { startHarness, type Harness } from './workload-harness.js'

const node = (name: string, extra: Partial<NodeObject['spec']> = {}, labels: Record<string, string> = {}): NodeObject => ({
  metadata: { name, labels: { 'kubernetes.io/os': 'linux', ...labels } },
  spec: { ...extra },
})
const cpTaint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }

describe('nodeShouldRunDaemonPod', () => {
  const spec = { containers: [{ name: 'c', image: 'x' }] }
  it('skips the control plane unless tolerated, keeps cordoned nodes', () => {
    expect(nodeShouldRunDaemonPod(node('cp', { taints: [cpTaint] }), spec)).toEqual({ shouldRun: false, shouldContinueRunning: true })
    expect(nodeShouldRunDaemonPod(node('cp', { taints: [cpTaint] }), { ...spec, tolerations: [{ operator: 'Exists' }] })).toEqual({
      shouldRun: true,
      shouldContinueRunning: true,
    })
    const cordoned = node('w', { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] })
    expect(nodeShouldRunDaemonPod(cordoned, spec).shouldRun).toBe(true)
  })
  it('honours nodeSelector, required affinity and untolerated NoExecute taints', () => {
    expect(nodeShouldRunDaemonPod(node('w'), { ...spec, nodeSelector: { disk: 'ssd' } }).shouldRun).toBe(false)
    expect(nodeShouldRunDaemonPod(node('w', {}, { disk: 'ssd' }), { ...spec, nodeSelector: { disk: 'ssd' } }).shouldRun).toBe(true)
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] },
      },
    }
    expect(nodeShouldRunDaemonPod(node('w', {}, { zone: 'b' }), { ...spec, affinity }).shouldRun).toBe(false)
    expect(nodeShouldRunDaemonPod(node('w', {}, { zone: 'a' }), { ...spec, affinity }).shouldRun).toBe(true)
    expect(nodeShouldRunDaemonPod(node('w', { taints: [{ key: 'evict', effect: 'NoExecute' }] }), spec)).toEqual({
      shouldRun: false,
      shouldContinueRunning: false,
    })
    // not-ready/unreachable NoExecute are tolerated forever
    expect(nodeShouldRunDaemonPod(node('w', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }), spec).shouldRun).toBe(true)
  })
  it('lists the daemon tolerations in upstream order, network-unavailable only with hostNetwork', () => {
    expect(daemonPodTolerations(false).map((t) => `${t.key}:${t.effect}`)).toEqual([
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ])
    expect(daemonPodTolerations(true).at(-1)).toEqual({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' })
  })
  it('pins pods with matchFields and reads the target back', () => {
    const a = replaceNodeNameAffinity(undefined, 'n1')
    expect(a).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] },
      },
    })
    expect(targetNodeName({ metadata: {}, spec: { containers: [], affinity: a } })).toBe('n1')
  })
})

const pod = (name: string, nodeName: string, hash: string, ready: boolean, created = '2025-01-01T00:00:00Z'): PodObject => ({
  metadata: { name, creationTimestamp: created, labels: { 'controller-revision-hash': hash } },
  spec: { nodeName, containers: [] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2025-01-01T00:00:00Z' }] },
})
const state = (pods: PodObject[], rolling?: DaemonState['rolling'], nodes = ['a', 'b', 'c']): DaemonState => ({
  nodes: new Map(nodes.map((n) => [n, { shouldRun: true, shouldContinueRunning: true }])),
  podsByNode: new Map(pods.map((p) => [p.spec!.nodeName!, [...pods.filter((q) => q.spec!.nodeName === p.spec!.nodeName)]])),
  hash: 'new',
  minReadySeconds: 0,
  now: Date.parse('2025-01-02T00:00:00Z'),
  rolling,
})

describe('daemonset planning', () => {
  it('scales int-or-percent values like intstr', () => {
    expect(scaledValue('10%', 3, true)).toBe(1)
    expect(scaledValue('10%', 3, false)).toBe(0)
    expect(scaledValue(2, 3, true)).toBe(2)
  })
  it('creates on empty nodes and deletes extras, keeping the oldest', () => {
    const st = state([pod('p1', 'a', 'new', true, '2025-01-01T00:00:00Z'), pod('p2', 'a', 'new', true, '2025-01-01T00:00:05Z')])
    const plan = planManage(st)
    expect(plan.createOn).toEqual(['b', 'c'])
    expect(plan.delete.map((p) => p.metadata.name)).toEqual(['p2'])
  })
  it('rolls one available old pod at a time with maxUnavailable 1', () => {
    const st = state([pod('a1', 'a', 'old', true), pod('b1', 'b', 'old', true), pod('c1', 'c', 'old', true)], { maxSurge: 0, maxUnavailable: 1 })
    expect(planRollingUpdate(st).delete.map((p) => p.metadata.name)).toEqual(['a1'])
    // a new pod still unready blocks further deletions
    const st2 = state([pod('a2', 'a', 'new', false), pod('b1', 'b', 'old', true), pod('c1', 'c', 'old', true)], { maxSurge: 0, maxUnavailable: 1 })
    expect(planRollingUpdate(st2).delete).toEqual([])
    // an unavailable old pod is always replaced
    const st3 = state([pod('a2', 'a', 'new', false), pod('b1', 'b', 'old', false), pod('c1', 'c', 'old', true)], { maxSurge: 0, maxUnavailable: 1 })
    expect(planRollingUpdate(st3).delete.map((p) => p.metadata.name)).toEqual(['b1'])
  })
  it('surges new pods beside old ones and deletes the old once the new is available', () => {
    const st = state([pod('a1', 'a', 'old', true), pod('b1', 'b', 'old', true), pod('c1', 'c', 'old', true)], { maxSurge: 1, maxUnavailable: 0 })
    expect(planRollingUpdate(st).createOn).toEqual(['a'])
    const st2 = state([pod('a1', 'a', 'old', true), pod('a2', 'a', 'new', true), pod('b1', 'b', 'old', true), pod('c1', 'c', 'old', true)], {
      maxSurge: 1,
      maxUnavailable: 0,
    })
    const plan = planRollingUpdate(st2)
    expect(plan.delete.map((p) => p.metadata.name)).toEqual(['a1'])
    expect(plan.createOn).toEqual(['b'])
  })
  it('computes status counters and omits zero omitempty fields', () => {
    const st = state([pod('a1', 'a', 'new', true), pod('b1', 'b', 'old', false)])
    st.nodes.set('d', { shouldRun: false, shouldContinueRunning: false })
    st.podsByNode.set('d', [pod('d1', 'd', 'new', true)])
    expect(daemonSetStatus(st)).toEqual({
      currentNumberScheduled: 2,
      desiredNumberScheduled: 3,
      numberMisscheduled: 1,
      numberReady: 1,
      updatedNumberScheduled: 1,
      numberAvailable: 1,
      numberUnavailable: 2,
    })
  })
})

describe('daemonset controller', () => {
  let h: Harness
  afterEach(() => h?.close())
  const ds = (image: string, extra: Record<string, unknown> = {}): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'fluentd', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'fluentd' } },
      template: { metadata: { labels: { app: 'fluentd' } }, spec: { containers: [{ name: 'fluentd', image }], ...extra } },
    },
  })
  const daemonSets = () => h.registry.resource('apps', 'daemonsets')
  const status = () => daemonSets().getStored('default', 'fluentd')!.obj.status as Record<string, number>

  it('creates one pinned pod per worker with revision labels, a ControllerRevision and events', async () => {
    h = await startHarness([createDaemonSetController])
    await daemonSets().create('default', ds('fluentd:v1'))
    await h.settle()
    const pods = h.pods('default')
    expect(pods).toHaveLength(3)
    expect(pods.map((p) => targetNodeName(p)).sort()).toEqual(['kubemock-worker', 'kubemock-worker2', 'kubemock-worker3'])
    const p = pods[0]
    expect(p.metadata.name).toMatch(/^fluentd-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
    expect(p.spec?.nodeName).toBeUndefined()
    expect(p.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'DaemonSet', name: 'fluentd', controller: true, blockOwnerDeletion: true })])
    expect(p.metadata.labels?.['pod-template-generation']).toBe('1')
    expect(p.spec?.tolerations?.map((t) => t.key)).toContain('node.kubernetes.io/unschedulable')
    // The DaemonSet's tolerations have no tolerationSeconds, so admission adds no 300 s defaults.
    expect(p.spec?.tolerations?.some((t) => t.tolerationSeconds)).toBe(false)
    const revs = h.registry
      .resource('apps', 'controllerrevisions')
      .list('default')
      .items.map((s) => s.obj as KubeObject & { revision: number; data: any })
    expect(revs).toHaveLength(1)
    const hash = p.metadata.labels?.['controller-revision-hash']
    expect(revs[0].metadata.name).toBe(`fluentd-${hash}`)
    expect(revs[0].revision).toBe(1)
    expect(revs[0].data.spec.template.$patch).toBe('replace')
    expect(status()).toMatchObject({
      desiredNumberScheduled: 3,
      currentNumberScheduled: 3,
      numberReady: 0,
      numberMisscheduled: 0,
      updatedNumberScheduled: 3,
      numberUnavailable: 3,
      observedGeneration: 1,
    })
    const evs = h.registry
      .resource('', 'events')
      .list('default')
      .items.map((s) => s.obj as any)
    expect(evs.filter((e) => e.reason === 'SuccessfulCreate' && e.source.component === 'daemonset-controller')).toHaveLength(3)
    expect(evs[0].message).toMatch(/^Created pod: fluentd-/)
    await h.runPods()
    expect(status()).toMatchObject({ numberReady: 3, numberAvailable: 3 })
    expect(status().numberUnavailable).toBeUndefined()
  })

  it('keeps pods on cordoned nodes and follows node label changes', async () => {
    h = await startHarness([createDaemonSetController])
    await daemonSets().create('default', ds('fluentd:v1', { nodeSelector: { disk: 'ssd' } }))
    await h.settle()
    expect(h.pods('default')).toHaveLength(0)
    const nodes = h.registry.resource('', 'nodes')
    await nodes.guaranteedUpdate('', 'kubemock-worker', (n) => ({ ...n, metadata: { ...n.metadata, labels: { ...n.metadata.labels, disk: 'ssd' } } }))
    await h.settle()
    expect(h.pods('default').map((p) => targetNodeName(p))).toEqual(['kubemock-worker'])
    await nodes.guaranteedUpdate('', 'kubemock-worker', (n) => ({
      ...n,
      spec: { ...(n.spec as object), unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] },
    }))
    await h.settle()
    expect(h.pods('default').filter((p) => !p.metadata.deletionTimestamp)).toHaveLength(1)
    expect(status().desiredNumberScheduled).toBe(1)
  })

  it('is not re-planned by node heartbeats or kubelet status writes, only by changes that matter', async () => {
    let reconciles = 0
    h = await startHarness([
      (d) => {
        const c = createDaemonSetController(d)
        const inner = c.reconcile.bind(c)
        c.reconcile = (key) => {
          reconciles++
          return inner(key)
        }
        return c
      },
    ])
    await daemonSets().create('default', ds('fluentd:v1'))
    await h.settle()
    const nodes = h.registry.resource('', 'nodes')
    const beat = async (name: string) =>
      await nodes.guaranteedUpdate(
        '',
        name,
        (n) => {
          const st = n.status as { conditions: { type: string; lastHeartbeatTime?: string }[] }
          st.conditions = st.conditions.map((c) => ({ ...c, lastHeartbeatTime: new Date(h.clock.now() + 10_000).toISOString().replace(/\.\d+Z$/, 'Z') }))
          return n
        },
        { subresource: 'status' },
      )
    reconciles = 0
    for (const n of ['kubemock-worker', 'kubemock-worker2', 'kubemock-worker3']) await beat(n)
    // A kubelet status write that changes no phase, Ready condition, labels or node.
    const pod = h.pods('default')[0]
    await h.registry
      .resource('', 'pods')
      .guaranteedUpdate('default', pod.metadata.name ?? '', (p) => ({ ...p, status: { ...(p.status as object), hostIP: '172.18.0.3' } }), {
        subresource: 'status',
      })
    await h.settle()
    expect(reconciles).toBe(0)
    await nodes.guaranteedUpdate('', 'kubemock-worker', (n) => ({ ...n, metadata: { ...n.metadata, labels: { ...n.metadata.labels, disk: 'ssd' } } }))
    await h.settle()
    expect(reconciles).toBe(1)
    await h.runPods()
    expect(reconciles).toBeGreaterThan(1)
    expect(status()).toMatchObject({ numberReady: 3, numberAvailable: 3 })
  })

  it('rolls out a new template one node at a time and numbers revisions', async () => {
    h = await startHarness([createDaemonSetController])
    await daemonSets().create('default', ds('fluentd:v1'))
    await h.settle()
    await h.runPods()
    await daemonSets().guaranteedUpdate('default', 'fluentd', (d: any) => {
      d.spec.template.spec.containers[0].image = 'fluentd:v2'
      return d
    })
    await h.settle()
    const revs = () =>
      h.registry
        .resource('apps', 'controllerrevisions')
        .list('default')
        .items.map((s) => (s.obj as any).revision)
        .sort()
    expect(revs()).toEqual([1, 2])
    // maxUnavailable 1: exactly one old pod is terminating, no new pod yet (its node still has the old one)
    expect(h.pods('default').filter((p) => p.metadata.deletionTimestamp)).toHaveLength(1)
    for (let i = 0; i < 3; i++) {
      await h.reapTerminating()
      await h.runPods()
    }
    const images = h.pods('default').map((p) => p.spec?.containers[0].image)
    expect(images).toEqual(['fluentd:v2', 'fluentd:v2', 'fluentd:v2'])
    expect(status()).toMatchObject({ updatedNumberScheduled: 3, numberAvailable: 3, observedGeneration: 2 })
    // rolling back to v1 reuses revision 1's ControllerRevision as revision 3
    await daemonSets().guaranteedUpdate('default', 'fluentd', (d: any) => {
      d.spec.template.spec.containers[0].image = 'fluentd:v1'
      return d
    })
    await h.settle()
    expect(revs()).toEqual([2, 3])
  })

  it('with OnDelete only replaces pods that are deleted', async () => {
    h = await startHarness([createDaemonSetController])
    await daemonSets().create('default', { ...ds('fluentd:v1'), spec: { ...(ds('fluentd:v1').spec as object), updateStrategy: { type: 'OnDelete' } } })
    await h.settle()
    await h.runPods()
    await daemonSets().guaranteedUpdate('default', 'fluentd', (d: any) => {
      d.spec.template.spec.containers[0].image = 'fluentd:v2'
      return d
    })
    await h.settle()
    expect(h.pods('default').filter((p) => p.metadata.deletionTimestamp)).toHaveLength(0)
    expect(status().updatedNumberScheduled ?? 0).toBe(0)
    const victim = h.pods('default')[0]
    await h.registry.resource('', 'pods').delete('default', victim.metadata.name!, { gracePeriodSeconds: 0 })
    await h.settle()
    expect(
      h
        .pods('default')
        .map((p) => p.spec?.containers[0].image)
        .sort(),
    ).toEqual(['fluentd:v1', 'fluentd:v1', 'fluentd:v2'])
  })
})

describe('kube-system workloads', () => {
  let h: Harness
  afterEach(() => h?.close())
  it('validate on create and kube-proxy runs on every node, control plane included', async () => {
    const { systemWorkloads } = await import('../../src/sim/system-workloads.js')
    h = await startHarness([createDaemonSetController])
    for (const o of systemWorkloads('v1.32.2')) await h.registry.forKind(o.apiVersion!, o.kind!)!.create('kube-system', o)
    await h.settle()
    const pods = h.pods('kube-system')
    expect(pods).toHaveLength(4)
    expect(pods[0].spec?.containers[0].image).toBe('registry.k8s.io/kube-proxy:v1.32.2')
    expect(pods[0].spec?.tolerations?.[0]).toEqual({ operator: 'Exists' })
    expect(pods[0].spec?.tolerations?.at(-1)?.key).toBe('node.kubernetes.io/network-unavailable')
    expect(pods[0].spec?.priority).toBe(2000001000)
    const ds = h.registry.resource('apps', 'daemonsets').getStored('kube-system', 'kube-proxy')!.obj as any
    expect(ds.status.desiredNumberScheduled).toBe(4)
    const row = h.registry.resource('apps', 'daemonsets').def.row!(ds, new Date(h.clock.now()))
    expect(row.slice(1, 7)).toEqual([4, 4, 0, 4, 0, 'kubernetes.io/os=linux'])
    expect(h.registry.resource('apps', 'deployments').getStored('kube-system', 'coredns')).toBeDefined()
  })
})
