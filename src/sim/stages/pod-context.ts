/** @module pod-context: what pod stages may consult — the node, the runtime, images, back-offs, timings — and the steps they emit. */
import type { PodStatus } from 'kubernetes-types/core/v1.js'
import type { PodObject } from '../../registry/core/pod-printer.js'
import type { ImageCatalogue, ProcessPlan, PulledImage } from '../images.js'
import type { PodHooks } from '../probes/lifecycle-hooks.js'
import type { PodProbes } from '../probes/prober-manager.js'
import type { Stage } from './engine.js'

/** Timings of the simulated kubelet, in simulated ms (override by name through `deps.timings`). */
export interface KubeletTimings {
  /** Bound pod → first status (ContainerCreating). */
  'kubelet.syncMs': number
  /** First status → sandbox with an IP (PodReadyToStartContainers True). */
  'kubelet.sandboxMs': number
  /** An image pull (also the duration the Pulled event reports). */
  'kubelet.pullMs': number
  /** Create + start of a container whose image is present. */
  'kubelet.startMs': number
  /** A process exit → the kubelet notices (PLEG relist). */
  'kubelet.plegMs': number
  /** SIGTERM → a well-behaved process has exited (capped by the grace period). */
  'kubelet.stopMs': number
  /** A restart without back-off (and the CrashLoopBackOff status) follows an exit after this. */
  'kubelet.restartMs': number
  /** ErrImagePull → ImagePullBackOff. */
  'kubelet.imagePullBackOffMs': number
  /** How long a program of an image the simulation knows nothing about runs when the pod does not restart it (a Job's `/app/batch`). */
  'kubelet.commandRunMs': number
}

/** Defaults: a bound pod is Running about 0.5 s later (1 s when the image must be pulled). */
export const defaultKubeletTimings: KubeletTimings = {
  'kubelet.syncMs': 100,
  'kubelet.sandboxMs': 300,
  'kubelet.pullMs': 600,
  'kubelet.startMs': 100,
  'kubelet.plegMs': 300,
  'kubelet.stopMs': 500,
  'kubelet.restartMs': 1000,
  'kubelet.imagePullBackOffMs': 1000,
  'kubelet.commandRunMs': 2000,
}

/** The runtime surface stages use (the fake containerd). */
export interface StageRuntime {
  start(podKey: string, name: string, plan: ProcessPlan): { id: string; startedAt: number }
  get(
    id: string | undefined,
  ): { startedAt: number; plan: ProcessPlan; exit?: { at: number; exitCode: number; reason: string; message?: string }; stopping?: boolean } | undefined
  exit(id: string, exitCode: number, reason?: string): void
  /** Sends the stop signal: the container exits `afterMs` later with `exitCode`. */
  kill(id: string, afterMs: number, exitCode: number): void
}

/** The back-off surface stages use (flowcontrol.Backoff). */
export interface StageBackoff {
  get(id: string): number
  lastUpdate(id: string): number | undefined
  next(id: string, eventTime?: number): void
  isInBackOffSince(id: string, eventTime: number): boolean
  isInBackOffSinceUpdate(id: string, eventTime?: number): boolean
}

/** Images a node holds (by runtime name, e.g. `docker.io/library/nginx:1.15.12`). */
export interface NodeImages {
  has(image: string): boolean
  add(image: PulledImage): void
}

/** Everything a pod stage may read or act on besides the pod itself. */
export interface PodStageContext {
  now: number
  node: string
  hostIP: string
  timings: KubeletTimings
  images: ImageCatalogue
  nodeImages: NodeImages
  runtime: StageRuntime
  imageBackoff: StageBackoff
  crashBackoff: StageBackoff
  /** The pod's IP from the node's podCIDR (stable per pod UID). */
  allocateIP(pod: PodObject): string
  /** Whether every persistentVolumeClaim the pod mounts exists and is Bound (volume manager's WaitForAttachAndMount). */
  volumesReady?(pod: PodObject): boolean
  /** The resolved environment of one container (image ENV, service links, env/envFrom), read when its image's entrypoint checks it. */
  containerEnv?(pod: PodObject, container: string): Record<string, string>
  /** The probe workers' results (absent: probes are not simulated, containers are ready when running). */
  probes?: PodProbes
  /** postStart/preStop hooks and killContainer (absent: containers stop without hooks). */
  hooks?: PodHooks
}

/** What a pod stage does: write the status, record an event, or remove the pod (grace 0). */
export type PodStep =
  | { type: 'status'; status: PodStatus }
  | { type: 'event'; eventType: 'Normal' | 'Warning'; reason: string; message: string; fieldPath?: string }
  | { type: 'delete' }

/** A pod lifecycle stage. */
export type PodStage = Stage<PodObject, PodStageContext, PodStep>
