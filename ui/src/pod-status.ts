/** @module ui/pod-status: what a pod looks like on screen — kubectl's STATUS, READY, RESTARTS — and the slim copy the store keeps. No DOM here. */
import type { KubeObject } from './watch.js'

/** A pod as drawn: kubectl get pods' STATUS, READY and RESTARTS, and the colour class. */
export interface PodSummary {
  status: string
  ready: string
  restarts: number
  tone: 'ok' | 'warn' | 'pending' | 'bad' | 'done' | 'term'
}

interface ContainerStatus {
  name: string
  ready?: boolean
  restartCount?: number
  state?: { waiting?: { reason?: string }; terminated?: { reason?: string; exitCode?: number }; running?: unknown }
}

/**
 * kubectl's STATUS column (printers.go printPod, simplified): Terminating once deleted, otherwise
 * the last container's waiting or terminated reason, else the pod's reason or phase.
 */
export function podSummary(pod: KubeObject): PodSummary {
  const statuses: ContainerStatus[] = pod.status?.containerStatuses ?? []
  const total = pod.spec?.containers?.length ?? statuses.length
  let ready = 0
  let restarts = 0
  let status: string = pod.status?.reason ?? pod.status?.phase ?? 'Pending'
  for (const c of statuses) {
    if (c.ready) ready++
    restarts += c.restartCount ?? 0
    const w = c.state?.waiting?.reason
    const t = c.state?.terminated
    if (w) status = w
    else if (t) status = t.reason ?? (t.exitCode ? `ExitCode:${t.exitCode}` : 'Completed')
  }
  if (pod.metadata.deletionTimestamp) status = 'Terminating'
  const tone: PodSummary['tone'] =
    status === 'Terminating'
      ? 'term'
      : status === 'Running'
        ? ready === total
          ? 'ok'
          : 'warn'
        : status === 'Succeeded' || status === 'Completed'
          ? 'done'
          : status === 'Pending' || status === 'ContainerCreating' || status === 'PodInitializing'
            ? 'pending'
            : 'bad'
  return { status, ready: `${ready}/${total}`, restarts, tone }
}

/**
 * The part of a pod the node grid and the lists read; at 50,000 pods the page keeps these
 * (a tenth of the size) and fetches the whole pod when its panel opens.
 */
export function slimPod(pod: KubeObject): KubeObject {
  const m = pod.metadata
  return {
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      deletionTimestamp: m.deletionTimestamp,
      ownerReferences: m.ownerReferences?.filter((o) => o.controller),
    },
    spec: { nodeName: pod.spec?.nodeName, containers: (pod.spec?.containers ?? []).map((c: { name: string }) => ({ name: c.name })) },
    status: {
      phase: pod.status?.phase,
      reason: pod.status?.reason,
      containerStatuses: (pod.status?.containerStatuses ?? []).map((c: ContainerStatus) => ({
        name: c.name,
        ready: c.ready,
        restartCount: c.restartCount,
        state: c.state?.waiting
          ? { waiting: { reason: c.state.waiting.reason } }
          : c.state?.terminated
            ? { terminated: { reason: c.state.terminated.reason, exitCode: c.state.terminated.exitCode } }
            : { running: {} },
      })),
    },
  }
}

/** The part of a node the grid reads (a node's image list and addresses are most of its size). */
export function slimNode(node: KubeObject): KubeObject {
  return {
    metadata: { name: node.metadata.name, uid: node.metadata.uid, resourceVersion: node.metadata.resourceVersion, labels: node.metadata.labels },
    spec: { unschedulable: node.spec?.unschedulable },
    status: {
      conditions: (node.status?.conditions ?? []).map((c: { type: string; status: string; reason?: string }) => ({
        type: c.type,
        status: c.status,
        reason: c.reason,
      })),
    },
  }
}

/** A node's Ready condition: 'True', 'False' or 'Unknown' (no condition yet). */
export function nodeReady(node: KubeObject): string {
  const c = (node.status?.conditions ?? []).find((x: { type: string }) => x.type === 'Ready')
  return c?.status ?? 'Unknown'
}
