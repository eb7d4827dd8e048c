import { onTerminal as onPty, type PtyStep } from '../helpers/pty.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from '../helpers/expect-kubectl.js'
import { kubectlBinary, startKubemock, type Kubemock } from '../helpers/kubemock-process.js'

const pod = `
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27.3
`

describe('kubectl debug', () => {
  let km: Kubemock

  const onTerminal = (args: string[], steps: PtyStep[]) => onPty(km, args, steps)

  /** The output between typing `cmd` and the next prompt. */
  function answer(output: string, cmd: string): string {
    const start = output.indexOf(`/ # ${cmd}\r\n`)
    if (start < 0) return ''
    const rest = output.slice(start + cmd.length + 6)
    return rest.slice(0, rest.indexOf('/ # '))
  }

  beforeAll(async () => {
    km = await startKubemock()
    expect((await km.kubectl(['apply', '-f', '-'], { input: pod })).code).toBe(0)
    await eventually('web running', async () =>
      (await km.kubectl(['get', 'pod', 'web', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running' ? true : undefined,
    )
  }, 30_000)
  afterAll(async () => {
    await km?.stop()
  })

  it('-it --target: a shell in the target container`s process namespace', async () => {
    const r = await onTerminal(
      ['debug', 'web', '-it', '--image=busybox:1.36', '--target=nginx'],
      [
        { send: '', until: '/ # ', seconds: 20 },
        { send: 'ps\r', until: 'ps\r\n/ # ', seconds: 5 },
        { send: 'exit\r', seconds: 5 },
      ],
    )
    const name = /Defaulting debug container name to (debugger-[a-z0-9]{5})\./.exec(r.output)?.[1]
    expect(name, r.output).toBeDefined()
    expect(r.output).toContain(
      'Targeting container "nginx". If you don\'t see processes from this container it may be because the container runtime doesn\'t support this feature.',
    )
    expect(r.output).toContain("If you don't see a command prompt, try pressing enter.")
    const ps = answer(r.output, 'ps').split('\r\n')
    expect(ps[0]).toBe('PID   USER     TIME  COMMAND')
    expect(ps[1]).toBe('    1 root      0:00 nginx: master process nginx -g daemon off;')
    expect(ps.filter((l) => / nginx +0:00 nginx: worker process$/.test(l))).toHaveLength(4)
    expect(ps.filter((l) => / root +0:00 sh$/.test(l))).toHaveLength(1)
    expect(ps.filter((l) => / root +0:00 ps$/.test(l))).toHaveLength(1)
    expect(r.output).toContain(
      `Session ended, the ephemeral container will not be restarted but may be reattached using 'kubectl attach web -c ${name} -i -t' if it is still running`,
    )
    expect(r.code).toBe(0)

    // The shell was the container's main process: exiting it ended the container, for good.
    await eventually('debugger terminated', async () => {
      const out = (await km.kubectl(['get', 'pod', 'web', '-o', 'jsonpath={.status.ephemeralContainerStatuses}'])).stdout
      const statuses = JSON.parse(out || '[]') as { name: string; state: { terminated?: { exitCode: number; reason: string } } }[]
      return statuses[0]?.state.terminated ? statuses : undefined
    }).then((statuses) => {
      expect(statuses).toEqual([expect.objectContaining({ name, ready: false, restartCount: 0, image: 'docker.io/library/busybox:1.36', lastState: {} })])
      expect(statuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' })
    })
    // On a tty, what the shell wrote is the container's log.
    const logs = (await km.kubectl(['logs', 'web', '-c', name!])).stdout
    expect(logs).toContain('/ # ps\n')
    expect(logs).toContain('    1 root      0:00 nginx: master process nginx -g daemon off;\n')
    expect(logs).toContain('/ # exit\n')
    const events = (
      await km.kubectl([
        'get',
        'events',
        '--field-selector',
        `involvedObject.fieldPath=spec.ephemeralContainers{${name}}`,
        '-o',
        'jsonpath={range .items[*]}{.reason}{"\\n"}{end}',
      ])
    ).stdout
    expect(events.trim().split('\n')).toEqual(['Pulling', 'Pulled', 'Created', 'Started'])
    expect((await km.kubectl(['get', 'pod', 'web', '-o', 'jsonpath={.status.containerStatuses[0].state.running.startedAt}'])).stdout).not.toBe('')
  }, 60_000)

  it('--copy-to --share-processes: a copy pod that schedules, runs and attaches; PID 1 is /pause', async () => {
    const r = await onTerminal(
      ['debug', 'web', '-it', '--copy-to=web-copy', '--image=busybox:1.36', '--share-processes'],
      [
        { send: '', until: '/ # ', seconds: 20 },
        { send: 'ps\r', until: 'ps\r\n/ # ', seconds: 5 },
        { send: 'hostname\r', until: 'hostname\r\n/ # ', seconds: 5 },
        { send: 'exit\r', seconds: 5 },
      ],
    )
    const ps = answer(r.output, 'ps').split('\r\n')
    expect(ps[1]).toBe('    1 65535     0:00 /pause')
    expect(ps).toContain('    2 root      0:00 nginx: master process nginx -g daemon off;')
    expect(answer(r.output, 'hostname')).toBe('web-copy\r\n')
    expect(r.output).toMatch(/Session ended, resume using 'kubectl attach web-copy -c debugger-[a-z0-9]{5} -i -t' command when the pod is running/)
    const spec = JSON.parse((await km.kubectl(['get', 'pod', 'web-copy', '-o', 'jsonpath={.spec}'])).stdout)
    expect(spec.shareProcessNamespace).toBe(true)
    expect(spec.containers.map((c: { name: string }) => c.name)).toEqual(['nginx', expect.stringMatching(/^debugger-/)])
  }, 60_000)

  it('--copy-to --set-image and --container: the copy runs the new image', async () => {
    const set = await km.kubectl(['debug', 'web', '--copy-to=web-set', '--set-image=nginx=nginx:1.25.5'])
    expect(set.code, set.stderr).toBe(0)
    expect((await km.kubectl(['get', 'pod', 'web-set', '-o', 'jsonpath={.spec.containers[*].image}'])).stdout).toBe('nginx:1.25.5')
    const r = await onTerminal(
      ['debug', 'web', '-it', '--copy-to=web-sh', '--container=nginx', '--image=busybox:1.36', '--', 'sh'],
      [
        { send: '', until: '/ # ', seconds: 20 },
        { send: 'echo $((6*7))\r', until: '42', seconds: 5 },
        { send: 'exit\r', seconds: 5 },
      ],
    )
    expect(r.output).toContain('42\r\n')
    expect((await km.kubectl(['get', 'pod', 'web-sh', '-o', 'jsonpath={.spec.containers[*].image}'])).stdout).toBe('busybox:1.36')
  }, 60_000)

  it('node/NAME: the node`s hostname, host PID namespace and root file system at /host', async () => {
    const r = await onTerminal(
      ['debug', 'node/kubemock-worker', '-it', '--image=busybox:1.36', '--profile=general'],
      [
        { send: '', until: '/ # ', seconds: 20 },
        { send: 'hostname\r', until: 'hostname\r\n', seconds: 5 },
        { send: 'ps\r', until: 'ps\r\n', seconds: 5 },
        { send: 'cat /host/etc/os-release\r', until: 'bugs.debian.org', seconds: 5 },
        { send: 'ls /host/etc/kubernetes\r', until: 'pki', seconds: 5 },
        { send: 'exit\r', seconds: 5 },
      ],
    )
    const pod = /Creating debugging pod (node-debugger-kubemock-worker-[a-z0-9]{5}) with container debugger on node kubemock-worker\./.exec(r.output)?.[1]
    expect(pod, r.output).toBeDefined()
    expect(answer(r.output, 'hostname')).toBe('kubemock-worker\r\n')
    const ps = answer(r.output, 'ps').split('\r\n')
    expect(ps[1]).toBe('    1 root      0:00 /sbin/init')
    expect(ps.some((l) => l.endsWith(' /usr/local/bin/containerd'))).toBe(true)
    expect(ps.some((l) => / \/usr\/bin\/kubelet .*--node-ip=172\.18\.0\.\d+ /.test(l))).toBe(true)
    // web runs on some worker; every node runs kube-proxy in its own sandbox.
    expect(ps.some((l) => l.includes('containerd-shim-runc-v2 -namespace k8s.io -id '))).toBe(true)
    expect(ps.some((l) => l.endsWith(' 65535     0:00 /pause'))).toBe(true)
    expect(answer(r.output, 'cat /host/etc/os-release')).toContain('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"')
    expect(answer(r.output, 'ls /host/etc/kubernetes').split(/\s+/).filter(Boolean)).toEqual(['kubelet.conf', 'manifests', 'pki'])
    const spec = JSON.parse((await km.kubectl(['get', 'pod', pod!, '-o', 'jsonpath={.spec}'])).stdout)
    expect(spec).toMatchObject({ nodeName: 'kubemock-worker', hostNetwork: true, hostPID: true, hostIPC: true })
    expect(spec.volumes[0]).toMatchObject({ hostPath: { path: '/' } })
  }, 60_000)

  it('--attach=false, then kubectl attach -it to the ephemeral container', async () => {
    const made = await km.kubectl(['debug', 'web', '--image=busybox:1.36', '-c', 'dbg2', '-it', '--attach=false', '--profile=general'])
    expect(made.code, made.stderr).toBe(0)
    await eventually('dbg2 running', async () => {
      const out = (await km.kubectl(['get', 'pod', 'web', '-o', 'jsonpath={.status.ephemeralContainerStatuses[?(@.name=="dbg2")].state.running.startedAt}']))
        .stdout
      return out ? true : undefined
    })
    const r = await onTerminal(
      ['attach', 'web', '-c', 'dbg2', '-it'],
      [
        { send: '', until: 'try pressing enter.', seconds: 10 },
        { send: '\r', until: '/ # ', seconds: 5 },
        { send: 'echo $((6*7))\r', until: '42', seconds: 5 },
        { send: 'exit\r', seconds: 5 },
      ],
    )
    expect(r.output).toContain('/ # echo $((6*7))\r\n42\r\n')
    expect(r.output).toContain(
      "Session ended, the ephemeral container will not be restarted but may be reattached using 'kubectl attach web -c dbg2 -i -t' if it is still running",
    )
    expect(r.code).toBe(0)
  }, 60_000)

  // .cache/clients/kubectl-1.20 comes from scripts/install-test-clients.sh.
  it.skipIf(!kubectlBinary('1.20'))('kubectl 1.20 (alpha debug) PUTs the old EphemeralContainers kind and gets the 1.32 decoder`s 400', async () => {
    const r = await km.kubectl(['alpha', 'debug', 'web', '--image=busybox:1.36'], { binary: kubectlBinary('1.20') })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(
      'error: error updating ephemeral containers: EphemeralContainers in version "v1" cannot be handled as a Pod: no kind "EphemeralContainers" is registered for version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30"',
    )
  })

  it('bad requests get the apiserver`s answers', async () => {
    const nf = await km.kubectl(['debug', 'ghost', '--image=busybox', '--profile=general'])
    expect(nf).toMatchObject({ stderr: 'Error from server (NotFound): pods "ghost" not found\n', code: 1 })
    const target = await km.kubectl(['debug', 'web', '--image=busybox', '--target=nope', '--profile=general'])
    expect(target.code).toBe(1)
    // The index depends on how many debuggers earlier tests added.
    expect(target.stderr).toMatch(/^The Pod "web" is invalid: spec\.ephemeralContainers\[\d\]\.targetContainerName: Not found: "nope"\n$/)
  })
})
