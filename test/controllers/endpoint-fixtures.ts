/** @module endpoint-fixtures: Services and pods with IPs and readiness for the endpoints controllers' tests (the harness plays the kubelet). */
import type { Harness } from './workload-harness.js'
import type { KubeObject } from '../../src/types.js'
import { rfc3339 } from '../../src/util/time.js'

export interface PodOpts {
  ready?: boolean
  node?: string
  labels?: Record<string, string>
  ports?: { name?: string; containerPort: number; protocol?: string }[]
  hostname?: string
  subdomain?: string
  restartPolicy?: string
  phase?: string
}

/** Creates a pod bound to a node, Running with `ip`, Ready unless told otherwise. */
export async function podWithIP(h: Harness, name: string, ip: string, o: PodOpts = {}): Promise<KubeObject> {
  const pods = h.registry.resource('', 'pods')
  await pods.create('default', {
    metadata: { name, labels: o.labels ?? { app: 'web' } },
    spec: {
      nodeName: o.node ?? 'kubemock-worker',
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.subdomain ? { subdomain: o.subdomain } : {}),
      ...(o.restartPolicy ? { restartPolicy: o.restartPolicy } : {}),
      containers: [{ name: 'c', image: 'nginx', ...(o.ports ? { ports: o.ports } : {}) }],
    },
  } as KubeObject)
  return await setPodStatus(h, name, { ip, ready: o.ready ?? true, phase: o.phase })
}

/** Rewrites a pod's status: IP, phase and the Ready condition (moved now when it changes). */
export async function setPodStatus(h: Harness, name: string, s: { ip?: string; ready: boolean; phase?: string }): Promise<KubeObject> {
  const now = rfc3339(h.clock.now())
  const stored = await h.registry.resource('', 'pods').guaranteedUpdate(
    'default',
    name,
    (p) => {
      const old = (p.status as { podIP?: string; conditions?: { type: string; status: string; lastTransitionTime?: string }[] } | undefined) ?? {}
      const ip = s.ip ?? old.podIP
      const was = old.conditions?.find((c) => c.type === 'Ready')
      const status = s.ready ? 'True' : 'False'
      const at = was && was.status === status ? was.lastTransitionTime : now
      p.status = {
        ...old,
        phase: s.phase ?? 'Running',
        ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
        conditions: [{ type: 'Ready', status, lastProbeTime: null, lastTransitionTime: at }],
      }
      return p
    },
    { subresource: 'status' },
  )
  await h.settle()
  return stored.obj
}

/** Creates a Service selecting `app: web` (or `selector`), port 80 → targetPort 8080 unless given ports. */
export async function service(h: Harness, name: string, spec: Record<string, unknown> = {}, labels?: Record<string, string>): Promise<KubeObject> {
  const s = await h.registry.resource('', 'services').create('default', {
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
  } as KubeObject)
  await h.settle()
  return s.obj
}
