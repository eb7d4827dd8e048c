import { onTerminal } from '../helpers/pty.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { parseTable } from '../helpers/parse-table.js'
import { eventually } from '../helpers/expect-kubectl.js'

describe('tutorial §1: container self-healing', () => {
  let km: Kubemock
  beforeAll(async () => {
    km = await startKubemock()
    const run = await km.kubectl(['run', 'nginx-pod', '--image=nginx:1.15.12'])
    expect(run.stdout).toBe('pod/nginx-pod created\n')
    await eventually('nginx-pod Running', async () => {
      const { rows } = parseTable((await km.kubectl(['get', 'pod', 'nginx-pod'])).stdout)
      return rows[0]?.STATUS === 'Running' ? true : undefined
    })
  }, 30_000)
  afterAll(async () => {
    await km?.stop()
  })

  let firstListing = ''

  it('1-3: a shell in the pod, nginx is PID 1, the pid file shows the start time', async () => {
    const r = await onTerminal(
      km,
      ['exec', '-it', 'nginx-pod', '--', '/bin/bash'],
      [
        { send: '', until: 'root@nginx-pod:/# ' },
        { send: 'cat /run/nginx.pid\r', until: '# ' },
        { send: 'ls -l /run/nginx.pid\r', until: '# ' },
        { send: 'exit\r' },
      ],
    )
    expect(r.code).toBe(0)
    const lines = r.output.split('\r\n')
    expect(lines[0]).toBe('root@nginx-pod:/# cat /run/nginx.pid')
    expect(lines[1]).toBe('1')
    expect(lines[2]).toBe('root@nginx-pod:/# ls -l /run/nginx.pid')
    expect(lines[3]).toMatch(/^-rw-r--r-- 1 root root 2 [A-Z][a-z]{2} [ \d]\d \d\d:\d\d \/run\/nginx\.pid$/)
    firstListing = lines[3]
  }, 60_000)

  const page = async () => (await km.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/nginx-pod/proxy/'])).stdout

  it('4: the page answers (through the pod proxy, as the curl loop would see it)', async () => {
    expect(await page()).toContain('<title>Welcome to nginx!</title>')
  })

  it('5: kill 1 ends the shell session (exit 137) and the kubelet restarts the container (RESTARTS 1)', async () => {
    // Let a simulated minute pass so the new process's pid-file time differs at ls -l precision.
    const adv = await fetch(`${km.url}/kubemock/v1/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"seconds":61}' })
    expect(adv.status).toBe(200)
    const r = await onTerminal(
      km,
      ['exec', '-it', 'nginx-pod', '--', '/bin/bash'],
      [
        { send: '', until: 'root@nginx-pod:/# ' },
        { send: 'kill 1\r', until: 'exit code 137' },
      ],
    )
    expect(r.output).toBe('root@nginx-pod:/# kill 1\r\ncommand terminated with exit code 137\r\n')
    expect(r.code).toBe(137)
    const row = await eventually('RESTARTS 1', async () => {
      const { rows } = parseTable((await km.kubectl(['get', 'pod', 'nginx-pod'])).stdout)
      return rows[0]?.RESTARTS.startsWith('1') && rows[0].STATUS === 'Running' ? rows[0] : undefined
    })
    expect(row.READY).toBe('1/1')
    expect(row.RESTARTS).toMatch(/^1 \(\d+s ago\)$/)
    const last = JSON.parse((await km.kubectl(['get', 'pod', 'nginx-pod', '-o', 'jsonpath={.status.containerStatuses[0].lastState.terminated}'])).stdout)
    expect(last).toMatchObject({ exitCode: 0, reason: 'Completed' })
    expect(await page()).toContain('<title>Welcome to nginx!</title>')
  }, 60_000)

  it('6: a new shell shows a newer pid file: a new process', async () => {
    const r = await onTerminal(
      km,
      ['exec', '-it', 'nginx-pod', '--', '/bin/bash'],
      [{ send: '', until: 'root@nginx-pod:/# ' }, { send: 'cat /run/nginx.pid; ls -l /run/nginx.pid\r', until: '# ' }, { send: 'exit\r' }],
    )
    const lines = r.output.split('\r\n')
    expect(lines[1]).toBe('1')
    expect(lines[2]).toMatch(/^-rw-r--r-- 1 root root 2 [A-Z][a-z]{2} [ \d]\d \d\d:\d\d \/run\/nginx\.pid$/)
    expect(lines[2]).not.toBe(firstListing)
    const time = (l: string) => l.slice(l.indexOf(' 2 ') + 3, l.indexOf(' /run'))
    expect(Date.parse(`${time(lines[2])} 2000`) > Date.parse(`${time(firstListing)} 2000`) || time(lines[2]).startsWith('Jan')).toBe(true)
  }, 60_000)
})
