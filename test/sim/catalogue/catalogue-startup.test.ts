/** @module catalogue-startup.test: catalogue images started by the kubelet — golden start-up logs (testdata/<case>.output.txt; UPDATE_GOLDEN=1 rewrites), entrypoint checks, exec'd binaries and files. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { connectPort, imageServer, serveHTTP } from '../../../src/sim/containers/http.js'
import { processesFor } from '../../../src/sim/containers/processes.js'
import { runtimeFor } from '../../../src/sim/containers/runtime.js'
import { CatalogueHarness } from './catalogue-harness.js'

const update = process.env.UPDATE_GOLDEN === '1'
const golden = (name: string, text: string) => {
  const file = new URL(`./testdata/${name}.output.txt`, import.meta.url)
  if (update || !existsSync(file)) writeFileSync(file, text)
  expect(text).toBe(readFileSync(file, 'utf8'))
}

let h: CatalogueHarness
beforeAll(async () => {
  h = await CatalogueHarness.open()
})
afterAll(() => h.close())

const env = (vars: Record<string, string>) => Object.entries(vars).map(([name, value]) => ({ name, value }))

describe('golden start-up logs', () => {
  test.each([
    ['postgres-16', 'postgres:16', { POSTGRES_PASSWORD: 'x' }],
    ['postgres-16-nopassword', 'postgres:16', {}],
    ['mysql-8', 'mysql:8', { MYSQL_ROOT_PASSWORD: 'x' }],
    ['mysql-8-nopassword', 'mysql:8', {}],
    ['redis-7', 'redis:7', {}],
    ['mongo-7', 'mongo:7', {}],
    ['rabbitmq-3', 'rabbitmq:3', {}],
    ['bitnami-postgresql-nopassword', 'bitnami/postgresql:17', {}],
  ])('%s', async (name, image, vars) => {
    const pod = await h.start(name, { image, env: env(vars) })
    golden(name, `${pod.logs().join('\n')}\n`)
  })
})

describe('entrypoint checks: one fact for the exit and the log', () => {
  test('postgres without POSTGRES_PASSWORD exits 1 and crash-loops; with it (or trust) it runs', async () => {
    const bad = await h.start('pg-bad', { image: 'postgres:16' }, 15_000)
    const cs = bad.pod().status!.containerStatuses![0]
    expect(cs.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' })
    expect(cs.state?.waiting?.reason).toBe('CrashLoopBackOff')
    expect(cs.restartCount).toBeGreaterThanOrEqual(1)
    expect(bad.logs()[0]).toBe('Error: Database is uninitialized and superuser password is not specified.')
    const trust = await h.start('pg-trust', { image: 'postgres:16-alpine', env: env({ POSTGRES_HOST_AUTH_METHOD: 'trust' }) })
    expect(trust.pod().status!.containerStatuses![0].state?.running).toBeDefined()
    expect(trust.logs().at(-1)).toMatch(/ \[1\] LOG: {2}database system is ready to accept connections$/)
    expect(trust.logs()).toContainEqual(expect.stringContaining('starting PostgreSQL 16.10 on x86_64-pc-linux-musl'))
  })

  test('the password may come from a Secret (secretKeyRef), as charts pass it', async () => {
    const reg = h.cluster.registry
    await reg.resource('', 'secrets').create('default', { metadata: { name: 'db' }, data: { pw: Buffer.from('s3cret').toString('base64') } } as never)
    await reg.resource('', 'pods').create('default', {
      metadata: { name: 'pg-secret' },
      spec: {
        nodeName: 'kubemock-worker',
        containers: [{ name: 'c', image: 'postgres:15', env: [{ name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'pw' } } }] }],
      },
    } as never)
    await h.advance(3000)
    const pod = reg.resource('', 'pods').getStored('default', 'pg-secret')!.obj as unknown as {
      status: { containerStatuses: { state: object; restartCount: number }[] }
    }
    expect(pod.status.containerStatuses[0]).toMatchObject({ state: { running: {} }, restartCount: 0 })
  })

  test('a restart with PGDATA on a volume skips initdb and recovers; without a volume the fresh layer runs initdb again', async () => {
    const reg = h.cluster.registry
    const pod = (name: string, volume: boolean) => ({
      metadata: { name },
      spec: {
        nodeName: 'kubemock-worker',
        ...(volume ? { volumes: [{ name: 'data', emptyDir: {} }] } : {}),
        containers: [
          {
            name: 'c',
            image: 'postgres:16',
            env: env({ POSTGRES_PASSWORD: 'x' }),
            ...(volume ? { volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }] } : {}),
          },
        ],
      },
    })
    await reg.resource('', 'pods').create('default', pod('pg-vol', true) as never)
    await reg.resource('', 'pods').create('default', pod('pg-novol', false) as never)
    await h.advance(3000)
    h.cluster.sim.exitContainer!('default', 'pg-vol', 'c', 137, 'Error')
    h.cluster.sim.exitContainer!('default', 'pg-novol', 'c', 137, 'Error')
    await h.advance(3000)
    const rt = runtimeFor(reg)
    const logs = (name: string) => rt.logs(rt.current('default', name)!.containerID).lines.map((l) => l.text)
    expect(rt.current('default', 'pg-vol')).toMatchObject({ restartCount: 1, running: true })
    expect(logs('pg-vol').slice(0, 3)).toEqual(['', 'PostgreSQL Database directory appears to contain a database; Skipping initialization', ''])
    expect(logs('pg-vol')).toContainEqual(expect.stringMatching(/ \[29\] LOG: {2}database system was not properly shut down; automatic recovery in progress$/))
    expect(logs('pg-vol').at(-1)).toMatch(/ \[1\] LOG: {2}database system is ready to accept connections$/)
    expect(rt.current('default', 'pg-novol')?.restartCount).toBe(1)
    expect(logs('pg-novol')[0]).toBe('The files belonging to this database system will be owned by user "postgres".')
  })

  test('a pod command replaces the entrypoint: no check, no server lines', async () => {
    const pod = await h.start('pg-sleep', { image: 'postgres:16', command: ['sleep', 'infinity'] })
    expect(pod.pod().status!.containerStatuses![0].state?.running).toBeDefined()
    expect(pod.logs()).toEqual([])
  })

  test('haproxy without a mounted haproxy.cfg exits 1 with its ALERT; with a ConfigMap at /usr/local/etc/haproxy it runs', async () => {
    const bare = await h.start('hap', { image: 'haproxy:3.2' }, 15_000)
    expect(bare.pod().status!.containerStatuses![0].lastState?.terminated?.exitCode).toBe(1)
    expect(bare.logs().at(-1)).toBe(
      '[ALERT]    (1) : config : Cannot open configuration file/directory /usr/local/etc/haproxy/haproxy.cfg : No such file or directory',
    )
    const reg = h.cluster.registry
    await reg.resource('', 'configmaps').create('default', { metadata: { name: 'hap' }, data: { 'haproxy.cfg': 'global\n' } } as never)
    await reg.resource('', 'pods').create('default', {
      metadata: { name: 'hap-cfg' },
      spec: {
        nodeName: 'kubemock-worker',
        volumes: [{ name: 'cfg', configMap: { name: 'hap' } }],
        containers: [{ name: 'c', image: 'haproxy:3.2', volumeMounts: [{ name: 'cfg', mountPath: '/usr/local/etc/haproxy' }] }],
      },
    } as never)
    await h.advance(3000)
    const rt = runtimeFor(reg)
    const inst = rt.current('default', 'hap-cfg')!
    expect(inst).toMatchObject({ running: true, restartCount: 0 })
    expect(rt.logs(inst.containerID).lines.at(-1)?.text).toBe('[NOTICE]   (1) : Loading success.')
  })

  test('mariadb and bitnami/redis check their own variables', async () => {
    const maria = await h.start('maria', { image: 'mariadb:11.4' }, 15_000)
    expect(maria.pod().status!.containerStatuses![0].lastState?.terminated?.exitCode).toBe(1)
    expect(maria.logs()).toContainEqual(expect.stringMatching(/\[ERROR\] \[Entrypoint\]: Database is uninitialized and password option is not specified$/))
    const br = await h.start('bredis', { image: 'bitnami/redis:7.4', env: env({ ALLOW_EMPTY_PASSWORD: 'yes' }) })
    expect(br.logs().at(-1)).toMatch(/^1:M .* \* Ready to accept connections tcp$/)
  })
})

describe('what exec, the ports and the HTTP answers see', () => {
  test('binaries print their versions; files of the base distro', async () => {
    const pg = await h.start('pg-exec', { image: 'postgres:17', env: env({ POSTGRES_PASSWORD: 'x' }) })
    const sh = (line: string) => h.sh(pg.inst()!, line)
    expect((await sh('postgres --version')).out).toBe('postgres (PostgreSQL) 17.6 (Debian 17.6-1.pgdg120+1)\n')
    expect((await sh('cat $PGDATA/PG_VERSION')).out).toBe('17\n')
    expect((await sh('grep PRETTY_NAME /etc/os-release')).out).toBe('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')
    expect((await sh('psql --version')).out).toBe('psql (PostgreSQL) 17.6 (Debian 17.6-1.pgdg120+1)\n')
    const r = await h.start('redis-exec', { image: 'redis:7-alpine' })
    expect((await h.sh(r.inst()!, 'redis-cli ping')).out).toBe('PONG\n')
    expect((await h.sh(r.inst()!, 'grep PRETTY /etc/os-release')).out).toBe('PRETTY_NAME="Alpine Linux v3.22"\n')
    const n = await h.start('node-exec', { image: 'node:22', command: ['sleep', '3600'] })
    expect((await h.sh(n.inst()!, 'node --version && npm --version')).out).toBe('v22.18.0\n10.9.3\n')
  })

  test('ports: postgres 5432 is TCP but not HTTP, redis answers RESP PING with +PONG', async () => {
    const pg = await h.start('pg-port', { image: 'postgres:16', env: env({ POSTGRES_PASSWORD: 'x' }) })
    expect(connectPort(pg.inst(), 5432)).toBe('not-http')
    expect(connectPort(pg.inst(), 80)).toBe('refused')
    const r = await h.start('redis-port', { image: 'redis:7' })
    const wire = imageServer(r.inst()!)!.wire!
    expect(wire('PING\r\n', r.inst()!)).toBe('+PONG\r\n')
    // The server images ship no curl; curlimages/curl reaches them by pod IP.
    expect((await h.sh(r.inst()!, 'curl localhost:6379')).out).toBe('bash: line 1: curl: command not found\n')
    const c = await h.start('curl', { image: 'curlimages/curl:8.15.0', command: ['sleep', 'infinity'] })
    expect(await h.sh(c.inst()!, `curl http://${r.inst()!.podIP}:6379/`)).toEqual({ out: 'curl: (1) Received HTTP/0.9 when not allowed\n', code: 1 })
    expect(await h.sh(c.inst()!, `curl -sS http://${pg.inst()!.podIP}:5432/`)).toEqual({ out: 'curl: (52) Empty reply from server\n', code: 52 })
    expect((await h.sh(c.inst()!, `curl -s http://${pg.inst()!.podIP}:5433/`)).code).toBe(7)
    expect(wire('GET / HTTP/1.1\r\n', r.inst()!)).toBe("-ERR wrong number of arguments for 'get' command\r\n")
    expect(wire('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n', r.inst()!)).toBe('+OK\r\n$1\r\nv\r\n')
  })

  test('redis with --requirepass: NOAUTH until AUTH on that connection, WRONGPASS for a bad password; redis-cli -a', async () => {
    const r = await h.start('redis-auth', { image: 'redis:7', args: ['--requirepass', 'pw'] })
    const wire = imageServer(r.inst()!)!.wire!
    const conn = {}
    expect(wire('PING\r\n', r.inst()!, conn)).toBe('-NOAUTH Authentication required.\r\n')
    expect(wire('AUTH nope\r\n', r.inst()!, conn)).toBe('-WRONGPASS invalid username-password pair or user is disabled.\r\n')
    expect(wire('AUTH pw\r\n', r.inst()!, conn)).toBe('+OK\r\n')
    expect(wire('PING\r\n', r.inst()!, conn)).toBe('+PONG\r\n')
    expect(wire('PING\r\n', r.inst()!, {})).toBe('-NOAUTH Authentication required.\r\n')
    expect((await h.sh(r.inst()!, 'redis-cli ping')).out).toBe('(error) NOAUTH Authentication required.\n')
    expect((await h.sh(r.inst()!, 'redis-cli -a pw ping')).out).toBe(
      "PONG\nWarning: Using a password with '-a' or '-u' option on the command line interface may not be safe.\n",
    )
    expect(r.logs().at(-1)).toMatch(/\* Ready to accept connections tcp$/)
  })

  test('HTTP: grafana redirects to /login, prometheus is healthy, elasticsearch wants credentials unless security is off, rabbitmq management on 15672 only', async () => {
    const get = (path: string) => ({ method: 'GET', path, headers: { host: 'x' } })
    const g = await h.start('grafana', { image: 'grafana/grafana:12.1.1' })
    expect(serveHTTP(g.inst()!, get('/'))).toMatchObject({ status: 302, headers: { Location: '/login' } })
    expect(serveHTTP(g.inst()!, get('/login'))?.body).toContain('<title>Grafana</title>')
    const p = await h.start('prom', { image: 'prom/prometheus:v3.5.0' })
    expect(serveHTTP(p.inst()!, get('/-/healthy'))?.body).toBe('Prometheus Server is Healthy.\n')
    expect(serveHTTP(p.inst()!, get('/'))).toMatchObject({ status: 302, headers: { Location: '/query' } })
    const es = await h.start('es', { image: 'elasticsearch:8.19.2', env: env({ 'discovery.type': 'single-node', 'xpack.security.enabled': 'false' }) })
    expect(JSON.parse(serveHTTP(es.inst()!, get('/'))!.body)).toMatchObject({ version: { number: '8.19.2' }, tagline: 'You Know, for Search' })
    const es2 = await h.start('es2', { image: 'elasticsearch:8.19.2' })
    expect(serveHTTP(es2.inst()!, get('/'))?.status).toBe(401)
    const mq = await h.start('mq', { image: 'rabbitmq:3-management' })
    expect(connectPort(mq.inst(), 15672)).toBe('http')
    expect(connectPort(mq.inst(), 5672)).toBe('not-http')
    expect(serveHTTP(mq.inst()!, get('/'))?.body).toContain('<title>RabbitMQ Management</title>')
    const plain = await h.start('mq-plain', { image: 'rabbitmq:3' })
    expect(connectPort(plain.inst(), 15672)).toBe('refused')
  })

  test('shell and language images: CMD exits 0 at once (Completed, then CrashLoopBackOff); a command keeps them running', async () => {
    const u = await h.start('ubuntu', { image: 'ubuntu:24.04' }, 15_000)
    expect(u.pod().status!.containerStatuses![0].lastState?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' })
    const py = await h.start('py', { image: 'python:3.12', args: ['sleep', 'infinity'] })
    expect(py.pod().status!.containerStatuses![0]).toMatchObject({ state: { running: {} }, restartCount: 0 })
    expect((await h.sh(py.inst()!, 'python3 --version')).out).toBe('Python 3.12.11\n')
    expect(processesFor(h.cluster.registry, py.inst()!).get(1)?.command).toBe('sleep infinity')
    const ag = await h.start('agnhost', { image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', args: ['netexec', '--http-port=8080'] })
    expect(ag.pod().status!.containerStatuses![0]).toMatchObject({ state: { running: {} }, restartCount: 0 })
    expect(processesFor(h.cluster.registry, ag.inst()!).get(1)?.command).toBe('/agnhost netexec --http-port=8080')
    expect(serveHTTP(ag.inst()!, { method: 'GET', path: '/hostname', headers: {} })?.body).toBe('agnhost')
    const d = await h.start('deb', { image: 'debian:bookworm', command: ['sleep', 'infinity'] })
    expect((await h.sh(d.inst()!, 'cat /etc/debian_version')).out).toBe('12.11\n')
  })
})
