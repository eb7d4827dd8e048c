/**
 * @module kubectl-matrix.test: the compatibility suite — every kubectl from 1.20 to 1.35 against a
 * server reporting its own minor: apply, diff, explain, exec (exit codes, stdin, tty), cp, attach,
 * port-forward. kubectl ≤ 1.29 streams over SPDY/3.1, later ones over WebSocket; ≤ 1.26 reads
 * /openapi/v2. Versions whose binary is missing are skipped (scripts/install-test-clients.sh).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTerminal } from '../helpers/pty.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, ok } from '../helpers/expect-kubectl.js'
import { kubectlBinary, startKubemock, type Kubemock } from '../helpers/kubemock-process.js'

/** Every minor the suite covers; the README's compatibility table lists the same. */
export const kubectlVersions = ['1.20', '1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35']

const manifest = (image: string) => `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: { app: web }
spec:
  containers:
  - name: nginx
    image: ${image}
    ports:
    - containerPort: 80
`

for (const version of kubectlVersions) {
  const binary = kubectlBinary(version)
  describe.skipIf(!binary)(`kubectl ${version}`, () => {
    let km: Kubemock
    const run = (args: string[], input?: string) => km.kubectl(args, { input })

    beforeAll(async () => {
      km = await startKubemock({ kubeVersion: version, kubectl: binary })
    })
    afterAll(async () => {
      await km?.stop()
    })

    it('apply creates, then reports unchanged; diff is clean, then shows a change', async () => {
      expect(ok(await run(['apply', '-f', '-'], manifest('nginx:1.27.3')))).toBe('pod/web created\n')
      await eventually('web Running', async () =>
        (await run(['get', 'pod', 'web', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running' ? true : undefined,
      )
      expect(ok(await run(['apply', '-f', '-'], manifest('nginx:1.27.3')))).toBe('pod/web unchanged\n')
      expect(await run(['diff', '-f', '-'], manifest('nginx:1.27.3'))).toMatchObject({ code: 0, stdout: '' })
      const changed = await run(['diff', '-f', '-'], manifest('nginx:1.27.4'))
      expect(changed.code, changed.stderr).toBe(1)
      expect(changed.stdout).toMatch(/^-\s+(- )?image: nginx:1\.27\.3$/m)
      expect(changed.stdout).toMatch(/^\+\s+(- )?image: nginx:1\.27\.4$/m)
    })

    it('explain describes a nested field', async () => {
      const out = ok(await run(['explain', 'pods.spec.containers.image']))
      expect(out).toMatch(/^KIND:\s+Pod$/m)
      expect(out).toMatch(/FIELD:\s+image/)
      expect(out).toContain('Container image name.')
    })

    it('exec prints output and propagates exit codes', async () => {
      expect(await run(['exec', 'web', '--', 'cat', '/run/nginx.pid'])).toEqual({ stdout: '1\n', stderr: '', code: 0 })
      const failed = await run(['exec', 'web', '--', 'sh', '-c', 'echo oops >&2; exit 3'])
      expect(failed.code).toBe(3)
      expect(failed.stderr).toBe('oops\ncommand terminated with exit code 3\n')
    })

    it('exec -i pipes stdin', async () => {
      expect(await run(['exec', '-i', 'web', '--', 'wc', '-l'], 'a\nb\n')).toMatchObject({ stdout: '2\n', code: 0 })
    })

    it('exec -it runs an interactive shell on a terminal', async () => {
      const steps = [{ send: '', until: 'root@web:/# ' }, { send: 'echo $((6*7))\r', until: '# ' }, { send: 'exit 5\r' }]
      const { output, code } = await onTerminal(km, ['exec', '-it', 'web', '--', '/bin/bash'], steps, { binary: binary! })
      expect(output.split('\r\n').slice(0, 2)).toEqual(['root@web:/# echo $((6*7))', '42'])
      expect(code).toBe(5)
    }, 60_000)

    it('cp copies both ways', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'kubemock-compat-'))
      try {
        writeFileSync(join(dir, 'page.html'), `<h1>kubectl ${version}</h1>\n`)
        expect(await run(['cp', join(dir, 'page.html'), 'web:/usr/share/nginx/html/page.html'])).toMatchObject({ code: 0, stderr: '' })
        expect(ok(await run(['exec', 'web', '--', 'cat', '/usr/share/nginx/html/page.html']))).toBe(`<h1>kubectl ${version}</h1>\n`)
        // The whole result, so a failure shows kubectl's stderr.
        expect(await run(['cp', 'web:/usr/share/nginx/html/page.html', join(dir, 'back.html')])).toMatchObject({ code: 0 })
        expect(readFileSync(join(dir, 'back.html'), 'utf8')).toBe(`<h1>kubectl ${version}</h1>\n`)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })

    it('attach streams the main process output', async () => {
      const attach = km.kubectlBackground(['attach', 'web'], { timeoutMs: 30_000 })
      try {
        // Until attach is connected, nginx's lines go nowhere: ask again until one shows up.
        await eventually('an access line through attach', async () => {
          expect(ok(await run(['get', '--raw', '/api/v1/namespaces/default/pods/web/proxy/']))).toContain('Welcome to nginx!')
          return /"GET \/ HTTP\/1\.1" 200 \d+/.test(attach.stdout()) ? true : undefined
        })
      } finally {
        await attach.stop()
      }
    }, 30_000)

    it('port-forward serves the pod port locally', async () => {
      const pf = km.kubectlBackground(['port-forward', 'pod/web', ':80'], { timeoutMs: 30_000 })
      try {
        const out = await pf.waitForStdout(/Forwarding from 127\.0\.0\.1:(\d+) -> 80/, 10_000)
        const port = Number(/127\.0\.0\.1:(\d+)/.exec(out)![1])
        const res = await fetch(`http://127.0.0.1:${port}/`)
        expect(res.status).toBe(200)
        expect(res.headers.get('server')).toBe('nginx/1.27.3')
        expect(await res.text()).toContain('Welcome to nginx!')
      } finally {
        await pf.stop()
      }
    }, 30_000)
  })
}
