/** @module executable: whether an image has a program by the name exec or a container's command gives, and which shell it is — one lookup for exec and PID 1. */
import { isSimulatedCommand } from '../shell/command-names.js'
import type { ContainerBehaviour } from './behaviours.js'

/** The interpreter flavour behind a shell name (error texts and prompts differ). */
export type ShellFlavour = 'bash' | 'dash' | 'ash'

/** What a program name resolves to in an image. */
export type Executable = { kind: 'shell'; flavour: ShellFlavour } | { kind: 'command' } | { kind: 'binary' }

/** The shells an image has: bash images have `bash` and dash as `sh`; BusyBox images `sh` and `ash`. */
export function imageShells(b: ContainerBehaviour): Record<string, ShellFlavour> {
  if (b.shell === 'bash') return { bash: 'bash', sh: 'dash' }
  if (b.shell === 'busybox') return { sh: 'ash', ash: 'ash' }
  return {}
}

/**
 * Looks `name` (`sh`, `/bin/sleep`) up as the OCI runtime would find it in the image: its shells,
 * the simulated OS tools it has, the binaries it ships. Undefined when the image has no such program.
 */
export function findExecutable(b: ContainerBehaviour, name: string): Executable | undefined {
  const base = name.split('/').pop() ?? ''
  const shells = imageShells(b)
  if (['sh', 'bash', 'ash', 'dash'].includes(base)) return shells[base] ? { kind: 'shell', flavour: shells[base] } : undefined
  if (b.binaries?.[base]) return { kind: 'binary' }
  if (isSimulatedCommand(base) && !b.missing?.includes(base) && b.os !== 'distroless') return { kind: 'command' }
  return undefined
}

/** The text runc gives for a program it cannot find: a bare name is searched in $PATH, a path is stat'ed. */
export function notFoundText(name: string): string {
  return name.includes('/') ? `exec: "${name}": stat ${name}: no such file or directory` : `exec: "${name}": executable file not found in $PATH`
}
