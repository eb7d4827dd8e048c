/** @module host-check.test: the DNS-rebinding guard — which Host headers are answered, and that refused requests change nothing. */
import { hostname } from 'node:os'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hostAllowList, hostOf, isAllowedHost } from '../../src/api/host-check.js'
import { buildApp } from '../../src/app.js'
import { Cluster } from '../../src/cluster.js'

describe('hostOf', () => {
  it('drops port, brackets, case and a trailing dot', () => {
    expect(hostOf('Kubemock:6443')).toBe('kubemock')
    expect(hostOf('[::1]:8080')).toBe('::1')
    expect(hostOf('[::1]')).toBe('::1')
    expect(hostOf('example.com.')).toBe('example.com')
    expect(hostOf('127.0.0.1')).toBe('127.0.0.1')
  })
})

describe('isAllowedHost', () => {
  const allowed = new Set(['kubemock'])
  it('answers loopback names, IP literals and allowed names; refuses other names', () => {
    for (const h of [
      'localhost:8080',
      'LOCALHOST',
      'app.localhost:1',
      '127.0.0.1:8080',
      '127.8.9.1',
      '[::1]:8080',
      '10.1.2.3:6443',
      '[fe80::1]:1',
      'kubemock:6443',
      undefined,
    ])
      expect(isAllowedHost(h, allowed), String(h)).toBe(true)
    for (const h of ['evil.example:8080', 'localhost.evil.example', '127.0.0.1.nip.io', 'kubemock.evil.example', 'kubernetes'])
      expect(isAllowedHost(h, allowed), h).toBe(false)
    expect(isAllowedHost('evil.example', new Set(['*']))).toBe(true)
  })
})

describe('hostAllowList', () => {
  it('holds the bind name, the kubeconfig server host, this machine and the configured names', () => {
    const list = hostAllowList({ bindHost: 'dev-box', kubeconfigServer: 'https://kubemock:6443', configured: ['Other.Example', '*'] })
    expect(list).toEqual(expect.arrayContaining(['dev-box', 'kubemock', hostname().toLowerCase(), 'other.example', '*']))
    expect(hostAllowList({ bindHost: '0.0.0.0', kubeconfigServer: 'https://127.0.0.1:6443' })).toEqual([hostname().toLowerCase()])
  })
})

describe('the Host check in the app', () => {
  let cluster: Cluster
  let app: FastifyInstance
  beforeAll(async () => {
    cluster = await Cluster.open({ speed: 0 })
    app = await buildApp({ cluster, allowedHosts: ['kubemock'] })
  })
  afterAll(async () => {
    await app.close()
    cluster.close()
  })

  it('refuses a DNS-rebinding Host with 403 before anything runs: no Secrets read, no reset', async () => {
    const get = await app.inject({ method: 'GET', url: '/api/v1/namespaces/kube-system/secrets', headers: { host: 'evil.example:8080' } })
    expect(get.statusCode).toBe(403)
    expect(get.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      reason: 'Forbidden',
      code: 403,
      message: 'forbidden: host "evil.example" is not allowed (DNS rebinding protection); start kubemock with --allowed-host evil.example to accept it',
    })
    await cluster.registry.resource('', 'configmaps').create('default', { metadata: { name: 'keep' } })
    const reset = await app.inject({ method: 'POST', url: '/kubemock/v1/reset', headers: { host: 'evil.example:8080' } })
    expect(reset.statusCode).toBe(403)
    expect(cluster.registry.resource('', 'configmaps').getStored('default', 'keep')).toBeDefined()
  })

  it('answers loopback, IP and allowed names', async () => {
    for (const host of ['localhost:8080', '127.0.0.1:8080', '[::1]:8080', '192.168.1.5:8080', 'kubemock:6443', 'app.localhost']) {
      const res = await app.inject({ method: 'GET', url: '/api', headers: { host } })
      expect(res.statusCode, host).toBe(200)
    }
  })

  it('keeps refusing a foreign Host after answering allowed ones many times (accepted headers are remembered, refused ones are not)', async () => {
    for (let i = 0; i < 100; i++) {
      const ok = await app.inject({ method: 'GET', url: '/api', headers: { host: i % 2 ? 'kubemock:6443' : `127.0.0.${i}:1` } })
      expect(ok.statusCode).toBe(200)
    }
    for (const host of ['evil.example:8080', 'evil.example:8080', 'kubemock.evil.example:6443']) {
      const res = await app.inject({ method: 'GET', url: '/api', headers: { host } })
      expect(res.statusCode, host).toBe(403)
    }
  })
})
