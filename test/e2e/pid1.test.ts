/** @module pid1.test (e2e): container programs run as PID 1 — what real kubectl sees of their output, exit codes, files, StartError, init containers, sidecars and attach. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTerminal } from '../helpers/pty.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from '../helpers/expect-kubectl.js'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { parseTable } from '../helpers/parse-table.js'

const sidecarJob = `apiVersion: batch/v1
kind: Job
metadata: { name: with-sidecar }
spec:
  template:
    spec:
      restartPolicy: Never
      initContainers:
      - { name: proxy, image: "busybox:1.36", restartPolicy: Always, command: [sh, -c, "echo proxy up; sleep 3600"] }
      containers:
      - { name: main, image: "busybox:1.36", command: [sh, -c, "sleep 3; echo work done"] }
`

const pods = `
apiVersion: v1
kind: ConfigMap
metadata: { name: marker }
data: { x: "present\\n" }
---
apiVersion: v1
kind: Pod
metadata: { name: fails }
spec:
  restartPolicy: Never
  containers:
  - { name: c, image: "busybox:1.36", command: [sh, -c, "echo hello; echo err >&2; exit 3"] }
---
apiVersion: v1
kind: Pod
metadata: { name: retries }
spec:
  restartPolicy: OnFailure
  containers:
  - { name: c, image: "busybox:1.36", command: [sh, -c, "echo try; exit 1"] }
---
apiVersion: v1
kind: Pod
metadata: { name: writer }
spec:
  containers:
  - { name: c, image: "busybox:1.36", command: [sh, -c, "echo hi > /tmp/f; sleep 3600"] }
---
apiVersion: v1
kind: Pod
metadata: { name: no-x }
spec:
  restartPolicy: Never
  containers:
  - { name: c, image: "busybox:1.36", command: [sh, -c, "test -f /x || exit 2"] }
---
apiVersion: v1
kind: Pod
metadata: { name: with-x }
spec:
  restartPolicy: Never
  volumes: [{ name: m, configMap: { name: marker } }]
  containers:
  - name: c
    image: "busybox:1.36"
    command: [sh, -c, "test -f /x || exit 2"]
    volumeMounts: [{ name: m, mountPath: /x, subPath: x }]
---
apiVersion: v1
kind: Pod
metadata: { name: expand }
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: "busybox:1.36"
    command: [sh, -c, "echo $(GREETING) $$(echo escaped)"]
    env: [{ name: GREETING, value: hello }]
---
apiVersion: v1
kind: Pod
metadata: { name: missing }
spec:
  containers:
  - { name: c, image: "busybox:1.36", command: [x] }
---
apiVersion: v1
kind: Pod
metadata: { name: inits }
spec:
  initContainers:
  - { name: a, image: "busybox:1.36", command: [sh, -c, "echo a; sleep 5"] }
  - { name: b, image: "busybox:1.36", command: [sh, -c, "sleep 5"] }
  containers:
  - { name: web, image: "nginx:1.27.3" }
---
apiVersion: v1
kind: Pod
metadata: { name: bad-init }
spec:
  initContainers:
  - { name: a, image: "busybox:1.36", command: [sh, -c, "exit 1"] }
  containers:
  - { name: web, image: "nginx:1.27.3" }
`

describe('container programs as PID 1', () => {
  let km: Kubemock
  const advance = async (seconds: number) => {
    const r = await fetch(`${km.url}/kubemock/v1/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seconds }),
    })
    expect(r.status).toBe(200)
  }
  const json = async (name: string, path: string) => (await km.kubectl(['get', 'pod', name, '-o', `jsonpath=${path}`])).stdout
  const row = async (name: string) => parseTable((await km.kubectl(['get', 'pod', name])).stdout).rows[0]

  beforeAll(async () => {
    km = await startKubemock({ args: ['--speed', '0'] })
    expect((await km.kubectl(['apply', '-f', '-'], { input: pods })).code).toBe(0)
    // Scheduling, pulls and starts, then the programs: a few simulated seconds.
    for (let i = 0; i < 3; i++) await advance(1)
  }, 60_000)
  afterAll(() => km?.stop())

  it('the log is what the program printed; its exit code ends the container (Error, Failed)', async () => {
    expect(await km.kubectl(['logs', 'fails'])).toMatchObject({ stdout: 'hello\nerr\n', code: 0 })
    const ts = (await km.kubectl(['logs', 'fails', '--timestamps'])).stdout.split('\n')
    // RFC3339Nano, as the kubelet's CRI log writer: trailing zeros of the fraction (all of it on a
    // whole second, which a manual clock starts at) are dropped.
    expect(ts[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z hello$/)
    expect(
      await json('fails', '{.status.containerStatuses[0].state.terminated.exitCode} {.status.containerStatuses[0].state.terminated.reason} {.status.phase}'),
    ).toBe('3 Error Failed')
    expect(await row('fails')).toMatchObject({ READY: '0/1', STATUS: 'Error', RESTARTS: '0' })
  })

  it('OnFailure restarts a failing program with back-off: RESTARTS counts, CrashLoopBackOff in between', async () => {
    await advance(2)
    const first = await row('retries')
    expect(Number(first.RESTARTS.split(' ')[0])).toBeGreaterThanOrEqual(1)
    expect(first.STATUS).toBe('CrashLoopBackOff')
    expect((await km.kubectl(['logs', 'retries', '--previous'])).stdout).toBe('try\n')
    const before = Number(first.RESTARTS.split(' ')[0])
    await advance(25)
    expect(Number((await row('retries')).RESTARTS.split(' ')[0])).toBeGreaterThan(before)
  })

  it('files it writes are there for exec and cp', async () => {
    expect((await km.kubectl(['exec', 'writer', '--', 'cat', '/tmp/f'])).stdout).toBe('hi\n')
    const dir = mkdtempSync(join(tmpdir(), 'pid1-'))
    try {
      expect((await km.kubectl(['cp', 'writer:/tmp/f', join(dir, 'f')])).code).toBe(0)
      expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('hi\n')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    expect(await row('writer')).toMatchObject({ STATUS: 'Running', RESTARTS: '0' })
  })

  it('`test -f /x || exit 2` reads the container file system (a ConfigMap file makes it pass)', async () => {
    expect(await json('no-x', '{.status.containerStatuses[0].state.terminated.exitCode}')).toBe('2')
    expect(await json('with-x', '{.status.containerStatuses[0].state.terminated.exitCode} {.status.phase}')).toBe('0 Succeeded')
    expect((await row('with-x')).STATUS).toBe('Completed')
  })

  it('logs -f follows what a running program prints as the simulated clock moves', async () => {
    const ticker = `apiVersion: v1
kind: Pod
metadata: { name: ticker }
spec:
  containers:
  - { name: c, image: "busybox:1.36", command: [sh, -c, "for i in 1 2 3; do echo tick $i; sleep 1; done; sleep 3600"] }
`
    expect((await km.kubectl(['apply', '-f', '-'], { input: ticker })).code).toBe(0)
    for (let i = 0; i < 2; i++) await advance(0.5)
    const follow = km.kubectlBackground(['logs', '-f', 'ticker'], { timeoutMs: 30_000 })
    try {
      await eventually('the first tick', async () => (follow.stdout().includes('tick 1\n') ? true : undefined))
      await eventually('three ticks', async () => {
        await advance(1)
        return follow.stdout().includes('tick 3\n') ? true : undefined
      })
      expect(follow.stdout()).toBe('tick 1\ntick 2\ntick 3\n')
    } finally {
      await follow.stop()
    }
  })

  it('$(VAR) expands from the env, $$ escapes', async () => {
    expect((await km.kubectl(['logs', 'expand'])).stdout).toBe('hello escaped\n')
  })

  it('a program the image lacks: StartError 128 with the runtime text, then CrashLoopBackOff', async () => {
    const text =
      'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "x": executable file not found in $PATH: unknown'
    const term = JSON.parse(
      (await json('missing', '{.status.containerStatuses[0].lastState.terminated}')) ||
        (await json('missing', '{.status.containerStatuses[0].state.terminated}')),
    )
    expect(term).toMatchObject({ exitCode: 128, reason: 'StartError', message: text, startedAt: '1970-01-01T00:00:00Z' })
    const events = (await km.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=missing,reason=Failed', '-o', 'jsonpath={.items[*].message}']))
      .stdout
    expect(events).toMatch(new RegExp(`^Error: ${text.replace(/[.*+?^${}()|[\]\\$]/g, '\\$&')}`))
    expect(await statusesOver(fresh('missing'), 12)).toEqual(expect.arrayContaining(['StartError', 'CrashLoopBackOff']))
  })

  /** A copy of a fixture pod named `<name>-2`, created now (the fixture's first seconds have passed). */
  const fresh = (name: string) => {
    const doc = pods.split('---').find((d) => d.includes(`name: ${name} }`))!
    return { name: `${name}-2`, manifest: doc.replace(`name: ${name} }`, `name: ${name}-2 }`) }
  }
  /** Creates `pod` and samples its STATUS column every half simulated second, `seconds` long. */
  const statusesOver = async (pod: { name: string; manifest: string }, seconds: number) => {
    expect((await km.kubectl(['apply', '-f', '-'], { input: pod.manifest })).code).toBe(0)
    const seen: string[] = []
    for (let i = 0; i < seconds * 2; i++) {
      await advance(0.5)
      const s = (await row(pod.name)).STATUS
      if (seen.at(-1) !== s) seen.push(s)
    }
    return seen
  }

  it('init containers run one at a time: Init:0/2, Init:1/2, then the app', async () => {
    const spec = fresh('inits').manifest.replace('name: inits-2', 'name: inits2')
    expect((await km.kubectl(['apply', '-f', '-'], { input: spec })).code).toBe(0)
    await advance(1)
    expect((await row('inits2')).STATUS).toBe('Init:0/2')
    expect(await json('inits2', '{.status.initContainerStatuses[1].state.waiting.reason}')).toBe('PodInitializing')
    await advance(5)
    expect((await row('inits2')).STATUS).toBe('Init:1/2')
    await advance(6)
    expect(await row('inits2')).toMatchObject({ STATUS: 'Running', READY: '1/1' })
    expect((await km.kubectl(['logs', 'inits2', '-c', 'a'])).stdout).toBe('a\n')
  })

  it('a failing init container: Init:Error, then Init:CrashLoopBackOff; the app never starts', async () => {
    const seen = await statusesOver(fresh('bad-init'), 12)
    expect(seen).toEqual(expect.arrayContaining(['Init:0/1', 'Init:Error', 'Init:CrashLoopBackOff']))
    expect(seen).not.toContain('Running')
    expect(await json('bad-init-2', '{.status.containerStatuses[0].state.waiting.reason}')).toBe('PodInitializing')
  })

  it('a Job whose pod has a sidecar completes once the main container ends and the kubelet has stopped the sidecar', async () => {
    expect((await km.kubectl(['apply', '-f', '-'], { input: sidecarJob })).code).toBe(0)
    for (let i = 0; i < 6; i++) await advance(1)
    const pod = (await km.kubectl(['get', 'pods', '-l', 'job-name=with-sidecar', '-o', 'name'])).stdout.trim()
    expect((await km.kubectl(['logs', pod, '-c', 'main'])).stdout).toBe('work done\n')
    expect((await km.kubectl(['logs', pod, '-c', 'proxy'])).stdout).toBe('proxy up\n')
    // The sidecar's shell ignores SIGTERM: the pod stays Running for its 30 s grace period.
    expect((await km.kubectl(['get', pod, '-o', 'jsonpath={.status.phase}'])).stdout).toBe('Running')
    expect((await km.kubectl(['get', 'job', 'with-sidecar', '-o', 'jsonpath={.status.succeeded}'])).stdout).toBe('')
    await advance(31)
    expect((await km.kubectl(['get', pod, '-o', 'jsonpath={.status.phase} {.status.initContainerStatuses[0].state.terminated.exitCode}'])).stdout).toBe(
      'Succeeded 137',
    )
    await eventually('job complete', async () => {
      const r = await km.kubectl(['get', 'job', 'with-sidecar', '-o', 'jsonpath={.status.succeeded}'])
      return r.stdout === '1' ? true : undefined
    })
  })
})

describe('attach to PID 1', () => {
  let km: Kubemock
  beforeAll(async () => {
    km = await startKubemock()
  }, 30_000)
  afterAll(() => km?.stop())

  it('kubectl run -it … -- sh: the shell is PID 1, reads what is typed and its exit code is the container’s', async () => {
    const steps = [
      { send: '', until: 'try pressing enter', seconds: 20 },
      { send: '\r', until: '/ # ' },
      { send: 'echo $((6*7)) $$\r', until: '42 1' },
      { send: 'exit 3\r', until: 'deleted', seconds: 20 },
    ]
    const out = await onTerminal(km, ['run', '-it', '--rm', 'b', '--image=busybox:1.36', '--restart=Never', '--', 'sh'], steps, { timeoutMs: 90_000 })
    expect(out.output).toContain('42 1')
    expect(out.output).toContain('pod "b" deleted')
    expect(out.code).toBe(3)
  }, 120_000)
})
