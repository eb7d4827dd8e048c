/** @module catalogue-image: the shape of one catalogue entry — every fact about an image (tags, entrypoint, env, logs, files, ports, answers) in one record. */
import type { BehaviourContext, CommandOutput, FileSpec, ProcessSpec, StartupLine } from '../containers/behaviours.js'
import type { HTTPRequest, HTTPResponse } from '../containers/http.js'
import type { ContainerInstance } from '../containers/runtime.js'

/** The base distribution of an image tag: decides the shell, the prompt, /etc/os-release and which tools exist. */
export type BaseOS = 'debian' | 'ubuntu' | 'alpine' | 'busybox' | 'oracle' | 'distroless'

/** How the image's entrypoint ends before its server starts (postgres without a password). */
export interface EntrypointFailure {
  exitCode: number
  /** Simulated ms from start to the exit. */
  afterMs: number
  /** The lines the entrypoint prints (its stderr, usually) given the start time. */
  lines(startedAt: number): StartupLine[]
}

/** What the catalogue's functions get besides the tag: the environment the kubelet built. */
export type ImageEnv = Record<string, string | undefined>

/** A TCP listener that is not HTTP: what it answers to the bytes of one read (RESP `PING` → `+PONG`); `conn` is per-connection state (AUTH). */
export type WireAnswer = (bytes: string, ctx: ServeContext, conn: Record<string, unknown>) => string | undefined

/** What an HTTP answer may depend on: the instance (env, hostname, IP), its tag and version. */
export interface ServeContext {
  inst: ContainerInstance
  tag: string
  version: string
}

/** One repository of the catalogue with everything the simulation reads about it. */
export interface CatalogueImage {
  /** Fully qualified (`docker.io/library/postgres`). */
  repository: string
  /** Every tag that exists → compressed size in bytes (what the Pulled event reports). A tag not here fails to pull. */
  tags: Record<string, number>
  /** The software version a tag runs (`16` → `16.10`, `latest` → the newest). */
  version(tag: string): string
  /** The base distribution of a tag (`16-alpine` → alpine). */
  os(tag: string): BaseOS
  /** Image build time in ms (mtime of its files). */
  builtAt: number
  /** Shell images interpret a pod's command line (busybox, alpine, ubuntu, debian, curl). */
  shell?: boolean
  /** ENTRYPOINT/CMD with no pod command ends by itself (`bash` without a terminal exits 0 at once). Absent: a server, runs until stopped. */
  exits?: { exitCode: number; afterMs: number }
  /** The CMD when it is a simulated program (`bash` for ubuntu and debian): it runs as PID 1 when the pod gives no command. */
  cmd?: string[]
  /** The program the entrypoint starts when the first argument is a flag or this name (`postgres`, `mysqld`): its checks apply then. */
  daemon?: string
  /** The entrypoint's checks on the environment and the pod's volume mounts; the first failure ends the container (same fact for the exit and the log lines). */
  preflight?(env: ImageEnv, tag: string, mounts: readonly string[]): EntrypointFailure | undefined
  /** The image's ENV lines (PATH comes from `path`). */
  env(version: string, tag: string): Record<string, string>
  /** PATH of the image (default the standard one). */
  path?(version: string, tag: string): string
  /** PID 1 and its children when the entrypoint runs the server. */
  processes(ctx: BehaviourContext): ProcessSpec[]
  /** Files beyond the base OS (which comes from `os`). */
  files?(ctx: BehaviourContext): Record<string, FileSpec>
  /** What the server prints when it starts with a good environment (the preflight's lines replace these). */
  logs?(ctx: BehaviourContext): StartupLine[]
  /** Binaries the image ships (`postgres --version`). */
  binaries?: Record<string, (args: string[], ctx: BehaviourContext) => CommandOutput>
  /** TCP ports the server of a tag listens on. */
  ports?(tag: string): number[]
  /** Which of those speak HTTP (default: all of them when `serve` is set). */
  httpPorts?(tag: string): number[]
  /** HTTP answers on the HTTP ports (undefined: no listener speaks HTTP). */
  serve?(req: HTTPRequest, now: number, ctx: ServeContext): HTTPResponse
  /** The access-log line of one served request, if the server writes one. */
  accessLog?(inst: ContainerInstance, req: HTTPRequest, res: HTTPResponse, now: number): string
  /** Answers of a non-HTTP listener. */
  wire?: WireAnswer
}
