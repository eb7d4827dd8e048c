/**
 * @module pid1-program: what a container's PID 1 is — the image's ENTRYPOINT/CMD replaced by the pod's
 * `command`/`args` after `$(VAR)` expansion, and whether the simulation runs it, the image's own
 * behaviour stands for it, or the runtime cannot start it (StartError).
 */
import { behaviourFor, knownImage, type ContainerBehaviour } from './behaviours.js'
import { expandRefs } from './env.js'
import { findExecutable, notFoundText } from './executable.js'

/** The part of a container spec that decides PID 1. */
export interface Pid1Container {
  image?: string
  command?: string[]
  args?: string[]
}

/**
 * What runs as PID 1:
 * - `image`: the image's own entrypoint (nginx serves, redis listens, postgres checks its env).
 * - `run`: a simulated program (a shell, `sleep`, `echo`, an image binary) runs in the simulated shell.
 * - `start-error`: the image has no such program; the container never runs (`message` is containerd's).
 * - `opaque`: a program the simulation cannot see: an unknown image's, or what an entrypoint makes of its args (agnhost `netexec`).
 */
export type Pid1Program = { kind: 'image' } | { kind: 'run'; argv: string[] } | { kind: 'start-error'; message: string } | { kind: 'opaque'; argv: string[] }

/** containerd 2.0 / runc 1.2's error for a container whose program does not exist (the kubelet quotes it in `Error: …`). */
export function startErrorMessage(name: string): string {
  return `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: ${notFoundText(name)}: unknown`
}

/** An entrypoint script of the image (`/docker-entrypoint.sh`) or the program that starts its server. */
function startsImage(b: ContainerBehaviour, name: string): boolean {
  const base = name.split('/').pop() ?? ''
  return /^docker-entrypoint(\.sh)?$/.test(base) || !!b.servers?.includes(base)
}

/**
 * Decides PID 1 as the kubelet and containerd do: `command` replaces the ENTRYPOINT and drops the
 * CMD, `args` replace the CMD (kuberuntime's ExpandContainerCommandAndArgs, then the OCI spec);
 * `$(VAR)` refers to the container's environment (`$$` escapes, unknown names stay as written).
 */
export function pid1Program(c: Pid1Container, env: Record<string, string>): Pid1Program {
  const b = behaviourFor(c.image ?? '')
  const expand = (xs: string[] | undefined) => (xs ?? []).map((x) => expandRefs(x, env))
  // An image the catalogue does not know may have any program (`sh -c 'python app.py'`): its
  // command is not second-guessed.
  if (!knownImage(c.image ?? '') && (c.command?.length || c.args?.length)) return { kind: 'opaque', argv: [...expand(c.command), ...expand(c.args)] }
  if (c.command?.length) {
    const argv = [...expand(c.command), ...expand(c.args)]
    if (startsImage(b, argv[0])) return { kind: 'image' }
    if (findExecutable(b, argv[0])) return { kind: 'run', argv }
    return { kind: 'start-error', message: startErrorMessage(argv[0]) }
  }
  if (c.args?.length) {
    // The entrypoint gets the args: a server's flags or its own name keep the image's behaviour;
    // a program the image has is what the entrypoint execs (`exec "$@"`) or what replaces the CMD.
    const argv = expand(c.args)
    if (argv[0].startsWith('-') || startsImage(b, argv[0])) return { kind: 'image' }
    if (findExecutable(b, argv[0])) return { kind: 'run', argv }
    // Anything else is the entrypoint's own business (agnhost's `netexec`): not simulated.
    return { kind: 'opaque', argv }
  }
  return b.cmd ? { kind: 'run', argv: b.cmd } : { kind: 'image' }
}
