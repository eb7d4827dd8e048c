/** @module images.test (e2e): real kubectl against catalogue images — postgres and redis start-up logs, postgres' password check crash-looping, a missing tag, exec'd versions, RESP through port-forward. */
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from '../helpers/expect-kubectl.js'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { parseTable } from '../helpers/parse-table.js'

describe('the image catalogue through kubectl', () => {
  let km: Kubemock
  const status = async (pod: string) => {
    const { rows } = parseTable((await km.kubectl(['get', 'pod', pod])).stdout)
    return rows[0]?.STATUS
  }

  beforeAll(async () => {
    km = await startKubemock()
    for (const args of [
      ['run', 'pg', '--image=postgres:16', '--env=POSTGRES_PASSWORD=x'],
      ['run', 'pg-nopass', '--image=postgres:16'],
      ['run', 'r', '--image=redis:7'],
      ['run', 'pg-missing', '--image=postgres:16.99'],
    ])
      expect((await km.kubectl(args)).stdout).toBe(`pod/${args[1]} created\n`)
  })
  afterAll(async () => {
    await km?.stop()
  })

  it('postgres:16 with POSTGRES_PASSWORD runs; its logs are initdb, the temporary server, then the real one ready', async () => {
    await eventually('pg Running', async () => ((await status('pg')) === 'Running' ? true : undefined))
    const logs = (await km.kubectl(['logs', 'pg'])).stdout
    const lines = logs.trimEnd().split('\n')
    expect(lines[0]).toBe('The files belonging to this database system will be owned by user "postgres".')
    expect(logs).toContain('fixing permissions on existing directory /var/lib/postgresql/data ... ok\n')
    expect(logs).toContain('PostgreSQL init process complete; ready for start up.\n')
    expect(logs).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC \[1\] LOG: {2}starting PostgreSQL 16\.10 \(Debian 16\.10-1\.pgdg120\+1\) on x86_64-pc-linux-gnu/m,
    )
    expect(logs).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC \[1\] LOG: {2}listening on IPv4 address "0\.0\.0\.0", port 5432$/m)
    expect(lines.at(-1)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC \[1\] LOG: {2}database system is ready to accept connections$/)
    const version = await km.kubectl(['exec', 'pg', '--', 'postgres', '--version'])
    expect(version.stdout).toBe('postgres (PostgreSQL) 16.10 (Debian 16.10-1.pgdg120+1)\n')
  })

  it('postgres:16 without a password exits 1 with the entrypoint message and crash-loops', async () => {
    await eventually('pg-nopass CrashLoopBackOff', async () => ((await status('pg-nopass')) === 'CrashLoopBackOff' ? true : undefined))
    const logs = await km.kubectl(['logs', 'pg-nopass'])
    expect(logs.stdout).toBe(
      [
        'Error: Database is uninitialized and superuser password is not specified.',
        '       You must specify POSTGRES_PASSWORD to a non-empty value for the',
        '       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".',
        '',
        '       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all',
        '       connections without a password. This is *not* recommended.',
        '',
        '       See PostgreSQL documentation about "trust":',
        '       https://www.postgresql.org/docs/current/auth-trust.html',
        '',
      ].join('\n'),
    )
    const term = JSON.parse((await km.kubectl(['get', 'pod', 'pg-nopass', '-o', 'jsonpath={.status.containerStatuses[0].lastState.terminated}'])).stdout)
    expect(term).toMatchObject({ exitCode: 1, reason: 'Error' })
  })

  it('redis:7 logs "Ready to accept connections tcp" and answers PING with +PONG through port-forward', async () => {
    await eventually('r Running', async () => ((await status('r')) === 'Running' ? true : undefined))
    const logs = (await km.kubectl(['logs', 'r'])).stdout
    expect(logs).toMatch(/^1:C \d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3} \* Redis version=7\.4\.5, bits=64/m)
    expect(logs.trimEnd().split('\n').at(-1)).toMatch(/^1:M \d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3} \* Ready to accept connections tcp$/)
    expect((await km.kubectl(['exec', 'r', '--', 'redis-cli', 'ping'])).stdout).toBe('PONG\n')
    // The apiserver's proxy speaks HTTP to it: Go reads redis' error reply as the status line.
    const proxied = await km.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/r:6379/proxy/'])
    expect(proxied.stderr).toBe(
      `Error from server (ServiceUnavailable): error trying to reach service: net/http: HTTP/1.x transport connection broken: malformed HTTP response "-ERR wrong number of arguments for 'get' command"\n`,
    )
    const pf = km.kubectlBackground(['port-forward', 'pod/r', ':6379'], { timeoutMs: 30_000 })
    try {
      const out = await pf.waitForStdout(/Forwarding from 127\.0\.0\.1:(\d+) -> 6379/, 10_000)
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(out)![1])
      const reply = await new Promise<string>((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () => s.write('*1\r\n$4\r\nPING\r\n'))
        s.once('data', (d) => {
          resolve(d.toString())
          s.destroy()
        })
        s.once('error', reject)
      })
      expect(reply).toBe('+PONG\r\n')
    } finally {
      await pf.stop()
    }
  })

  it('a tag the registry does not have fails to pull with the containerd text', async () => {
    await eventually('pg-missing pull failure', async () => ((await status('pg-missing'))?.match(/^(ErrImagePull|ImagePullBackOff)$/) ? true : undefined))
    const events = (
      await km.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=pg-missing', '-o', 'jsonpath={range .items[*]}{.message}{"\\n"}{end}'])
    ).stdout
    expect(events).toContain(
      'Failed to pull image "postgres:16.99": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/postgres:16.99": failed to resolve reference "docker.io/library/postgres:16.99": docker.io/library/postgres:16.99: not found',
    )
  })
})
