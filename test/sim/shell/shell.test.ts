/** @module shell.test: the simulated shell over a real (manual-clock) cluster's nginx and busybox containers. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { Cluster } from '../../../src/cluster.js'
import { fsFor } from '../../../src/sim/containers/fs.js'
import { processesFor } from '../../../src/sim/containers/processes.js'
import { runtimeFor, type ContainerInstance } from '../../../src/sim/containers/runtime.js'
import { parse, ShellSyntaxError } from '../../../src/sim/shell/parse.js'
import { Shell, ShellExit, type ShellFlavour } from '../../../src/sim/shell/shell.js'
import type { KubeObject } from '../../../src/types.js'
import { existsSync } from 'node:fs'

let cluster: Cluster

async function startPod(name: string, image: string, command?: string[]): Promise<ContainerInstance> {
  await cluster.registry.resource('', 'pods').create('default', {
    metadata: { name },
    spec: { nodeName: 'kubemock-worker', containers: [{ name: 'c', image, ...(command ? { command } : {}) }] },
  } as KubeObject)
  for (let i = 0; i < 50 && !runtimeFor(cluster.registry).current('default', name)?.running; i++) await cluster.clock.advance(100)
  return runtimeFor(cluster.registry).current('default', name)!
}

function shellFor(inst: ContainerInstance, flavour: ShellFlavour = 'bash') {
  return new Shell({ registry: cluster.registry, inst, fs: fsFor(cluster.registry, inst), procs: processesFor(cluster.registry, inst), flavour })
}

async function run(sh: Shell, line: string) {
  let out = ''
  let err = ''
  let code: number
  try {
    code = await sh.run(line, { out: { write: (s) => (out += s) }, err: { write: (s) => (err += s) } })
  } catch (e) {
    if (!(e instanceof ShellExit)) throw e
    code = e.code
  }
  return { out, err, code }
}

beforeEach(async () => {
  cluster = await Cluster.open({ speed: 0 })
})
afterEach(() => cluster.close())

describe('parser', () => {
  test('pipes, lists, quotes, redirections', () => {
    const l = parse(`echo "a $X" 'b $Y' | grep a && ls > /tmp/x 2>&1 || true; A=1 env`)
    expect(l.map((i) => i.op)).toEqual([';', '&&', '||', ';'])
    expect(l[0].pipeline.commands).toHaveLength(2)
    expect(l[1].pipeline.commands[0].redirects.map((r) => r.op)).toEqual(['>', '>&'])
    expect(l[3].pipeline.commands[0].assigns[0].name).toBe('A')
    expect(() => parse('| ls')).toThrow(ShellSyntaxError)
    expect(() => parse('echo "unterminated')).toThrow(ShellSyntaxError)
  })
})

describe('nginx container shell', () => {
  test('the tutorial files: pid file holds 1 with the process start as mtime', async () => {
    const inst = await startPod('nginx-pod', 'nginx:1.15.12')
    const sh = shellFor(inst)
    expect(await run(sh, 'cat /run/nginx.pid')).toEqual({ out: '1\n', err: '', code: 0 })
    const d = new Date(inst.startedAt)
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
    const hhmm = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`
    expect((await run(sh, 'ls -l /run/nginx.pid')).out).toBe(
      `-rw-r--r-- 1 root root 2 ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${hhmm} /run/nginx.pid\n`,
    )
    expect((await run(sh, 'ls -l --full-time /var/run/nginx.pid')).out).toContain(
      `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)}.000000000 +0000`,
    )
    expect((await run(sh, 'cat /etc/hostname; hostname')).out).toBe('nginx-pod\nnginx-pod\n')
    expect((await run(sh, 'grep title /usr/share/nginx/html/index.html')).out).toBe('<title>Welcome to nginx!</title>\n')
    expect((await run(sh, 'grep PRETTY /etc/os-release')).out).toBe('PRETTY_NAME="Debian GNU/Linux 9 (stretch)"\n')
    expect((await run(sh, 'cat /var/run/secrets/kubernetes.io/serviceaccount/namespace')).out).toBe('default')
    expect(await run(sh, 'nginx -v')).toEqual({ out: '', err: 'nginx version: nginx/1.15.12\n', code: 0 })
    expect((await run(sh, `grep nginx-pod /etc/hosts`)).out).toBe(`${inst.podIP}\tnginx-pod\n`)
  })

  test('variables, $?, pipes, && and ||, redirection into the container fs only', async () => {
    const inst = await startPod('web', 'nginx:1.27.3')
    const sh = shellFor(inst)
    expect((await run(sh, 'echo $HOSTNAME $NGINX_VERSION "$KUBERNETES_SERVICE_HOST"')).out).toBe('web 1.27.3 10.96.0.1\n')
    expect(await run(sh, 'false; echo $?')).toMatchObject({ out: '1\n' })
    expect(await run(sh, 'nosuch arg')).toEqual({ out: '', err: 'bash: line 3: nosuch: command not found\n', code: 127 })
    sh.interactive = true
    expect((await run(sh, 'ps aux')).err).toBe('bash: ps: command not found\n')
    expect((await run(sh, 'true && echo yes || echo no; false && echo yes || echo no')).out).toBe('yes\nno\n')
    expect((await run(sh, 'printenv HOSTNAME | wc -c')).out).toBe('4\n')
    expect((await run(sh, 'echo hello > /tmp/owned-by-test; echo again >> /tmp/owned-by-test; cat /tmp/owned-by-test')).out).toBe('hello\nagain\n')
    expect(existsSync('/tmp/owned-by-test')).toBe(false)
    expect((await run(sh, 'touch /tmp/owned; ls /tmp')).out).toBe('owned\nowned-by-test\n')
    expect(existsSync('/tmp/owned')).toBe(false)
    expect((await run(sh, 'cd /etc/nginx && pwd && ls')).out).toBe('/etc/nginx\nconf.d\nmime.types\nnginx.conf\n')
    expect(await run(sh, 'cat /nope')).toEqual({ out: '', err: 'cat: /nope: No such file or directory\n', code: 1 })
    expect(await run(sh, 'ls /nope')).toEqual({ out: '', err: "ls: cannot access '/nope': No such file or directory\n", code: 2 })
    expect(await run(sh, 'exit 4')).toMatchObject({ code: 4 })
    expect((await run(sh, 'echo $(hostname)-x $((2*3+1))')).out).toBe('web-x 7\n')
    expect((await run(sh, 'sh -c "exit 5"; echo $?')).out).toBe('5\n')
  })

  test('kill 1 ends the container: nginx exits 0 on SIGTERM, other processes see SIGKILL', async () => {
    const inst = await startPod('k', 'nginx:1.15.12')
    const sh = shellFor(inst)
    const procs = processesFor(cluster.registry, inst)
    let killedWith: number | undefined
    const me = procs.spawn({ ppid: 0, user: 'root', command: '/bin/bash', tty: 'pts/0', vszKb: 1, rssKb: 1, onKill: (s) => (killedWith = s) })
    expect(me.pid).toBeGreaterThan(1)
    expect((await run(sh, 'kill -9 1; echo $?')).out).toBe('0\n')
    expect(inst.running).toBe(true)
    expect((await run(sh, 'kill 12345')).err).toBe('bash: line 2: kill: (12345) - No such process\n')
    await run(sh, 'kill 1')
    expect(inst.running).toBe(false)
    expect(inst.exitCode).toBe(0)
    expect(killedWith).toBe(9)
    for (let i = 0; i < 50 && runtimeFor(cluster.registry).current('default', 'k')?.containerID === inst.containerID; i++) await cluster.clock.advance(100)
    const next = runtimeFor(cluster.registry).current('default', 'k')!
    expect(next.containerID).not.toBe(inst.containerID)
    expect(next.restartCount).toBe(1)
    const pod = cluster.registry.resource('', 'pods').getStored('default', 'k')!.obj as unknown as {
      status: { containerStatuses: { lastState: { terminated: { exitCode: number; reason: string } } }[] }
    }
    expect(pod.status.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' })
    expect(fsFor(cluster.registry, next).lookup('/run/nginx.pid')!.mtime).toBe(next.startedAt)
  })
})

describe('compound commands and tar', () => {
  test('while, until, for, if, groups, break and arithmetic', async () => {
    const inst = await startPod('loops', 'nginx:1.27.3')
    const sh = shellFor(inst)
    expect((await run(sh, 'i=1; while [ $i -le 3 ]; do echo $((i++)); done')).out).toBe('1\n2\n3\n')
    expect((await run(sh, 'for f in a "b c"; do echo "[$f]"; done')).out).toBe('[a]\n[b c]\n')
    expect((await run(sh, 'n=0; until [ $n -eq 2 ]; do n=$((n+1)); done; echo $n')).out).toBe('2\n')
    expect((await run(sh, 'if test -d /etc; then echo dir; else echo no; fi; if false; then :; elif true; then echo elif; fi')).out).toBe('dir\nelif\n')
    expect((await run(sh, 'while true; do echo once; break; done; { echo a; echo b; } | wc -l')).out).toBe('once\n2\n')
    expect((await run(sh, 'for x in 1 2 3; do if [ $x = 2 ]; then continue; fi; echo $x; done')).out).toBe('1\n3\n')
    expect((await run(sh, 'while true; do')).err).toBe("bash: line 7: syntax error near unexpected token `newline'\n")
  })

  test('tar round-trips files through an archive (what kubectl cp execs)', async () => {
    const inst = await startPod('tar', 'nginx:1.27.3')
    const sh = shellFor(inst)
    const archive = await run(sh, 'tar cf - /etc/nginx/conf.d')
    expect(archive.err).toBe("tar: Removing leading `/' from member names\n")
    expect(archive.out.length % 512).toBe(0)
    const sh2 = shellFor(inst)
    const { stringInput } = await import('../../../src/sim/shell/shell.js')
    let out = ''
    await sh2.run('tar -xmf - -C /tmp', { stdin: stringInput(archive.out), out: { write: (x) => (out += x) }, err: { write: (x) => (out += x) } })
    expect(out).toBe('')
    expect((await run(sh, 'cat /tmp/etc/nginx/conf.d/default.conf | head -2')).out).toBe('server {\n    listen       80;\n')
  })
})

describe('busybox container shell', () => {
  test('ash messages, busybox ps and ls formats', async () => {
    const inst = await startPod('bb', 'busybox:1.36', ['sleep', '3600'])
    const sh = shellFor(inst, 'ash')
    expect(await run(sh, 'foo')).toEqual({ out: '', err: 'sh: foo: not found\n', code: 127 })
    expect((await run(sh, 'ps')).out).toBe('PID   USER     TIME  COMMAND\n    1 root      0:00 sleep 3600\n    2 root      0:00 ps\n')
    expect((await run(sh, 'ls -l /etc/hostname')).out).toMatch(/^-rw-r--r-- {4}1 root {5}root {13}3 \w{3} [ \d]\d \d\d:\d\d \/etc\/hostname\n$/)
    expect(await run(sh, 'cat /nope')).toMatchObject({ err: "cat: can't open '/nope': No such file or directory\n", code: 1 })
    expect((await run(sh, 'kill 1; echo $?')).out).toBe('0\n')
    expect(inst.running).toBe(true)
  })
})
