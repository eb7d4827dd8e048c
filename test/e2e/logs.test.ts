/** @module logs.test (e2e): real `kubectl logs` — access lines after a proxied request, --tail/--timestamps, -l, --previous after a restart, -f ending with the container. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { eventually } from '../helpers/expect-kubectl.js'

describe('kubectl logs', () => {
  let km: Kubemock
  const podJSON = async () =>
    JSON.parse((await km.kubectl(['get', 'pod', 'nginx-pod', '-o', 'json'])).stdout) as {
      status: { containerStatuses?: { restartCount: number; containerID?: string; state: { running?: object } }[] }
    }
  const running = async (restarts: number) => {
    const cs = (await podJSON()).status.containerStatuses?.[0]
    return cs?.state.running && cs.restartCount === restarts ? cs : undefined
  }
  const crash = async (exitCode: number) => {
    const res = await fetch(`${km.url}/kubemock/v1/namespaces/default/pods/nginx-pod/crash`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ exitCode }),
    })
    expect(res.status).toBe(200)
  }

  beforeAll(async () => {
    km = await startKubemock()
    expect((await km.kubectl(['run', 'nginx-pod', '--image=nginx:1.15.12', '--port=80'])).stdout).toBe('pod/nginx-pod created\n')
    await eventually('nginx-pod running', () => running(0))
  })
  afterAll(async () => {
    await km?.stop()
  })

  it('shows an access line for a request served through the pod proxy', async () => {
    const page = await km.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/nginx-pod/proxy/'])
    expect(page.stdout).toContain('<title>Welcome to nginx!</title>')
    const logs = await km.kubectl(['logs', 'nginx-pod'])
    expect(logs.code).toBe(0)
    expect(logs.stdout).toMatch(
      /^10\.244\.\d+\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/ HTTP\/1\.1" 200 612 "-" "kubectl\/v1\.32\.4 [^"]*" "127\.0\.0\.1"$/m,
    )
  })

  it('--tail and --timestamps: the last line with an RFC3339Nano prefix; -l fans out by label', async () => {
    const tail = await km.kubectl(['logs', 'nginx-pod', '--tail=1', '--timestamps'])
    expect(tail.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z 10\.244\.\d+\.1 - - .*"GET \/ HTTP\/1\.1" 200 612 .*\n$/)
    const byLabel = await km.kubectl(['logs', '-l', 'run=nginx-pod', '--tail=1'])
    expect(byLabel.stdout).toContain('"GET / HTTP/1.1" 200 612')
  })

  it('--previous: an error before any restart; after one, the old output, and the new instance starts afresh', async () => {
    const before = await km.kubectl(['logs', 'nginx-pod', '--previous'])
    expect(before.code).toBe(1)
    expect(before.stderr).toBe('Error from server (BadRequest): previous terminated container "nginx-pod" in pod "nginx-pod" not found\n')
    const old = (await running(0))!.containerID
    await crash(0)
    const now = await eventually('restart 1', () => running(1))
    expect(now.containerID).not.toBe(old)
    const prev = await km.kubectl(['logs', 'nginx-pod', '--previous'])
    expect(prev.stdout).toContain('"GET / HTTP/1.1" 200 612')
    const cur = await km.kubectl(['logs', 'nginx-pod'])
    expect(cur.stdout).not.toContain('"GET / HTTP/1.1" 200 612')
  })

  it('-f streams new lines and returns when the container exits', async () => {
    const follow = km.kubectlBackground(['logs', '-f', 'nginx-pod', '--tail=0'], { timeoutMs: 20_000 })
    // The follower is attached once a request shows up in its output.
    await eventually('the followed access line', async () => {
      await km.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/nginx-pod/proxy/followed'])
      return follow.stdout().includes('"GET /followed HTTP/1.1" 404') ? true : undefined
    })
    await crash(0)
    const done = await follow.done
    expect(done.timedOut).toBe(false)
    expect(done.code).toBe(0)
  })
})
