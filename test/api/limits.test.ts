/** @module limits.test: a control plane's limits over HTTP — etcd's request size and quota, object size validation, YAML bodies, immortal namespaces. */
import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { Cluster } from '../../src/cluster.js'
import { useTestApp } from '../helpers/test-app.js'

const MiB = 1024 * 1024
const json = { 'content-type': 'application/json' }
const configMap = (name: string, data: Record<string, string> = {}, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...extra },
  data,
})

async function withApp(opts: Parameters<typeof Cluster.open>[0], fn: (app: FastifyInstance, cluster: Cluster) => Promise<void>) {
  const cluster = await Cluster.open({ speed: 0, ...opts })
  const app = await buildApp({ cluster })
  try {
    await fn(app, cluster)
  } finally {
    await app.close()
    cluster.close()
  }
}

describe('etcd limits', () => {
  it('refuses an object over 1.5 MiB serialized with 500 "etcdserver: request is too large" and no reason, as kube-apiserver passes it on', () =>
    withApp({}, async (app, cluster) => {
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'huge' },
        spec: { containers: [{ name: 'c', image: 'nginx', env: [{ name: 'BIG', value: 'x'.repeat(1.6 * MiB) }] }] },
      }
      const r = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/pods', headers: json, payload: pod })
      expect(r.statusCode).toBe(500)
      expect(r.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'etcdserver: request is too large', code: 500 })
      expect(cluster.registry.resource('', 'pods').getStored('default', 'huge')).toBeUndefined()
    }))

  it('fails creates, updates and patches past the quota with "etcdserver: mvcc: database space exceeded"; reads and deletes go on, and freed space is usable again', async () => {
    // What the boot's controllers write (Endpoints, slices, ReplicaSets…) counts: measure once they are idle.
    const boot = await Cluster.open({ speed: 0 })
    await boot.clock.advance(0)
    const base = boot.store.storedBytes()
    boot.close()
    await withApp({ storageQuotaBytes: base + 250_000 }, async (app, cluster) => {
      await cluster.clock.advance(0)
      const cms = '/api/v1/namespaces/default/configmaps'
      const value = 'x'.repeat(100_000)
      expect((await app.inject({ method: 'POST', url: cms, headers: json, payload: configMap('a', { v: value }) })).statusCode).toBe(201)
      expect((await app.inject({ method: 'POST', url: cms, headers: json, payload: configMap('b', { v: value }) })).statusCode).toBe(201)
      const noSpace = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'etcdserver: mvcc: database space exceeded', code: 500 }
      const create = await app.inject({ method: 'POST', url: cms, headers: json, payload: configMap('c', { v: value }) })
      expect(create.statusCode).toBe(500)
      expect(create.json()).toEqual(noSpace)
      const update = await app.inject({ method: 'PUT', url: `${cms}/a`, headers: json, payload: configMap('a', { v: value + value }) })
      expect(update.json()).toEqual(noSpace)
      const patch = await app.inject({
        method: 'PATCH',
        url: `${cms}/a`,
        headers: { 'content-type': 'application/merge-patch+json' },
        payload: { data: { w: value } },
      })
      expect(patch.json()).toEqual(noSpace)
      expect((await app.inject({ url: `${cms}/a` })).json().data.v).toBe(value)
      expect((await app.inject({ url: cms })).statusCode).toBe(200)
      // A write that does not grow the store still works.
      expect((await app.inject({ method: 'PUT', url: `${cms}/a`, headers: json, payload: configMap('a', { v: 'small' }) })).statusCode).toBe(200)
      expect((await app.inject({ method: 'DELETE', url: `${cms}/b` })).statusCode).toBe(200)
      expect((await app.inject({ method: 'POST', url: cms, headers: json, payload: configMap('c', { v: value }) })).statusCode).toBe(201)
    })
  })
})

describe('object size validation', () => {
  const t = useTestApp()

  it('ConfigMaps hold at most 1 MiB of data plus binaryData (422 on the whole object, `[]`)', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/namespaces/default/configmaps',
      headers: json,
      payload: { ...configMap('big', { a: 'x'.repeat(MiB - 10) }), binaryData: { b: Buffer.alloc(11).toString('base64') } },
    })
    expect(r.statusCode).toBe(422)
    expect(r.json()).toMatchObject({
      reason: 'Invalid',
      message: 'ConfigMap "big" is invalid: []: Too long: may not be more than 1048576 bytes',
      details: {
        name: 'big',
        kind: 'ConfigMap',
        causes: [{ reason: 'FieldValueTooLong', message: 'Too long: may not be more than 1048576 bytes', field: '[]' }],
      },
    })
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/namespaces/default/configmaps',
      headers: json,
      payload: configMap('max', { a: 'x'.repeat(MiB) }),
    })
    expect(ok.statusCode).toBe(201)
  })

  it('Secrets hold at most 1 MiB of decoded data; annotations at most 256 KiB', async () => {
    const secret = await t.app.inject({
      method: 'POST',
      url: '/api/v1/namespaces/default/secrets',
      headers: json,
      payload: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: Buffer.alloc(MiB + 1).toString('base64') } },
    })
    expect(secret.json()).toMatchObject({ code: 422, message: 'Secret "s" is invalid: data: Too long: may not be more than 1048576 bytes' })
    const ann = await t.app.inject({
      method: 'POST',
      url: '/api/v1/namespaces/default/configmaps',
      headers: json,
      payload: configMap('ann', {}, { annotations: { a: 'x'.repeat(256 * 1024) } }),
    })
    expect(ann.json()).toMatchObject({ code: 422, message: 'ConfigMap "ann" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes' })
  })

  it('YAML bodies decode as goyaml.v2 would: 400 for %YAML 9.9, alias bombs and deep nesting, never a warning on stderr', async () => {
    const yaml = { 'content-type': 'application/yaml' }
    const cases: [string, string][] = [
      ['%YAML 9.9\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: v99}\n', 'error converting YAML to JSON: yaml: found incompatible YAML document'],
      [
        `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: ${'['.repeat(5000)}\n`,
        'error converting YAML to JSON: yaml: line 4: exceeded max depth of 500',
      ],
      [
        `a: &a [x, x, x, x, x, x, x, x, x]\n${Array.from(
          { length: 8 },
          (_, i) =>
            `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
              .fill(`*${String.fromCharCode(97 + i)}`)
              .join(', ')}]`,
        ).join('\n')}`,
        'error converting YAML to JSON: yaml: document contains excessive aliasing',
      ],
    ]
    const writes: string[] = []
    const original = process.stderr.write.bind(process.stderr)
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      writes.push(String(chunk))
      return original(chunk, ...rest)
    }) as typeof process.stderr.write
    try {
      for (const [payload, message] of cases) {
        const r = await t.app.inject({ method: 'POST', url: '/api/v1/namespaces/default/configmaps', headers: yaml, payload })
        expect(r.statusCode, message).toBe(400)
        expect(r.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'BadRequest', code: 400 })
      }
      // Give process.emitWarning (which prints on the next tick) its chance.
      await new Promise((r) => setImmediate(r))
    } finally {
      process.stderr.write = original
    }
    expect(writes.join('')).not.toMatch(/YAMLWarning|BAD_DIRECTIVE/)
    expect(t.cluster.registry.resource('', 'configmaps').getStored('default', 'v99')).toBeUndefined()
  })
})

describe('immortal namespaces', () => {
  it('DELETE of default, kube-system and kube-public is 403 as the NamespaceLifecycle admission plugin answers; others go', () =>
    withApp({}, async (app, cluster) => {
      for (const name of ['default', 'kube-system', 'kube-public']) {
        for (const url of [`/api/v1/namespaces/${name}`, `/api/v1/namespaces/${name}?dryRun=All`]) {
          const r = await app.inject({ method: 'DELETE', url })
          expect(r.statusCode).toBe(403)
          expect(r.json()).toEqual({
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Failure',
            reason: 'Forbidden',
            code: 403,
            message: `namespaces "${name}" is forbidden: this namespace may not be deleted`,
            details: { name, kind: 'namespaces' },
          })
        }
        expect(cluster.registry.resource('', 'namespaces').getStored('', name)?.obj.metadata.deletionTimestamp).toBeUndefined()
      }
      expect((await app.inject({ method: 'DELETE', url: '/api/v1/namespaces/kube-node-lease' })).statusCode).toBe(200)
      expect((await app.inject({ method: 'DELETE', url: '/api/v1/namespaces/nope' })).statusCode).toBe(404)
    }))
})
