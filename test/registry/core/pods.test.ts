import { describe, expect, it } from 'vitest'
import { fieldErrorString } from '../../../src/errors.js'
import type { HookContext } from '../../../src/registry/resource-definition.js'
import { pods, type PodObject } from '../../../src/registry/core/pods.js'

const now = new Date('2026-11-27T22:20:00Z')
const ctx: HookContext = { now, randomSuffix: (n) => 'x7k2p'.slice(0, n) }

/** Runs the create hooks in the registry's order. */
function create(pod: PodObject): PodObject {
  pods.applyDefaults!(pod, ctx)
  pods.prepareForCreate!(pod, ctx)
  return pod
}

const basic = (): PodObject => ({ metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } })

describe('pods: create', () => {
  it('applies defaults and admission additions', () => {
    const pod = create(basic())
    expect(pod.spec).toMatchObject({
      restartPolicy: 'Always',
      enableServiceLinks: true,
      serviceAccountName: 'default',
      serviceAccount: 'default',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    })
    expect(pod.spec!.volumes![0].name).toBe('kube-api-access-x7k2p')
    expect(pod.spec!.volumes![0].projected!.sources![0]).toEqual({ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } })
    expect(pod.spec!.containers[0].volumeMounts).toEqual([
      { name: 'kube-api-access-x7k2p', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
    ])
    expect(pod.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' })
    expect(pods.validate!(pod)).toEqual([])
    // priority and preemptionPolicy come from the Priority plugin of the registry's admission chain
    // (test/registry/scheduling/priority-admission.test.ts), not from these hooks.
    expect(pod.spec!.priority).toBeUndefined()
  })
  it('does not duplicate tolerations the user already has', () => {
    const pod = basic()
    pod.spec!.tolerations = [{ operator: 'Exists' }]
    expect(create(pod).spec!.tolerations).toEqual([{ operator: 'Exists' }])
  })
  it('skips the token when automount is off', () => {
    const pod = basic()
    pod.spec!.automountServiceAccountToken = false
    expect(create(pod).spec!.volumes).toBeUndefined()
  })
  it('computes QoS classes', () => {
    const guaranteed = basic()
    guaranteed.spec!.containers[0].resources = { limits: { cpu: '500m', memory: '128Mi' } }
    expect(create(guaranteed).status!.qosClass).toBe('Guaranteed')
    const burstable = basic()
    burstable.spec!.containers[0].resources = { requests: { cpu: '100m' } }
    expect(create(burstable).status!.qosClass).toBe('Burstable')
    const mixed = basic()
    mixed.spec!.containers[0].resources = { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } }
    expect(create(mixed).status!.qosClass).toBe('Burstable')
  })
  it('reports spec errors with real texts', () => {
    const pod = create({ metadata: { name: 'x', namespace: 'default' }, spec: { restartPolicy: 'Sometimes', containers: [{ name: 'c', image: 'busybox' }] } })
    expect(pods.validate!(pod).map(fieldErrorString)).toEqual([
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ])
  })
})

describe('pods: update', () => {
  it('allows an image change and keeps status', () => {
    const old = create(basic())
    old.status = { phase: 'Running' }
    const next = structuredClone(old)
    next.spec!.containers[0].image = 'nginx:1.26'
    next.status = { phase: 'Failed' }
    pods.applyDefaults!(next, ctx)
    pods.prepareForUpdate!(next, old, ctx)
    expect(next.status).toEqual({ phase: 'Running' })
    expect(pods.validateUpdate!(next, old)).toEqual([])
  })
  it('forbids other spec changes with the real message', () => {
    const old = create(basic())
    const next = structuredClone(old)
    next.spec!.containers[0].ports = [{ containerPort: 80 }]
    pods.applyDefaults!(next, ctx)
    const errs = pods.validateUpdate!(next, old)
    expect(errs).toHaveLength(1)
    expect(fieldErrorString(errs[0])).toMatch(
      /^spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`,`spec\.initContainers\[\*\]\.image`,`spec\.activeDeadlineSeconds`,`spec\.tolerations` \(only additions to existing tolerations\),`spec\.terminationGracePeriodSeconds` \(allow it to be set to 1 if it was previously negative\)\n/,
    )
    expect(errs[0].detail).toContain('Containers')
  })
  it('forbids adding containers and changing tolerations', () => {
    const old = create(basic())
    const more = structuredClone(old)
    more.spec!.containers.push({ name: 'b', image: 'x' })
    expect(pods.validateUpdate!(more, old).map(fieldErrorString)).toEqual(['spec.containers: Forbidden: pod updates may not add or remove containers'])
    const tol = structuredClone(old)
    tol.spec!.tolerations = []
    expect(pods.validateUpdate!(tol, old).map(fieldErrorString)).toEqual([
      'spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds',
    ])
  })
  it('status updates keep the spec', () => {
    const old = create(basic())
    const next = structuredClone(old)
    next.spec!.nodeName = 'node-1'
    next.status = { phase: 'Running' }
    pods.prepareForStatusUpdate!(next, old, ctx)
    expect(next.spec!.nodeName).toBeUndefined()
    expect(next.status).toEqual({ phase: 'Running' })
  })
})

describe('pods: graceful deletion and fields', () => {
  it('uses the requested or spec grace period, 0 when unscheduled or finished', () => {
    const pod = create(basic())
    expect(pods.gracePeriod!(pod, undefined)).toBe(0)
    pod.spec!.nodeName = 'node-1'
    expect(pods.gracePeriod!(pod, undefined)).toBe(30)
    expect(pods.gracePeriod!(pod, 5)).toBe(5)
    expect(pods.gracePeriod!(pod, -3)).toBe(1)
    pod.status = { phase: 'Succeeded' }
    expect(pods.gracePeriod!(pod, 5)).toBe(0)
  })
  it('exposes the selectable fields', () => {
    const pod = create(basic())
    pod.spec!.nodeName = 'node-1'
    pod.status = { phase: 'Running', podIPs: [{ ip: '10.244.1.5' }] }
    expect(pods.selectableFields!(pod)).toMatchObject({
      'spec.nodeName': 'node-1',
      'status.phase': 'Running',
      'status.podIP': '10.244.1.5',
      'spec.hostNetwork': 'false',
      'spec.restartPolicy': 'Always',
    })
  })
})

describe('pods: printer', () => {
  const meta = { name: 'web-1', namespace: 'default', creationTimestamp: '2026-11-27T22:10:00Z' }
  const row = (pod: PodObject): unknown[] => pods.row!(pod, now)

  it('has the real column set', () => {
    expect(pods.columns!.map((c) => [c.name, c.priority ?? 0])).toEqual([
      ['Name', 0],
      ['Ready', 0],
      ['Status', 0],
      ['Restarts', 0],
      ['Age', 0],
      ['IP', 1],
      ['Node', 1],
      ['Nominated Node', 1],
      ['Readiness Gates', 1],
    ])
    expect(pods.columns![0].format).toBe('name')
  })
  it('prints a running pod', () => {
    const pod: PodObject = {
      metadata: meta,
      spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'nginx' }] },
      status: {
        phase: 'Running',
        podIPs: [{ ip: '10.244.1.5' }],
        containerStatuses: [
          { name: 'web', image: 'nginx', imageID: '', ready: true, restartCount: 0, state: { running: { startedAt: '2026-11-27T22:10:05Z' } } },
        ],
      },
    }
    expect(row(pod)).toEqual(['web-1', '1/1', 'Running', '0', '10m', '10.244.1.5', 'node-1', '<none>', '<none>'])
  })
  it('prints CrashLoopBackOff with restarts and their age', () => {
    const pod: PodObject = {
      metadata: meta,
      spec: { containers: [{ name: 'app', image: 'busybox' }] },
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'app',
            image: 'busybox',
            imageID: '',
            ready: false,
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-11-27T22:18:00Z' } },
          },
        ],
      },
    }
    expect(row(pod).slice(0, 4)).toEqual(['web-1', '0/1', 'CrashLoopBackOff', '3 (2m ago)'])
  })
  it('lets the first container reason win and shows init progress', () => {
    const pod: PodObject = {
      metadata: meta,
      spec: {
        initContainers: [
          { name: 'i1', image: 'x' },
          { name: 'i2', image: 'x' },
        ],
        containers: [{ name: 'a', image: 'x' }],
      },
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'i1', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          { name: 'i2', image: 'x', imageID: '', ready: false, restartCount: 0, state: { running: {} } },
        ],
      },
    }
    expect(row(pod)[2]).toBe('Init:1/2')
    pod.status!.initContainerStatuses![1].state = { waiting: { reason: 'ImagePullBackOff' } }
    expect(row(pod)[2]).toBe('Init:ImagePullBackOff')
  })
  it('prints Terminating, Completed and row conditions', () => {
    const done: PodObject = {
      metadata: meta,
      spec: { containers: [{ name: 'a', image: 'x' }] },
      status: {
        phase: 'Succeeded',
        containerStatuses: [{ name: 'a', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      },
    }
    expect(row(done)[2]).toBe('Completed')
    expect(pods.rowConditions!(done)).toEqual([{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }])
    const failed = { ...done, status: { ...done.status, phase: 'Failed' } }
    expect(pods.rowConditions!(failed)![0].message).toBe('The pod failed.')
    const deleting: PodObject = { metadata: { ...meta, deletionTimestamp: '2026-11-27T22:19:00Z' }, spec: done.spec, status: { phase: 'Running' } }
    expect(row(deleting)[2]).toBe('Terminating')
    expect(pods.rowConditions!(deleting)).toBeUndefined()
  })
  it('prints exit codes, signals and readiness gates', () => {
    const pod: PodObject = {
      metadata: meta,
      spec: { containers: [{ name: 'a', image: 'x' }], readinessGates: [{ conditionType: 'example.com/ready' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'example.com/ready', status: 'True' }],
        containerStatuses: [{ name: 'a', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 137 } } }],
      },
    }
    const r = row(pod)
    expect(r[2]).toBe('ExitCode:137')
    expect(r[8]).toBe('1/1')
  })
})
