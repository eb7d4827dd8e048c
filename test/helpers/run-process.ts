/** @module run-process: spawns a child in its own process group and collects its output, with a hard timeout. */
import { spawn, type ChildProcess } from 'node:child_process'

/** What a finished command produced. `code` is null when it was killed (timeout or stop). */
export interface ProcessResult {
  stdout: string
  stderr: string
  code: number | null
  /** Set when the process was killed because it ran past its timeout. */
  timedOut: boolean
}

/** Options for {@link runProcess} and {@link startProcess}. */
export interface RunOptions {
  /** Written to stdin, which is then closed. Without it stdin is closed at once. */
  input?: string
  /** Kill the whole process group after this many ms (default 20 s). */
  timeoutMs?: number
  env?: NodeJS.ProcessEnv
  cwd?: string
}

/** A process still running; read its output so far, wait for a pattern, or stop it. */
export interface RunningProcess {
  readonly child: ChildProcess
  /** Everything written to stdout so far. */
  stdout(): string
  /** Everything written to stderr so far. */
  stderr(): string
  /**
   * Resolves with all stdout so far once it matches `pattern`; rejects (with the output in
   * the message) when the process exits or `timeoutMs` passes first.
   */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<string>
  /** Resolves when the process exits on its own (or after a timeout kill). */
  done: Promise<ProcessResult>
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves with the final result. Idempotent. */
  stop(graceMs?: number): Promise<ProcessResult>
}

/**
 * Starts `cmd` detached in a new process group. We signal the group, not the pid, because
 * the kubectl dispatcher execs a second kubectl binary as its child and killing only the
 * dispatcher would leave that child holding a watch open.
 */
export function startProcess(cmd: string, args: string[], opts: RunOptions = {}): RunningProcess {
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  let timedOut = false
  const listeners = new Set<() => void>()
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d
    for (const l of listeners) l()
  })
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d
  })
  child.stdin!.on('error', () => {
    /* the child may exit before reading its input */
  })
  child.stdin!.end(opts.input ?? '')

  const signal = (sig: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
    try {
      process.kill(-child.pid, sig)
    } catch {
      /* group already gone */
    }
  }

  const done = new Promise<ProcessResult>((resolve) => {
    let spawnError: Error | undefined
    child.on('error', (e) => {
      spawnError = e
      resolve({ stdout: out, stderr: err + String(e), code: null, timedOut })
    })
    // 'close' (not 'exit') so the pipes are drained and no output is lost.
    child.on('close', (code) => {
      clearTimeout(timer)
      for (const l of listeners) l()
      if (!spawnError) resolve({ stdout: out, stderr: err, code, timedOut })
    })
  })
  const timer = setTimeout(() => {
    timedOut = true
    signal('SIGKILL')
  }, opts.timeoutMs ?? 20_000)
  timer.unref()

  let exited = false
  void done.then(() => {
    exited = true
  })

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    done,
    waitForStdout(pattern, timeoutMs = 10_000) {
      return new Promise<string>((resolve, reject) => {
        const check = () => {
          if (pattern.test(out)) {
            cleanup()
            resolve(out)
          } else if (exited) {
            cleanup()
            reject(new Error(`process exited (code ${child.exitCode}) before stdout matched ${pattern}\nstdout:\n${out}\nstderr:\n${err}`))
          }
        }
        const t = setTimeout(() => {
          cleanup()
          reject(new Error(`stdout did not match ${pattern} within ${timeoutMs} ms\nstdout:\n${out}\nstderr:\n${err}`))
        }, timeoutMs)
        const cleanup = () => {
          clearTimeout(t)
          listeners.delete(check)
        }
        listeners.add(check)
        void done.then(check)
        check()
      })
    },
    async stop(graceMs = 3_000) {
      signal('SIGTERM')
      const kill = setTimeout(() => signal('SIGKILL'), graceMs)
      const result = await done
      clearTimeout(kill)
      return result
    },
  }
}

/** Runs a command to completion (see {@link startProcess}); never throws for a non-zero exit. */
export function runProcess(cmd: string, args: string[], opts: RunOptions = {}): Promise<ProcessResult> {
  return startProcess(cmd, args, opts).done
}
