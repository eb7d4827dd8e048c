/** @module protobuf.test: protobuf request bodies decode to the JSON kubectl would send for the same object. */
import { readdirSync, readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeAnyBody, decodeProtobufObject, protobufMediaType } from '../../src/api/protobuf.js'
import { buildApp } from '../../src/app.js'
import { Cluster } from '../../src/cluster.js'
import { StatusError } from '../../src/errors.js'

// Fixtures: `<name>.pb` is the request body kubectl v1.32.4 POSTed (captured through a logging
// proxy), `<name>.json` is `kubectl <same command> --dry-run=client -o json`; eviction-q.json is
// the JSON body `kubectl drain` POSTed to pods/q/eviction.
const fixtures = new URL('../fixtures/protobuf/', import.meta.url)
const fixture = (name: string) => readFileSync(new URL(name, fixtures))
const json = (name: string) => JSON.parse(fixture(name).toString('utf8')) as Record<string, unknown>

// ---------------------------------------------------------------------------------------------
// A tiny protobuf encoder: a message is a list of [field number, value]; numbers, bigints and
// booleans are varints, strings/bytes/nested messages are length-delimited.
type Value = number | bigint | boolean | string | Uint8Array | Message
type Message = Array<[number, Value]>

function varint(v: bigint): number[] {
  let u = BigInt.asUintN(64, v)
  const out: number[] = []
  do {
    const b = Number(u & 0x7fn)
    u >>= 7n
    out.push(u ? b | 0x80 : b)
  } while (u)
  return out
}

function encode(msg: Message): Buffer {
  const parts: Buffer[] = []
  for (const [num, v] of msg) {
    if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') {
      parts.push(Buffer.from([...varint(BigInt(num) << 3n), ...varint(BigInt(v))]))
      continue
    }
    const bytes = typeof v === 'string' ? Buffer.from(v, 'utf8') : v instanceof Uint8Array ? Buffer.from(v) : encode(v)
    parts.push(Buffer.from([...varint((BigInt(num) << 3n) | 2n), ...varint(BigInt(bytes.length))]), bytes)
  }
  return Buffer.concat(parts)
}

/** Packed repeated varints: one length-delimited field holding the varints back to back. */
const packed = (values: number[]) => Buffer.from(values.flatMap((v) => varint(BigInt(v))))

/** `k8s\0` + runtime.Unknown{typeMeta{apiVersion=1, kind=2}=1, raw=2, contentEncoding=3, contentType=4}. */
function envelope(apiVersion: string, kind: string, raw: Message | Buffer): Buffer {
  const body = Buffer.isBuffer(raw) ? raw : encode(raw)
  return Buffer.concat([
    Buffer.from('k8s\0', 'latin1'),
    encode([
      [
        1,
        [
          [1, apiVersion],
          [2, kind],
        ],
      ],
      [2, body],
      [3, ''],
      [4, ''],
    ]),
  ])
}

/** ObjectMeta as gogo marshals a client-side object: every non-pointer field written, zero or not. */
function objectMeta(name: string, namespace = '', creationTimestamp: Message = []): Message {
  return [
    [1, name],
    [2, ''],
    [3, namespace],
    [4, ''],
    [5, ''],
    [6, ''],
    [7, 0],
    [8, creationTimestamp],
  ]
}

// ---------------------------------------------------------------------------------------------

describe('decodeProtobufObject on bodies captured from kubectl 1.32', () => {
  const names = readdirSync(fixtures)
    .filter((f) => f.endsWith('.pb'))
    .map((f) => f.slice(0, -3))

  it('has the captures the brief asks for', () => {
    expect(names).toEqual(expect.arrayContaining(['namespace-y', 'deployment-dd', 'configmap-c', 'secret-s', 'service-web', 'job-j']))
  })

  it.each(names)('%s decodes to exactly the --dry-run=client -o json object (same keys, same order)', (name) => {
    const got = decodeProtobufObject(fixture(`${name}.pb`))
    const want = json(`${name}.json`)
    expect(got.kind).toBe(want.kind)
    expect(got.apiVersion).toBe(want.apiVersion)
    expect(JSON.stringify(got.object)).toBe(JSON.stringify(want))
  })

  it('keeps the zero-value structs encoding/json writes and drops omitempty zeros', () => {
    const { object } = decodeProtobufObject(fixture('deployment-dd.pb'))
    expect(object).toEqual({
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'dd', creationTimestamp: null, labels: { app: 'dd' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'dd' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'dd' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    })
  })

  it('turns Secret []byte values into base64 and Service targetPorts into numbers or names', () => {
    expect(decodeProtobufObject(fixture('secret-s.pb')).object.data).toEqual({ p: Buffer.from('q').toString('base64') })
    expect(decodeProtobufObject(fixture('secret-mixed.pb')).object.data).toMatchObject({ empty: '' })
    const port = (n: string) => (decodeProtobufObject(fixture(n)).object.spec as { ports: Array<Record<string, unknown>> }).ports[0]
    expect(port('service-web.pb')).toEqual({ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 })
    expect(port('service-np.pb')).toEqual({ name: '5678-http', protocol: 'TCP', port: 5678, targetPort: 'http' })
  })
})

describe('decodeProtobufObject on hand-encoded bodies', () => {
  it('decodes a policy/v1 Eviction with deleteOptions to what kubectl drain sends as JSON', () => {
    const body = envelope('policy/v1', 'Eviction', [
      [1, objectMeta('q', 'default')],
      [2, [[1, 7]]],
    ])
    expect(JSON.stringify(decodeProtobufObject(body).object)).toBe(JSON.stringify(json('eviction-q.json')))
  })

  it('keeps set pointer fields even when zero, and decodes lists, nested messages and strings', () => {
    const body = envelope('policy/v1', 'Eviction', [
      [1, objectMeta('q', 'default')],
      [
        2,
        [
          [1, 0],
          [2, [[1, 'uid-1']]],
          [4, 'Foreground'],
          [5, 'All'],
          [3, false],
        ],
      ],
    ])
    expect(decodeProtobufObject(body).object.deleteOptions).toEqual({
      gracePeriodSeconds: 0,
      preconditions: { uid: 'uid-1' },
      orphanDependents: false,
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
    })
  })

  it('formats Time as RFC 3339 seconds and MicroTime with six fractional digits; absent pointers are omitted', () => {
    const body = envelope('coordination.k8s.io/v1', 'Lease', [
      [
        1,
        objectMeta('l', 'kube-node-lease', [
          [1, 1_700_000_000],
          [2, 5],
        ]),
      ],
      [
        2,
        [
          [1, 'node-a'],
          [2, 40],
          [
            3,
            [
              [1, 1_700_000_000],
              [2, 123_456_789],
            ],
          ],
        ],
      ],
    ])
    const { object } = decodeProtobufObject(body)
    expect(object.metadata).toEqual({ name: 'l', namespace: 'kube-node-lease', creationTimestamp: '2023-11-14T22:13:20Z' })
    expect(object.spec).toEqual({ holderIdentity: 'node-a', leaseDurationSeconds: 40, acquireTime: '2023-11-14T22:13:20.123456Z' })
  })

  it('reads repeated varints packed or not, and negative numbers from 10-byte varints', () => {
    const pod = (securityContext: Message) =>
      envelope('v1', 'Pod', [
        [1, objectMeta('p')],
        [
          2,
          [
            [
              2,
              [
                [1, 'c'],
                [2, 'busybox'],
              ],
            ],
            [14, securityContext],
          ],
        ],
      ])
    const sc = (body: Buffer) => (decodeProtobufObject(body).object.spec as Record<string, unknown>).securityContext
    expect(
      sc(
        pod([
          [4, packed([1, 2, 300])],
          [2, -1],
        ]),
      ),
    ).toEqual({ runAsUser: -1, supplementalGroups: [1, 2, 300] })
    expect(
      sc(
        pod([
          [4, 1],
          [4, 2],
          [4, 300],
        ]),
      ),
    ).toEqual({ supplementalGroups: [1, 2, 300] })
  })

  it('decodes IntOrString both ways, RawExtension as JSON, and writes non-omitempty zeros', () => {
    const dep = envelope('apps/v1', 'Deployment', [
      [1, objectMeta('d')],
      [
        2,
        [
          [
            4,
            [
              [1, 'RollingUpdate'],
              [
                2,
                [
                  [
                    1,
                    [
                      [1, 1],
                      [3, '25%'],
                    ],
                  ],
                  [
                    2,
                    [
                      [1, 0],
                      [2, 3],
                    ],
                  ],
                ],
              ],
            ],
          ],
        ],
      ],
    ])
    expect((decodeProtobufObject(dep).object.spec as Record<string, unknown>).strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '25%', maxSurge: 3 },
    })
    const rev = envelope('apps/v1', 'ControllerRevision', [
      [1, objectMeta('r')],
      [2, [[1, '{"spec":{"a":[1,"x"]}}']]],
    ])
    expect(decodeProtobufObject(rev).object).toEqual({
      kind: 'ControllerRevision',
      apiVersion: 'apps/v1',
      metadata: { name: 'r', creationTimestamp: null },
      data: { spec: { a: [1, 'x'] } },
      revision: 0,
    })
  })

  it('skips field numbers it does not know, as the generated Unmarshal does', () => {
    const plain = envelope('v1', 'Namespace', [[1, objectMeta('y')]])
    const extra = envelope('v1', 'Namespace', [
      [1, [...objectMeta('y'), [99, 'new in 1.40']]],
      [42, 7],
      [43, packed([1])],
    ])
    expect(decodeProtobufObject(extra).object).toEqual(decodeProtobufObject(plain).object)
    expect(decodeProtobufObject(plain).object).toEqual({
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: 'y', creationTimestamp: null },
      spec: {},
      status: {},
    })
  })

  it('accepts meta/v1 kinds such as DeleteOptions under any served group version', () => {
    const { object } = decodeProtobufObject(envelope('apps/v1', 'DeleteOptions', [[4, 'Orphan']]))
    expect(object).toEqual({ kind: 'DeleteOptions', apiVersion: 'apps/v1', propagationPolicy: 'Orphan' })
  })
})

describe('decodeProtobufObject on malformed input', () => {
  const cases: Array<[string, Buffer, RegExp]> = [
    [
      'JSON instead of protobuf',
      Buffer.from('{"kind":"Namespace"}'),
      /^provided data does not appear to be a protobuf message, expected prefix \[107 56 115 0\]$/,
    ],
    ['a truncated body', fixture('deployment-dd.pb').subarray(0, 150), /runs past the end|unexpected end/],
    [
      'a wire type that does not fit the field',
      envelope('v1', 'Namespace', [[1, [[1, 5]]]]),
      /^Namespace\.metadata\.name: wire type varint where bytes was expected$/,
    ],
    ['an unknown kind', envelope('v1', 'Widget', []), /^no kind "Widget" is registered for version "v1"$/],
    ['a missing kind', envelope('v1', '', []), /Kind' is missing/],
    [
      'a compressed payload',
      Buffer.concat([
        Buffer.from('k8s\0', 'latin1'),
        encode([
          [
            1,
            [
              [1, 'v1'],
              [2, 'Namespace'],
            ],
          ],
          [3, 'gzip'],
        ]),
      ]),
      /content encoding "gzip"/,
    ],
    ['a varint longer than 10 bytes', envelope('v1', 'Namespace', Buffer.from([0x38, ...Array(11).fill(0xff), 0x01])), /longer than 10 bytes/],
  ]
  it.each(cases)('rejects %s with a clear Error', (_name, body, message) => {
    expect(() => decodeProtobufObject(body)).toThrow(message)
  })
})

describe('decodeAnyBody', () => {
  it('leaves JSON and YAML to decodeBody', () => {
    expect(decodeAnyBody('{"a":1,"a":2}', 'application/json')).toEqual({ value: { a: 2 }, duplicates: ['a'] })
    expect(decodeAnyBody('a: 1\n', 'application/yaml').value).toEqual({ a: 1 })
  })

  it('decodes protobuf bodies, parameters in the content type notwithstanding', () => {
    const r = decodeAnyBody(fixture('namespace-y.pb'), `${protobufMediaType}; charset=binary`)
    expect(r).toEqual({ value: json('namespace-y.json'), duplicates: [] })
  })

  it('turns decode failures into a 400 StatusError, or whatever error the caller builds', () => {
    const err = (() => {
      try {
        decodeAnyBody(Buffer.from('nope'), protobufMediaType)
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(StatusError)
    expect((err as StatusError).status).toMatchObject({ code: 400, reason: 'BadRequest', message: expect.stringMatching(/^provided data does not appear/) })
    expect(() => decodeAnyBody(Buffer.from('nope'), protobufMediaType, (m) => new Error(`wrapped: ${m}`))).toThrow(/^wrapped: provided data/)
  })
})

describe('protobuf bodies through the HTTP layer', () => {
  let cluster: Cluster
  let app: FastifyInstance
  beforeAll(async () => {
    cluster = await Cluster.open({ nodes: 1 })
    app = await buildApp({ cluster })
  })
  afterAll(async () => {
    await app.close()
    cluster.close()
  })
  const post = (url: string, payload: Buffer | string, contentType = protobufMediaType) =>
    app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType, accept: `${protobufMediaType},application/json` } })

  it('creates what kubectl create sends (answering in JSON)', async () => {
    const ns = await post('/api/v1/namespaces?fieldManager=kubectl-create&fieldValidation=Strict', fixture('namespace-y.pb'))
    expect(ns.statusCode).toBe(201)
    expect(ns.headers['content-type']).toMatch(/^application\/json/)
    expect(ns.json()).toMatchObject({ kind: 'Namespace', metadata: { name: 'y' } })
    const dep = await post('/apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-create&fieldValidation=Strict', fixture('deployment-dd.pb'))
    expect(dep.statusCode).toBe(201)
    expect(dep.json()).toMatchObject({ spec: { replicas: 2, selector: { matchLabels: { app: 'dd' } } } })
    const secret = await post('/api/v1/namespaces/default/secrets?fieldValidation=Strict', fixture('secret-s.pb'))
    expect(secret.statusCode).toBe(201)
    expect(secret.json()).toMatchObject({ type: 'Opaque', data: { p: 'cQ==' } })
  })

  it('answers a malformed protobuf body with the upstream 400 wording', async () => {
    const r = await post('/api/v1/namespaces', Buffer.from('k8s\0\x0a\xff', 'latin1'))
    expect(r.statusCode).toBe(400)
    expect(r.json()).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      message: expect.stringMatching(/^Namespace in version "v1" cannot be handled as a Namespace: runtime\.Unknown: /),
    })
  })

  it('still reads JSON bodies as text', async () => {
    const r = await post(
      '/api/v1/namespaces/default/configmaps',
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'j' }, data: { a: 'b' } }),
      'application/json',
    )
    expect(r.statusCode).toBe(201)
    expect(r.json().data).toEqual({ a: 'b' })
  })

  it('decodes protobuf pods/eviction bodies', async () => {
    // Bound to a node, so that the delete is graceful and shows the grace period it was given.
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' }, spec: { nodeName: 'kubemock-worker', containers: [{ name: 'c', image: 'nginx' }] } }
    expect((await post('/api/v1/namespaces/default/pods', JSON.stringify(pod), 'application/json')).statusCode).toBe(201)
    const mismatch = await post('/api/v1/namespaces/default/pods/q/eviction', envelope('policy/v1', 'Eviction', [[1, objectMeta('other', 'default')]]))
    expect(mismatch.statusCode).toBe(400)
    expect(mismatch.json().message).toBe('name in URL does not match name in Eviction object')
    const r = await post(
      '/api/v1/namespaces/default/pods/q/eviction',
      envelope('policy/v1', 'Eviction', [
        [1, objectMeta('q', 'default')],
        [2, [[1, 7]]],
      ]),
    )
    expect(r.statusCode).toBe(201)
    const after = await app.inject({ method: 'GET', url: '/api/v1/namespaces/default/pods/q' })
    expect(after.json().metadata).toMatchObject({ deletionGracePeriodSeconds: 7, deletionTimestamp: expect.any(String) })
  })
})
