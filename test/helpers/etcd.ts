/** @module etcd: a real etcd (Debian's etcd-server) on free ports with a temporary data directory, for --etcd-servers tests. */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A free TCP port on 127.0.0.1 (bound and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      s.close(() => resolve(port))
    })
  })
}

export interface RunningEtcd {
  /** The client URL, `http://127.0.0.1:<port>`. */
  url: string
  dataDir: string
  /** Stops etcd (SIGKILL: as a crash), keeping the data directory. */
  kill(): Promise<void>
  /** Starts it again on the same port and data directory. */
  restart(): Promise<void>
  /** Stops it and removes the data directory. */
  stop(): Promise<void>
}

/** Starts etcd and waits until it answers /health. */
export async function startEtcd(): Promise<RunningEtcd> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubemock-etcd-'))
  const clientPort = await freePort()
  const peerPort = await freePort()
  const url = `http://127.0.0.1:${clientPort}`
  const peer = `http://127.0.0.1:${peerPort}`
  let child: ChildProcess | undefined
  const launch = async () => {
    child = spawn(
      'etcd',
      [
        '--name=default',
        `--data-dir=${join(dataDir, 'etcd')}`,
        `--listen-client-urls=${url}`,
        `--advertise-client-urls=${url}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=default=${peer}`,
        '--log-level=error',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    )
    let stderr = ''
    child.stderr?.on('data', (d) => {
      stderr += String(d)
    })
    const deadline = Date.now() + 15_000
    for (;;) {
      if (child.exitCode !== null) throw new Error(`etcd exited with ${child.exitCode}: ${stderr}`)
      const ok = await fetch(`${url}/health`)
        .then((r) => r.ok)
        .catch(() => false)
      if (ok) return
      if (Date.now() > deadline) throw new Error(`etcd did not answer /health within 15 s: ${stderr}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  const kill = async () => {
    const c = child
    if (!c || c.exitCode !== null) return
    const exited = new Promise((r) => c.once('exit', r))
    c.kill('SIGKILL')
    await exited
  }
  await launch()
  return {
    url,
    dataDir,
    kill,
    restart: launch,
    stop: async () => {
      await kill()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
