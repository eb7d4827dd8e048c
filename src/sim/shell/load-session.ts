/**
 * @module load-session: the one lazy loader of the simulated shell. Only exec, attach, PID 1
 * programs and exec probes use it, so a start-up does not load it (the CLI bundle keeps it in
 * its own chunk).
 */
type SessionModule = typeof import('./session.js')

let loading: Promise<SessionModule> | undefined

/** The session module, imported on first use. */
export function loadSession(): Promise<SessionModule> {
  loading ??= import('./session.js')
  return loading
}

let loaded = false

/**
 * A clock settler: while the module is being imported (the first exec probe or hook), simulated
 * time must not move on, or the command would start late. Resolves true once it waited.
 */
export async function whileSessionLoads(): Promise<boolean> {
  if (!loading || loaded) return false
  await loading
  loaded = true
  return true
}
