/** @module logs: the pods/log subresource — a container's stdout/stderr as text, with follow, previous, tail, since, timestamps and limitBytes. */
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js'
import { StatusError } from '../errors.js'
import { runtimeFor, type LogLine } from '../sim/containers/runtime.js'
import type { FieldError } from '../types.js'
import type { ResourceCall } from './resources.js'
import { queryBool, queryInt64, queryString, queryTime, type RawQuery } from './query-params.js'

/** PodLogOptions as the query string carries them. */
export interface PodLogOptions {
  container?: string
  follow: boolean
  previous: boolean
  timestamps: boolean
  tailLines?: number
  sinceSeconds?: number
  /** Milliseconds since the epoch. */
  sinceTime?: number
  limitBytes?: number
}

/**
 * Parses and validates the options as ValidatePodLogOptions does (pkg/apis/core/validation):
 * failures are one 422 Invalid on kind PodLogOptions.
 */
export function parsePodLogOptions(query: RawQuery, pod: string): PodLogOptions {
  const opts: PodLogOptions = {
    container: queryString(query, 'container') || undefined,
    follow: queryBool(query, 'follow'),
    previous: queryBool(query, 'previous'),
    timestamps: queryBool(query, 'timestamps'),
    tailLines: queryInt64(query, 'tailLines'),
    sinceSeconds: queryInt64(query, 'sinceSeconds'),
    sinceTime: queryTime(query, 'sinceTime'),
    limitBytes: queryInt64(query, 'limitBytes'),
  }
  const errs: FieldError[] = []
  if (opts.tailLines !== undefined && opts.tailLines < 0)
    errs.push({ type: 'FieldValueInvalid', field: 'tailLines', badValue: opts.tailLines, detail: 'must be greater than or equal to 0' })
  if (opts.limitBytes !== undefined && opts.limitBytes < 1)
    errs.push({ type: 'FieldValueInvalid', field: 'limitBytes', badValue: opts.limitBytes, detail: 'must be greater than 0' })
  if (opts.sinceSeconds !== undefined && opts.sinceTime !== undefined) {
    errs.push({ type: 'FieldValueForbidden', field: '', detail: 'at most one of `sinceTime` or `sinceSeconds` may be specified' })
  } else if (opts.sinceSeconds !== undefined && opts.sinceSeconds < 1) {
    errs.push({ type: 'FieldValueInvalid', field: 'sinceSeconds', badValue: opts.sinceSeconds, detail: 'must be greater than 0' })
  }
  if (errs.length) throw StatusError.invalid('PodLogOptions', '', pod, errs)
  return opts
}

/**
 * The container a request means, as validateContainer in pkg/registry/core/pod/strategy.go: the
 * only one, else an error naming every container (init, regular, ephemeral) in Go's `[a b]` form.
 */
export function resolveContainer(pod: Pod, container: string | undefined): string {
  const name = pod.metadata?.name ?? ''
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...((pod.spec?.ephemeralContainers ?? []) as { name: string }[])].map(
    (c) => c.name,
  )
  if (!container) {
    const regular = pod.spec?.containers ?? []
    if (regular.length === 1) return regular[0].name
    if (regular.length === 0) throw StatusError.badRequest(`a container name must be specified for pod ${name}`)
    throw StatusError.badRequest(`a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`)
  }
  if (!all.includes(container)) throw StatusError.badRequest(`container ${container} is not valid for pod ${name}`)
  return container
}

/**
 * Which container instance the kubelet reads logs from (validateContainerLogStatus in
 * pkg/kubelet/kubelet_pods.go): the previous one, the running one, the terminated one, or an
 * error that explains why there are no logs (wording as the kubelet's).
 */
export function logContainerID(pod: Pod, container: string, previous: boolean): string {
  const podName = pod.metadata?.name ?? ''
  const statuses: ContainerStatus[] = [
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.ephemeralContainerStatuses ?? []),
  ]
  const cs = statuses.find((s) => s.name === container)
  if (!cs) {
    // The kubelet reads its own status cache, which has every container as soon as it admits the
    // pod (waiting, ContainerCreating); the API object may not carry it yet.
    if (!statuses.length && pod.spec?.nodeName)
      throw StatusError.badRequest(`container "${container}" in pod "${podName}" is waiting to start: ContainerCreating`)
    throw StatusError.badRequest(`container "${container}" in pod "${podName}" is not available`)
  }
  const last = cs.lastState?.terminated
  const { waiting, running, terminated } = cs.state ?? {}
  if (previous) {
    if (!last?.containerID) throw StatusError.badRequest(`previous terminated container "${container}" in pod "${podName}" not found`)
    return last.containerID
  }
  if (running) return cs.containerID ?? ''
  if (terminated) {
    if (terminated.containerID) return terminated.containerID
    if (last?.containerID) return last.containerID
    throw StatusError.badRequest(`container "${container}" in pod "${podName}" is terminated`)
  }
  if (last) {
    if (!last.containerID) throw StatusError.badRequest(`container "${container}" in pod "${podName}" is terminated`)
    return last.containerID
  }
  if (waiting) {
    const why =
      waiting.reason === 'ErrImagePull'
        ? "image can't be pulled"
        : waiting.reason === 'ImagePullBackOff'
          ? 'trying and failing to pull image'
          : (waiting.reason ?? '')
    throw StatusError.badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${why}`)
  }
  throw StatusError.badRequest(`container "${container}" in pod "${podName}" is waiting to start - no logs yet`)
}

/** Go's time.RFC3339Nano in UTC: fractional seconds with trailing zeros trimmed (none when whole). */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString() // 2026-11-27T23:12:01.120Z
  const [secs, frac] = iso.slice(0, -1).split('.')
  const f = (frac ?? '').replace(/0+$/, '')
  return `${secs}${f ? `.${f}` : ''}Z`
}

/** One line as the kubelet writes it: optional timestamp, the text, a newline. */
export function formatLogLine(line: LogLine, timestamps: boolean): string {
  return `${timestamps ? `${rfc3339Nano(line.ts)} ` : ''}${line.text}\n`
}

/** The lines the options select from what an instance wrote so far (since filter, then tail). */
export function selectLogLines(lines: readonly LogLine[], opts: PodLogOptions, now: number): LogLine[] {
  const since = opts.sinceTime ?? (opts.sinceSeconds !== undefined ? now - opts.sinceSeconds * 1000 : undefined)
  let out = since === undefined ? [...lines] : lines.filter((l) => l.ts >= since)
  if (opts.tailLines !== undefined) out = opts.tailLines === 0 ? [] : out.slice(-opts.tailLines)
  return out
}

/**
 * GET pods/NAME/log: 200 text/plain with the raw output. With follow, the chunked response stays
 * open and each new line is written as it is appended, until the instance stops running (or
 * limitBytes is reached, or the client goes away). A pod with no node yet answers an empty body,
 * as LogLocation returns no location then.
 */
export function serveLogs(call: ResourceCall): unknown {
  const { reply, registry } = call
  const name = call.name!
  const pod = call.rs.get(call.namespace, name).obj as Pod
  const opts = parsePodLogOptions(call.query, name)
  const container = resolveContainer(pod, opts.container)
  const headers: Record<string, string | number> = {}
  for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = v as string
  headers['content-type'] = 'text/plain'
  if (!pod.spec?.nodeName) {
    reply.hijack()
    reply.raw.writeHead(200, { ...headers, 'content-length': 0 })
    reply.raw.end()
    return reply
  }
  const id = logContainerID(pod, container, opts.previous)
  const rt = runtimeFor(registry)
  rt.current(call.namespace, name, container) // materializes instances from the pod status
  const inst = rt.byID(id)
  const buffer = rt.logs(id)
  let budget = opts.limitBytes ?? Infinity
  const clip = (s: string) => {
    const b = Buffer.from(s)
    if (b.length <= budget) {
      budget -= b.length
      return b
    }
    const cut = b.subarray(0, budget)
    budget = 0
    return cut
  }
  const initial = clip(
    selectLogLines(buffer.lines, opts, call.now().getTime())
      .map((l) => formatLogLine(l, opts.timestamps))
      .join(''),
  )
  reply.hijack()
  const res = reply.raw
  const follow = opts.follow && !!inst?.running && budget > 0
  if (!follow) {
    res.writeHead(200, { ...headers, 'content-length': initial.length })
    res.end(initial)
    return reply
  }
  res.writeHead(200, headers)
  // Send the headers now: a follower with nothing to read yet must still see the response start.
  res.flushHeaders()
  if (initial.length) res.write(initial)
  const stops: (() => void)[] = []
  const finish = () => {
    for (const s of stops.splice(0)) s()
    if (!res.writableEnded) res.end()
  }
  stops.push(
    buffer.subscribe((line) => {
      res.write(clip(formatLogLine(line, opts.timestamps)))
      if (budget <= 0) finish()
    }),
  )
  stops.push(
    rt.onExit((stopped) => {
      if (stopped.containerID === id) finish()
    }),
  )
  res.on('close', finish)
  return reply
}
