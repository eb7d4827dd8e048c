/** @module pod-hostname.test: one rule for the hostname a pod's containers see — spec.hostname, subdomain, 63-character cut, hostNetwork — and every reader agrees. */
import type { Pod } from 'kubernetes-types/core/v1.js'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { Cluster } from '../../../src/cluster.js'
import { fsFor } from '../../../src/sim/containers/fs.js'
import { podHostname } from '../../../src/sim/containers/pod-hostname.js'
import { processesFor } from '../../../src/sim/containers/processes.js'
import { runtimeFor } from '../../../src/sim/containers/runtime.js'
import { Shell } from '../../../src/sim/shell/shell.js'
import type { KubeObject } from '../../../src/types.js'

const pod = (name: string, spec: Pod['spec'] = { containers: [] }, namespace = 'default'): Pod => ({ metadata: { name, namespace }, spec })

describe('podHostname', () => {
  test('the pod name, or spec.hostname when set', () => {
    expect(podHostname(pod('web-1'))).toEqual({ hostname: 'web-1' })
    expect(podHostname(pod('web-1', { containers: [], hostname: 'my-host' }))).toEqual({ hostname: 'my-host' })
  })

  test('spec.subdomain gives the domain <subdomain>.<namespace>.svc.cluster.local', () => {
    expect(podHostname(pod('web-0', { containers: [], hostname: 'web-0', subdomain: 'web' }, 'shop'))).toEqual({
      hostname: 'web-0',
      domain: 'web.shop.svc.cluster.local',
    })
  })

  test('a name longer than 63 characters is cut, without a trailing - or .', () => {
    const name = `${'a'.repeat(61)}--b${'c'.repeat(10)}`
    expect(podHostname(pod(name)).hostname).toBe('a'.repeat(61))
    expect(podHostname(pod('x'.repeat(70))).hostname).toBe('x'.repeat(63))
  })

  test('a hostNetwork pod sees the node hostname', () => {
    expect(podHostname(pod('kube-proxy-abcde', { containers: [], hostNetwork: true, nodeName: 'kubemock-worker', hostname: 'ignored' }))).toEqual({
      hostname: 'kubemock-worker',
    })
  })
})

describe('every reader of the hostname agrees', () => {
  let cluster: Cluster
  beforeEach(async () => {
    cluster = await Cluster.open({ speed: 0 })
  })
  afterEach(() => cluster.close())

  test.each([
    ['plain', {}, 'plain', undefined],
    ['named', { hostname: 'custom', subdomain: 'svc-a' }, 'custom', 'svc-a.default.svc.cluster.local'],
    ['hostnet', { hostNetwork: true }, 'kubemock-worker', undefined],
  ])('%s: hostname, hostname -f, $HOSTNAME, /etc/hostname, /etc/hosts', async (name, extra, hostname, domain) => {
    await cluster.registry.resource('', 'pods').create('default', {
      metadata: { name },
      spec: { nodeName: 'kubemock-worker', containers: [{ name: 'c', image: 'nginx:1.15.12' }], ...extra },
    } as KubeObject)
    for (let i = 0; i < 50 && !runtimeFor(cluster.registry).current('default', name)?.running; i++) await cluster.clock.advance(100)
    const inst = runtimeFor(cluster.registry).current('default', name)!
    const sh = new Shell({ registry: cluster.registry, inst, fs: fsFor(cluster.registry, inst), procs: processesFor(cluster.registry, inst), flavour: 'bash' })
    let out = ''
    await sh.run('hostname; hostname -f; echo $HOSTNAME; cat /etc/hostname; tail -n 1 /etc/hosts', {
      out: { write: (s) => (out += s) },
      err: { write: (s) => (out += s) },
    })
    const fqdn = domain ? `${hostname}.${domain}` : hostname
    const hostsLine = domain ? `${inst.podIP}\t${fqdn}\t${hostname}` : `${inst.podIP}\t${hostname}`
    expect(out).toBe([hostname, fqdn, hostname, hostname, hostsLine, ''].join('\n'))
  })
})
