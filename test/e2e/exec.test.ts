/** @module exec.test: real `kubectl exec` / `kubectl attach` against kubemock — output, exit codes, stdin, errors, and nothing reaching the host. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { eventually } from '../helpers/expect-kubectl.js'

const pods = `
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27.3
    env:
    - name: GREETING
      value: hello
---
apiVersion: v1
kind: Pod
metadata:
  name: box
spec:
  containers:
  - name: main
    image: busybox:1.36
    command: ["sleep", "3600"]
  - name: side
    image: nginx:1.15.12
`

describe('kubectl exec and attach', () => {
  let km: Kubemock
  beforeAll(async () => {
    // The host file the security test looks for must not exist beforehand.
    rmSync('/tmp/owned', { force: true })
    km = await startKubemock()
    expect((await km.kubectl(['apply', '-f', '-'], { input: pods })).code).toBe(0)
    await eventually('pods running', async () => {
      const out = (await km.kubectl(['get', 'pods', '-o', 'jsonpath={.items[*].status.phase}'])).stdout
      return out === 'Running Running' ? true : undefined
    })
  }, 30_000)
  afterAll(async () => {
    await km?.stop()
  })

  it('runs a command and prints its output', async () => {
    const r = await km.kubectl(['exec', 'web', '--', 'cat', '/run/nginx.pid'])
    expect(r).toEqual({ stdout: '1\n', stderr: '', code: 0 })
    expect((await km.kubectl(['exec', 'web', '--', 'printenv', 'GREETING', 'HOSTNAME'])).stdout).toBe('hello\nweb\n')
    expect((await km.kubectl(['exec', 'web', '--', 'sh', '-c', 'echo $KUBERNETES_SERVICE_HOST; nginx -v'])).stdout).toBe('10.96.0.1\n')
  })

  it('propagates exit codes and stderr', async () => {
    const r = await km.kubectl(['exec', 'web', '--', 'sh', '-c', 'echo oops >&2; exit 3'])
    expect(r.code).toBe(3)
    expect(r.stderr).toBe('oops\ncommand terminated with exit code 3\n')
    const nf = await km.kubectl(['exec', 'web', '--', 'bash', '-c', 'nosuchcmd'])
    expect(nf.code).toBe(127)
    expect(nf.stderr).toBe('bash: line 1: nosuchcmd: command not found\ncommand terminated with exit code 127\n')
  })

  it('never touches the host: touch /tmp/owned lands in the pod only', async () => {
    expect((await km.kubectl(['exec', 'web', '--', 'sh', '-c', 'touch /tmp/owned'])).code).toBe(0)
    expect(existsSync('/tmp/owned')).toBe(false)
    expect((await km.kubectl(['exec', 'web', '--', 'ls', '/tmp'])).stdout).toBe('owned\n')
  })

  it('pipes stdin with -i', async () => {
    const r = await km.kubectl(['exec', '-i', 'web', '--', 'wc', '-l'], { input: 'a\nb\n' })
    expect(r.stdout).toBe('2\n')
    const sh = await km.kubectl(['exec', '-i', 'web', '--', 'sh'], { input: 'cd /etc/nginx\npwd\nexit 4\n' })
    expect(sh.stdout).toBe('/etc/nginx\n')
    expect(sh.code).toBe(4)
  })

  it('picks containers: -c, the default with a notice, busybox messages', async () => {
    const def = await km.kubectl(['exec', 'box', '--', 'ps'])
    expect(def.stderr).toBe('Defaulted container "main" out of: main, side\n')
    expect(def.stdout).toBe('PID   USER     TIME  COMMAND\n    1 root      0:00 sleep 3600\n    2 root      0:00 ps\n')
    const nf = await km.kubectl(['exec', 'box', '-c', 'main', '--', 'sh', '-c', 'foo'])
    expect(nf.stderr).toBe('sh: foo: not found\ncommand terminated with exit code 127\n')
    expect((await km.kubectl(['exec', 'box', '-c', 'side', '--', 'nginx', '-v'])).stderr).toBe('nginx version: nginx/1.15.12\n')
  })

  it('errors kubectl prints as a real cluster does', async () => {
    expect(await km.kubectl(['exec', 'web', '-c', 'foo', '--', 'ls'])).toMatchObject({
      stderr: 'Error from server (BadRequest): container foo is not valid for pod web\n',
      code: 1,
    })
    expect(await km.kubectl(['exec', 'ghost', '--', 'ls'])).toMatchObject({ stderr: 'Error from server (NotFound): pods "ghost" not found\n', code: 1 })
    const bad = await km.kubectl(['exec', 'box', '-c', 'main', '--', 'bash'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(
      /^error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "bash": executable file not found in \$PATH: unknown\n$/,
    )
  })

  it('kubectl cp works both ways through tar over exec', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubemock-cp-'))
    try {
      writeFileSync(join(dir, 'page.html'), '<h1>copied</h1>\n')
      expect(await km.kubectl(['cp', join(dir, 'page.html'), 'web:/usr/share/nginx/html/page.html'])).toEqual({ stdout: '', stderr: '', code: 0 })
      expect((await km.kubectl(['exec', 'web', '--', 'cat', '/usr/share/nginx/html/page.html'])).stdout).toBe('<h1>copied</h1>\n')
      const back = await km.kubectl(['cp', 'web:/etc/nginx/conf.d/default.conf', join(dir, 'default.conf')])
      expect(back.code).toBe(0)
      // tar's warning reaches kubectl on the stderr stream. kubectl was seen once (in CI) to finish
      // and exit without printing it, presumably racing its own stream copy: the line is there or
      // not at all, never anything else.
      expect(["tar: Removing leading `/' from member names\n", '']).toContain(back.stdout)
      expect(readFileSync(join(dir, 'default.conf'), 'utf8')).toContain('root   /usr/share/nginx/html;')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('an endless exec loop leaves the server responsive and ends when kubectl is killed', async () => {
    const script = 'i=0; while true; do i=$((i+1)); echo $i > /tmp/n; echo $i; done'
    const loop = km.kubectlBackground(['exec', 'web', '--', 'sh', '-c', script])
    try {
      await loop.waitForStdout(/\n500\n/, 15_000)
      const t = performance.now()
      expect((await km.kubectl(['get', 'pod', 'web', '-o', 'name'])).stdout).toBe('pod/web\n')
      expect(performance.now() - t).toBeLessThan(5_000)
    } finally {
      await loop.stop()
    }
    const counter = async () => Number((await km.kubectl(['exec', 'web', '--', 'cat', '/tmp/n'])).stdout)
    await new Promise((r) => setTimeout(r, 300))
    const stopped = await counter()
    expect(stopped).toBeGreaterThanOrEqual(500)
    await new Promise((r) => setTimeout(r, 500))
    expect(await counter()).toBe(stopped)
  }, 40_000)

  it('attach streams PID 1 output (nginx access log lines for requests it serves)', async () => {
    const attach = km.kubectlBackground(['attach', 'web'])
    try {
      // Until attach is connected, nginx's lines go nowhere: ask again until one shows up.
      await eventually('an access line through attach', async () => {
        expect((await km.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/web/proxy/'])).stdout).toContain('Welcome to nginx!')
        return /"GET \/ HTTP\/1\.1" 200 \d+ "-"/.test(attach.stdout()) ? true : undefined
      })
    } finally {
      await attach.stop()
    }
  }, 30_000)
})
