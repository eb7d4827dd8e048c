/** @module pod-printer: the pods Table (printPod in pkg/printers/internalversion/printers.go, 1.32). */
import type { Container, ContainerStatus, PodSpec, PodStatus } from 'kubernetes-types/core/v1.js'
import type { Cell, ColumnDef } from '../resource-definition.js'
import type { KubeObject } from '../../types.js'
import { ageColumn, nameColumn } from '../shared/columns.js'
import { translateTimestampSince } from '../shared/human-duration.js'

/** A Pod as stored. */
export type PodObject = KubeObject & { spec?: PodSpec; status?: PodStatus }

/** NAME READY STATUS RESTARTS AGE | IP NODE NOMINATED NODE READINESS GATES. */
export const podColumns: ColumnDef[] = [
  nameColumn,
  { name: 'Ready', type: 'string', description: 'The aggregate readiness state of this pod for accepting traffic.' },
  { name: 'Status', type: 'string', description: 'The aggregate status of the containers in this pod.' },
  {
    name: 'Restarts',
    type: 'string',
    description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
  },
  ageColumn,
  {
    name: 'IP',
    type: 'string',
    priority: 1,
    description: 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
  },
  {
    name: 'Node',
    type: 'string',
    priority: 1,
    description:
      'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName.',
  },
  {
    name: 'Nominated Node',
    type: 'string',
    priority: 1,
    description:
      'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.',
  },
  { name: 'Readiness Gates', type: 'string', priority: 1, description: 'If specified, all readiness gates will be evaluated for pod readiness.' },
]

const isSidecar = (c: Container | undefined): boolean => c?.restartPolicy === 'Always'
const finishedAt = (cs: ContainerStatus): number => {
  const t = cs.lastState?.terminated?.finishedAt
  return t ? Date.parse(t) : 0
}

/** One pod row: cells in podColumns order; the STATUS/READY/RESTARTS algorithm of printPod. */
export function podRow(pod: PodObject, now: Date): Cell[] {
  const spec = pod.spec ?? ({} as PodSpec)
  const status = pod.status ?? {}
  let restarts = 0
  let sidecarRestarts = 0
  let totalContainers = (spec.containers ?? []).length
  let readyContainers = 0
  let lastRestart = 0
  let lastSidecarRestart = 0
  const phase = status.phase ?? ''
  let reason = status.reason || phase
  for (const c of status.conditions ?? []) if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated'

  const initSpecs = new Map<string, Container>()
  for (const c of spec.initContainers ?? []) {
    initSpecs.set(c.name, c)
    if (isSidecar(c)) totalContainers++
  }

  let initializing = false
  const initStatuses = status.initContainerStatuses ?? []
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i]
    restarts += cs.restartCount ?? 0
    lastRestart = Math.max(lastRestart, finishedAt(cs))
    const sidecar = isSidecar(initSpecs.get(cs.name))
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0
      lastSidecarRestart = Math.max(lastSidecarRestart, finishedAt(cs))
    }
    const term = cs.state?.terminated
    const waiting = cs.state?.waiting
    if (term && term.exitCode === 0) continue
    if (sidecar && cs.started) {
      if (cs.ready) readyContainers++
      continue
    }
    if (term) {
      reason = term.reason ? `Init:${term.reason}` : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`
    }
    initializing = true
    break
  }

  const initializedTrue = (status.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'True')
  if (!initializing || initializedTrue) {
    restarts = sidecarRestarts
    lastRestart = lastSidecarRestart
    let hasRunning = false
    const statuses = status.containerStatuses ?? []
    // Walking backwards means the first container's reason wins, as upstream.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i]
      restarts += cs.restartCount ?? 0
      lastRestart = Math.max(lastRestart, finishedAt(cs))
      const waiting = cs.state?.waiting
      const term = cs.state?.terminated
      if (waiting?.reason) reason = waiting.reason
      else if (term?.reason) reason = term.reason
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`
      else if (cs.ready && cs.state?.running) {
        hasRunning = true
        readyContainers++
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const ready = (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
      reason = ready ? 'Running' : 'NotReady'
    }
  }

  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown'
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating'

  let restartsCell = String(restarts)
  if (restarts !== 0 && lastRestart > 0) restartsCell = `${restarts} (${translateTimestampSince(new Date(lastRestart).toISOString(), now)} ago)`

  const podIP = status.podIPs?.[0]?.ip || '<none>'
  let readinessGates = '<none>'
  const gates = spec.readinessGates ?? []
  if (gates.length > 0) {
    let trueCount = 0
    for (const g of gates) {
      const cond = (status.conditions ?? []).find((c) => c.type === g.conditionType)
      if (cond?.status === 'True') trueCount++
    }
    readinessGates = `${trueCount}/${gates.length}`
  }
  return [
    pod.metadata.name ?? '',
    `${readyContainers}/${totalContainers}`,
    reason,
    restartsCell,
    translateTimestampSince(pod.metadata.creationTimestamp as string | undefined, now),
    podIP,
    spec.nodeName || '<none>',
    status.nominatedNodeName || '<none>',
    readinessGates,
  ]
}

/** Row conditions: `Completed` for Succeeded and Failed pods (podSuccessConditions / podFailedConditions). */
export function podRowConditions(pod: PodObject): { type: string; status: string; reason?: string; message?: string }[] | undefined {
  switch (pod.status?.phase) {
    case 'Succeeded':
      return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]
    case 'Failed':
      return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]
    default:
      return undefined
  }
}
