/** @module pod-stages.test: golden runs of the kubelet's pod stages (testdata/<case>.input.yaml → .output.yaml; UPDATE_GOLDEN=1 rewrites). */
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { parse, stringify } from 'yaml'
import { Backoff } from '../../../src/controllers/kubelet-backoff.js'
import { ContainerRuntime } from '../../../src/controllers/kubelet-runtime.js'
import type { PodObject } from '../../../src/registry/core/pod-printer.js'
import { SimClock } from '../../../src/sim/clock.js'
import { ImageCatalogue, type PulledImage } from '../../../src/sim/images.js'
import { PodIPAllocator } from '../../../src/sim/pod-ip.js'
import { selectStage, StageTracker, stageDueAt } from '../../../src/sim/stages/engine.js'
import { defaultKubeletTimings, type PodStageContext } from '../../../src/sim/stages/pod-context.js'
import { podStages } from '../../../src/sim/stages/pod-stages.js'

const dir = join(import.meta.dirname, 'testdata')
const update = process.env.UPDATE_GOLDEN === '1'
const start = Date.parse('2025-01-01T00:00:00Z')

interface GoldenInput {
  /** Simulated ms to run for. */
  runMs: number
  /** Images already on the node. */
  nodeImages?: string[]
  /** Simulation controls at given offsets: `{atMs, exit: {container, exitCode, reason?}}` or `{atMs, delete: graceSeconds}`. */
  actions?: { atMs: number; exit?: { container: string; exitCode: number; reason?: string }; delete?: number }[]
  /**
   * What the simulated program of a container does once started (in a cluster the sim runs it as
   * PID 1 and reports its exit; here a timer stands in): it ends after `runMs` with `exitCode`.
   */
  programs?: Record<string, { runMs: number; exitCode?: number }>
  pod: PodObject
}

/** Runs the stages against one pod, recording every transition. */
async function run(input: GoldenInput) {
  const clock = new SimClock({ start, speed: 0 })
  let n = 0
  const runtime = new ContainerRuntime(
    clock,
    () => {},
    () => `containerd://${(++n).toString(16).padStart(64, '0')}`,
    (c) => {
      const p = input.programs?.[c.name]
      if (p) clock.setTimer(p.runMs, () => runtime.exit(c.id, p.exitCode ?? 0))
    },
  )
  const images = new ImageCatalogue()
  const held = new Map<string, PulledImage>()
  for (const ref of input.nodeImages ?? []) held.set(images.describe(ref).image, images.describe(ref))
  const ips = new PodIPAllocator('10.244.1.0/24')
  const ctx = (): PodStageContext => ({
    now: clock.now(),
    node: 'node-1',
    hostIP: '172.18.0.3',
    timings: defaultKubeletTimings,
    images,
    nodeImages: { has: (i) => held.has(i), add: (i) => void held.set(i.image, i) },
    runtime,
    imageBackoff: new Proxy(imageBackoff, {}),
    crashBackoff,
    allocateIP: (p) => ips.allocate(p.metadata.uid!),
  })
  const imageBackoff = new Backoff(10_000, 300_000, () => clock.now())
  const crashBackoff = new Backoff(10_000, 300_000, () => clock.now())
  const tracker = new StageTracker(() => 0)
  let pod: PodObject | undefined = structuredClone(input.pod)
  pod.metadata.uid ??= '00000000-0000-0000-0000-000000000001'
  pod.metadata.namespace ??= 'default'
  pod.status ??= { phase: 'Pending', qosClass: 'BestEffort' }
  const actions = [...(input.actions ?? [])].sort((a, b) => a.atMs - b.atMs)
  const transitions: unknown[] = []
  const at = () => `${((clock.now() - start) / 1000).toFixed(1)}s`
  while (pod && clock.now() - start < input.runMs) {
    while (actions.length && actions[0].atMs <= clock.now() - start) {
      const a = actions.shift()!
      if (a.exit) {
        const s = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].find((x) => x.name === a.exit!.container)
        runtime.exit(s!.containerID!, a.exit.exitCode, a.exit.reason)
      }
      if (a.delete !== undefined) {
        pod.metadata.deletionTimestamp = new Date(Math.floor((clock.now() + a.delete * 1000) / 1000) * 1000).toISOString().replace('.000Z', 'Z')
        pod.metadata.deletionGracePeriodSeconds = a.delete
      }
      transitions.push({ at: at(), action: a.exit ? `exit ${a.exit.container} ${a.exit.exitCode}` : `delete grace ${a.delete}` })
    }
    const c = ctx()
    const stage = selectStage(podStages, pod, c)
    const nextAction = actions.length ? start + actions[0].atMs : Infinity
    if (!stage) {
      await clock.advance(Math.min(100, nextAction - clock.now()))
      continue
    }
    const { since } = tracker.track('pod', pod.metadata.uid!, stage.name, c.now)
    const due = stageDueAt(stage, pod, c, since)
    if (due > c.now) {
      await clock.advance(Math.min(100, due - c.now, nextAction - c.now))
      continue
    }
    tracker.clear('pod')
    const events: string[] = []
    let deleted = false
    for (const step of stage.steps(pod, c)) {
      if (step.type === 'event') events.push(`${step.eventType} ${step.reason} ${step.fieldPath ?? ''}: ${step.message}`)
      else if (step.type === 'status') pod.status = step.status
      else deleted = true
    }
    const states = (pod.status?.containerStatuses ?? []).map(
      (s) =>
        `${s.name}=${Object.keys(s.state ?? {})[0]}${s.state?.waiting?.reason ? `:${s.state.waiting.reason}` : s.state?.terminated ? `:${s.state.terminated.reason}` : ''}`,
    )
    transitions.push({ at: at(), stage: stage.name, phase: pod.status?.phase, containers: states.join(' '), ...(events.length ? { events } : {}) })
    if (deleted) pod = undefined
  }
  return { transitions, final: pod ? { metadata: { deletionTimestamp: pod.metadata.deletionTimestamp }, status: pod.status } : 'deleted' }
}

describe('pod stages (golden)', () => {
  const cases = readdirSync(dir).filter((f) => f.endsWith('.input.yaml'))
  test('has cases', () => expect(cases.length).toBeGreaterThanOrEqual(5))
  for (const f of cases) {
    test(f.replace('.input.yaml', ''), async () => {
      const input = parse(readFileSync(join(dir, f), 'utf8')) as GoldenInput
      const got = stringify(await run(input), { lineWidth: 0 })
      const out = join(dir, f.replace('.input.yaml', '.output.yaml'))
      if (update || !existsSync(out)) writeFileSync(out, got)
      expect(got).toBe(readFileSync(out, 'utf8'))
    })
  }
})
