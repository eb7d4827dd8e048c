/** @module spdy.test (e2e): kubectl versions that speak only SPDY/3.1 for streams (1.28 through the dispatcher, 1.20 from .cache/clients) — exec exit codes, stdin, a tty, cp both ways, attach, port-forward. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTerminal as onPty, type PtyStep } from '../helpers/pty.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from '../helpers/expect-kubectl.js'
import { kubectlBinary, kubectlFollowsServerVersion, kubectlPath, startKubemock, type Kubemock } from '../helpers/kubemock-process.js'

const pod = `
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: nginx
    image: nginx:1.15.12
`

interface Client {
  name: string
  binary?: string
  why: string
}

const clients: Client[] = [
  // kubectl 1.28 runs exec/attach/cp and port-forward over SPDY only (WebSocket came in 1.30/1.31).
  { name: 'kubectl 1.28', binary: kubectlFollowsServerVersion() ? kubectlPath() : undefined, why: '/usr/bin/kubectl is not the version dispatcher' },
  { name: 'kubectl 1.20', binary: kubectlBinary('1.20'), why: '.cache/clients/kubectl-1.20 is missing (run scripts/install-test-clients.sh)' },
]

for (const client of clients) {
  if (!client.binary) {
    describe.skip(`${client.name} over SPDY/3.1 (skipped: ${client.why})`, () => {
      it('needs the binary', () => {})
    })
    continue
  }
  describe(`${client.name} over SPDY/3.1`, () => {
    let km: Kubemock

    const onTerminal = (args: string[], steps: PtyStep[]) => onPty(km, args, steps)

    beforeAll(async () => {
      km = await startKubemock({ kubeVersion: '1.28', kubectl: client.binary })
      expect((await km.kubectl(['apply', '-f', '-'], { input: pod })).code).toBe(0)
      await eventually('web running', async () =>
        (await km.kubectl(['get', 'pod', 'web', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running' ? true : undefined,
      )
    }, 30_000)
    afterAll(async () => {
      await km?.stop()
    })

    it('exec: output, stderr and the exit code', async () => {
      expect(await km.kubectl(['exec', 'web', '--', 'cat', '/run/nginx.pid'])).toEqual({ stdout: '1\n', stderr: '', code: 0 })
      const r = await km.kubectl(['exec', 'web', '--', 'sh', '-c', 'echo out; echo oops >&2; exit 3'])
      expect(r).toEqual({ stdout: 'out\n', stderr: 'oops\ncommand terminated with exit code 3\n', code: 3 })
    })

    it('exec -i: stdin until EOF', async () => {
      expect(await km.kubectl(['exec', '-i', 'web', '--', 'cat'], { input: 'hi\nthere\n' })).toEqual({ stdout: 'hi\nthere\n', stderr: '', code: 0 })
    })

    it('exec -it: a shell on a terminal, with its exit code', async () => {
      const r = await onTerminal(
        ['exec', '-it', 'web', '--', 'sh'],
        [
          { send: '', until: '# ' },
          { send: 'echo $((6*7))\r', until: '42' },
          { send: 'exit 4\r', seconds: 5 },
        ],
      )
      expect(r.output).toContain('42\r\n# ')
      expect(r.output).toContain('command terminated with exit code 4')
      expect(r.code).toBe(4)
    })

    it('cp both ways (tar over exec)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'kubemock-spdy-cp-'))
      try {
        writeFileSync(join(dir, 'page.html'), '<h1>over spdy</h1>\n')
        expect(await km.kubectl(['cp', join(dir, 'page.html'), 'web:/usr/share/nginx/html/page.html'])).toMatchObject({ stderr: '', code: 0 })
        expect((await km.kubectl(['exec', 'web', '--', 'cat', '/usr/share/nginx/html/page.html'])).stdout).toBe('<h1>over spdy</h1>\n')
        expect((await km.kubectl(['cp', 'web:/etc/nginx/conf.d/default.conf', join(dir, 'default.conf')])).code).toBe(0)
        expect(readFileSync(join(dir, 'default.conf'), 'utf8')).toContain('root   /usr/share/nginx/html;')
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })

    it('attach: PID 1 output (nginx access lines)', async () => {
      const attach = km.kubectlBackground(['attach', 'web'], { timeoutMs: 30_000 })
      try {
        // Until attach is connected, nginx's lines go nowhere: ask again until one shows up.
        await eventually('an access line through attach', async () => {
          await km.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/web/proxy/'])
          return /"GET \/ HTTP\/1\.1" 200 \d+ "-"/.test(attach.stdout()) ? true : undefined
        })
      } finally {
        await attach.stop()
      }
    }, 30_000)

    it('port-forward: HTTP through the local port reaches nginx; a closed port gets the error stream text', async () => {
      const pf = km.kubectlBackground(['port-forward', 'pod/web', ':80'], { timeoutMs: 30_000 })
      try {
        const out = await pf.waitForStdout(/Forwarding from 127\.0\.0\.1:(\d+) -> 80/, 10_000)
        const port = Number(/127\.0\.0\.1:(\d+)/.exec(out)![1])
        for (let i = 0; i < 2; i++) {
          const res = await fetch(`http://127.0.0.1:${port}/`)
          expect(res.status).toBe(200)
          expect(res.headers.get('server')).toBe('nginx/1.15.12')
          expect(await res.text()).toContain('Welcome to nginx!')
        }
      } finally {
        await pf.stop()
      }
      const closed = km.kubectlBackground(['port-forward', 'pod/web', ':81'], { timeoutMs: 30_000 })
      try {
        const out = await closed.waitForStdout(/Forwarding from 127\.0\.0\.1:(\d+) -> 81/, 10_000)
        const port = Number(/127\.0\.0\.1:(\d+)/.exec(out)![1])
        await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined)
        // These versions print the error and keep listening (later ones give up the tunnel).
        await eventually('the error stream text', async () =>
          closed.stderr().includes('failed to connect to localhost:81 inside namespace') ? true : undefined,
        )
      } finally {
        await closed.stop()
      }
    }, 40_000)
  })
}
