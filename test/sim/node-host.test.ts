/** @module node-host.test: a hostPID pod sees the node's daemons and the pods' processes; a hostPath volume mounts the node's files. */
import type { Pod } from 'kubernetes-types/core/v1.js'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { Cluster } from '../../src/cluster.js'
import { fsFor } from '../../src/sim/containers/fs.js'
import { processesFor } from '../../src/sim/containers/processes.js'
import { runtimeFor } from '../../src/sim/containers/runtime.js'
import { nodeHostFacts, nodeRootFiles } from '../../src/sim/node-host.js'
import type { KubeObject } from '../../src/types.js'

let cluster: Cluster
beforeEach(async () => {
  cluster = await Cluster.open({ speed: 0 })
})
afterEach(() => cluster.close())

const pods = () => cluster.registry.resource('', 'pods')

async function runOn(name: string, node: string, spec: Record<string, unknown>) {
  await pods().create('default', { metadata: { name }, spec: { nodeName: node, ...spec } } as KubeObject)
  for (let i = 0; i < 50; i++) {
    const p = pods().getStored('default', name)?.obj as Pod | undefined
    if (p?.status?.containerStatuses?.every((c) => c.state?.running)) break
    await cluster.clock.advance(100)
  }
  return runtimeFor(cluster.registry).current('default', name)!
}

const debuggerSpec = {
  hostPID: true,
  hostNetwork: true,
  volumes: [{ name: 'host-root', hostPath: { path: '/' } }],
  containers: [{ name: 'debugger', image: 'busybox:1.36', stdin: true, tty: true, volumeMounts: [{ name: 'host-root', mountPath: '/host' }] }],
}

describe('the node from inside', () => {
  test('hostPID: init, the daemons, then a shim, /pause and the processes of each pod on the node', async () => {
    await runOn('web', 'kubemock-worker2', { containers: [{ name: 'nginx', image: 'nginx:1.27.3' }] })
    const dbg = await runOn('dbg', 'kubemock-worker2', debuggerSpec)
    const list = processesFor(cluster.registry, dbg).list()
    expect(list.slice(0, 4).map((p) => [p.pid, p.command.split(' ')[0]])).toEqual([
      [1, '/sbin/init'],
      [86, '/lib/systemd/systemd-journald'],
      [101, '/usr/local/bin/containerd'],
      [219, '/usr/bin/kubelet'],
    ])
    expect(list[3].command).toContain('--node-ip=172.18.0.4 ')
    const cmds = list.map((p) => p.command)
    expect(cmds).toContain('nginx: master process nginx -g daemon off;')
    expect(cmds.filter((c) => c === '/pause').length).toBeGreaterThanOrEqual(1)
    expect(
      cmds.some((c) => /^\/usr\/local\/bin\/containerd-shim-runc-v2 -namespace k8s\.io -id [0-9a-f]{64} -address \/run\/containerd\/containerd\.sock$/.test(c)),
    ).toBe(true)
    // The debugger's own shell is a process of the host namespace too; PIDs stay put between looks.
    expect(list.find((p) => p.owner === dbg.containerID)?.command).toBe('sh')
    expect(
      processesFor(cluster.registry, dbg)
        .list()
        .map((p) => p.pid),
    ).toEqual(list.map((p) => p.pid))
    // Root on the node can SIGKILL a container's init (a signal from inside could not).
    const master = list.find((p) => p.command.startsWith('nginx: master'))!
    expect(processesFor(cluster.registry, dbg).kill(master.pid, 9)).toEqual({})
    for (let i = 0; i < 20; i++) await cluster.clock.advance(100)
    const web = pods().getStored('default', 'web')?.obj as Pod
    expect(web.status!.containerStatuses![0].lastState!.terminated).toMatchObject({ exitCode: 137, reason: 'Error' })
    // A pod on another node is not there.
    await runOn('elsewhere', 'kubemock-worker3', { containers: [{ name: 'c', image: 'redis:7.2' }] })
    expect(
      processesFor(cluster.registry, dbg)
        .list()
        .some((p) => p.command.startsWith('redis-server')),
    ).toBe(false)
  })

  test('a hostPath volume mounts the node`s files at the mount path', async () => {
    const dbg = await runOn('dbg', 'kubemock-control-plane', { ...debuggerSpec, tolerations: [{ operator: 'Exists' }] })
    const fs = fsFor(cluster.registry, dbg)
    expect(fs.readFile('/host/etc/hostname')).toBe('kubemock-control-plane\n')
    expect(fs.readFile('/host/etc/os-release')).toContain('VERSION_CODENAME=bookworm')
    expect(fs.list('/host/etc/kubernetes/manifests').map(([n]) => n)).toEqual([
      'etcd.yaml',
      'kube-apiserver.yaml',
      'kube-controller-manager.yaml',
      'kube-scheduler.yaml',
    ])
    expect(fs.lookup('/host/var/log/pods')?.type).toBe('dir')
    // A worker has no control-plane manifests.
    const worker = nodeRootFiles(nodeHostFacts(undefined, 'w'))
    expect(Object.keys(worker).filter((k) => k.startsWith('/etc/kubernetes/manifests/'))).toEqual([])
  })
})
