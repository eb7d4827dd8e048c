/** @module strategic-merge-patch.test: SMP semantics against small hand-written Deployment→PodSpec schemas. */
import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { StatusError } from '../../../src/errors.js'
import { schemaContextFromDefinitions, strategicMergePatch, type OpenAPISchema, type SchemaContext } from '../../../src/api/patch/strategic-merge-patch.js'

const ref = (name: string): OpenAPISchema => ({ allOf: [{ $ref: `#/components/schemas/${name}` }] })
const mergeBy = (key: string, items: OpenAPISchema): OpenAPISchema => ({
  type: 'array',
  items,
  'x-kubernetes-patch-merge-key': key,
  'x-kubernetes-patch-strategy': 'merge',
})

const defs: Record<string, OpenAPISchema> = {
  Deployment: { type: 'object', properties: { metadata: ref('ObjectMeta'), spec: ref('DeploymentSpec') } },
  ObjectMeta: {
    type: 'object',
    properties: {
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      finalizers: { type: 'array', items: { type: 'string' }, 'x-kubernetes-patch-strategy': 'merge' },
      ownerReferences: mergeBy('uid', ref('OwnerReference')),
    },
  },
  OwnerReference: { type: 'object', properties: { uid: { type: 'string' }, name: { type: 'string' } } },
  DeploymentSpec: {
    type: 'object',
    properties: {
      replicas: { type: 'integer' },
      strategy: { ...ref('DeploymentStrategy'), 'x-kubernetes-patch-strategy': 'retainKeys' },
      template: ref('PodTemplateSpec'),
    },
  },
  DeploymentStrategy: { type: 'object', properties: { type: { type: 'string' }, rollingUpdate: { type: 'object' } } },
  PodTemplateSpec: { type: 'object', properties: { metadata: ref('ObjectMeta'), spec: ref('PodSpec') } },
  PodSpec: {
    type: 'object',
    properties: {
      containers: mergeBy('name', ref('Container')),
      volumes: { ...mergeBy('name', ref('Volume')), 'x-kubernetes-patch-strategy': 'merge,retainKeys' },
      nodeSelector: { type: 'object', additionalProperties: { type: 'string' } },
      args: { type: 'array', items: { type: 'string' } },
    },
  },
  Volume: { type: 'object', properties: { name: { type: 'string' }, emptyDir: { type: 'object' }, hostPath: { type: 'object' } } },
  Container: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      image: { type: 'string' },
      args: { type: 'array', items: { type: 'string' } },
      ports: mergeBy('containerPort', ref('ContainerPort')),
      env: mergeBy('name', ref('EnvVar')),
      resources: { type: 'object' },
    },
  },
  ContainerPort: { type: 'object', properties: { containerPort: { type: 'integer' }, protocol: { type: 'string' } } },
  EnvVar: { type: 'object', properties: { name: { type: 'string' }, value: { type: 'string' } } },
}
const ctx = schemaContextFromDefinitions(defs, 'Deployment') as SchemaContext

const deployment = () => ({
  metadata: { labels: { app: 'web' }, finalizers: ['a', 'b', 'c'] },
  spec: {
    replicas: 2,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } },
    template: {
      spec: {
        containers: [
          {
            name: 'nginx',
            image: 'nginx:1.26',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
          },
          { name: 'sidecar', image: 'busybox' },
        ],
      },
    },
  },
})

const containers = (r: unknown) => (r as ReturnType<typeof deployment>).spec.template.spec.containers

function expectStatus(fn: () => unknown, code: number, message: string, reason?: string): StatusError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(StatusError)
    const se = e as StatusError
    expect(se.code).toBe(code)
    expect(se.status.message).toBe(message)
    if (reason !== undefined) expect(se.status.reason).toBe(reason)
    return se
  }
  throw new Error('expected a StatusError')
}

describe('strategicMergePatch', () => {
  it('kubectl set image changes only the image and keeps ports (lab example)', () => {
    const orig = deployment()
    orig.spec.template.spec.containers.pop()
    const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ image: 'nginx:1.27', name: 'nginx' }] } } } }
    const r = strategicMergePatch(orig, patch, ctx)
    expect(containers(r)).toEqual([
      {
        name: 'nginx',
        image: 'nginx:1.27',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      },
    ])
    expect(JSON.stringify(r)).not.toContain('$')
  })

  it('never mutates its inputs', () => {
    const orig = deployment()
    const patch = { spec: { replicas: 5, template: { spec: { containers: [{ name: 'nginx', image: 'x' }] } } } }
    const before = JSON.stringify(orig)
    const pBefore = JSON.stringify(patch)
    strategicMergePatch(orig, patch, ctx)
    expect(JSON.stringify(orig)).toBe(before)
    expect(JSON.stringify(patch)).toBe(pBefore)
  })

  it('merges maps recursively and deletes with null', () => {
    const r = strategicMergePatch(deployment(), { metadata: { labels: { tier: 'fe', app: null } }, spec: { replicas: null } }, ctx) as ReturnType<
      typeof deployment
    >
    expect(r.metadata.labels).toEqual({ tier: 'fe' })
    expect('replicas' in r.spec).toBe(false)
  })

  it('adds new merge-key elements in patch order; without $setElementOrder they land first (upstream mergeSortedSlice)', () => {
    const r = strategicMergePatch(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              containers: [
                { name: 'z', image: 'z' },
                { name: 'y', image: 'y' },
              ],
            },
          },
        },
      },
      ctx,
    )
    expect(containers(r).map((c) => c.name)).toEqual(['z', 'y', 'nginx', 'sidecar'])
  })

  it('with $setElementOrder new elements go where the order list puts them', () => {
    const patch = {
      spec: {
        template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }, { name: 'z' }], containers: [{ name: 'z', image: 'z' }] } },
      },
    }
    expect(containers(strategicMergePatch(deployment(), patch, ctx)).map((c) => c.name)).toEqual(['nginx', 'sidecar', 'z'])
  })

  it('server-only items come before changed ones (design proposal example: live B,C,A + patch A,B,D)', () => {
    const orig = { spec: { template: { spec: { containers: [{ name: 'B' }, { name: 'C' }, { name: 'A' }] } } } }
    const patch = { spec: { template: { spec: { containers: [{ name: 'A', image: '1' }, { name: 'B', image: '2' }, { name: 'D' }] } } } }
    expect(containers(strategicMergePatch(orig, patch, ctx)).map((c) => c.name)).toEqual(['C', 'A', 'B', 'D'])
  })

  it('deletes an element by merge key with $patch: delete', () => {
    const r = strategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } }, ctx)
    expect(containers(r).map((c) => c.name)).toEqual(['nginx'])
  })

  it('replaces a whole list with $patch: replace', () => {
    const r = strategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'i' }] } } } }, ctx)
    expect(containers(r)).toEqual([{ name: 'only', image: 'i' }])
  })

  it('replaces a map with $patch: replace and deletes it with $patch: delete', () => {
    const r1 = strategicMergePatch(deployment(), { metadata: { labels: { $patch: 'replace', x: 'y' } } }, ctx) as ReturnType<typeof deployment>
    expect(r1.metadata.labels).toEqual({ x: 'y' })
    const r2 = strategicMergePatch(deployment(), { metadata: { labels: { $patch: 'delete' } } }, ctx) as ReturnType<typeof deployment>
    expect(r2.metadata.labels).toEqual({})
  })

  it('replaces lists without a merge strategy', () => {
    const orig = deployment()
    ;(orig.spec.template.spec as Record<string, unknown>).args = ['a', 'b']
    const r = strategicMergePatch(orig, { spec: { template: { spec: { args: ['c'] } } } }, ctx) as { spec: { template: { spec: { args: string[] } } } }
    expect(r.spec.template.spec.args).toEqual(['c'])
  })

  it('unions primitive merge lists and removes with $deleteFromPrimitiveList', () => {
    const r = strategicMergePatch(deployment(), { metadata: { finalizers: ['b', 'd'], '$deleteFromPrimitiveList/finalizers': ['a'] } }, ctx) as ReturnType<
      typeof deployment
    >
    expect([...r.metadata.finalizers].sort()).toEqual(['b', 'c', 'd'])
    expect(r.metadata.finalizers).not.toContain('a')
  })

  it('$setElementOrder reorders and keeps server-only elements', () => {
    const orig = deployment()
    orig.spec.template.spec.containers.push({ name: 'third', image: 't' })
    const patch = {
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'nginx' }], containers: [{ name: 'nginx', image: 'new' }] } } },
    }
    const r = containers(strategicMergePatch(orig, patch, ctx))
    // sidecar and nginx follow the order list; "third" (server only) keeps its place after them
    expect(r.map((c) => c.name)).toEqual(['sidecar', 'nginx', 'third'])
    expect(r[1].image).toBe('new')
    expect(r[1].ports).toEqual([{ containerPort: 80, protocol: 'TCP' }])
  })

  it('rejects a patch list out of $setElementOrder order (500 without reason)', () => {
    const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ name: 'other', image: 'x' }] } } } }
    const e = expectStatus(
      () => strategicMergePatch(deployment(), patch, ctx),
      500,
      "The order in patch list:\n[map[image:x name:other]]\n doesn't match $setElementOrder list:\n[map[name:nginx]]\n",
    )
    expect('reason' in e.status).toBe(false)
  })

  it('retainKeys: switching RollingUpdate→Recreate clears rollingUpdate', () => {
    const patch = { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } }
    const r = strategicMergePatch(deployment(), patch, ctx) as ReturnType<typeof deployment>
    expect(r.spec.strategy).toEqual({ type: 'Recreate' })
  })

  it('retainKeys: a patch key missing from the list is a 400', () => {
    const patch = { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 1 } } } }
    expectStatus(() => strategicMergePatch(deployment(), patch, ctx), 400, 'invalid patch format of retainKeys', 'BadRequest')
  })

  it('nulls inside merged elements delete fields of that element', () => {
    const patch = { spec: { template: { spec: { containers: [{ name: 'nginx', env: null, image: 'x' }] } } } }
    const r = containers(strategicMergePatch(deployment(), patch, ctx))
    expect(r[0]).toEqual({ name: 'nginx', image: 'x', ports: [{ containerPort: 80, protocol: 'TCP' }] })
  })

  it('applies a kubectl three-way apply patch that edits env and ports', () => {
    const patch = {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' } },
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }],
            containers: [
              {
                name: 'nginx',
                '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }],
                env: [
                  { name: 'C', value: '3' },
                  { name: 'B', $patch: 'delete' },
                ],
                '$setElementOrder/ports': [{ containerPort: 80 }, { containerPort: 443 }],
                ports: [{ containerPort: 443, protocol: 'TCP' }],
              },
            ],
          },
        },
      },
    }
    const r = strategicMergePatch(deployment(), patch, ctx) as ReturnType<typeof deployment> & { metadata: { annotations: Record<string, string> } }
    const c = containers(r)
    expect(c.map((x) => x.name)).toEqual(['nginx', 'sidecar'])
    expect(c[0].env).toEqual([
      { name: 'A', value: '1' },
      { name: 'C', value: '3' },
    ])
    expect(c[0].ports).toEqual([
      { containerPort: 80, protocol: 'TCP' },
      { containerPort: 443, protocol: 'TCP' },
    ])
    expect(r.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toBe('{}\n')
    expect(JSON.stringify(r)).not.toContain('$')
  })

  it('merge,retainKeys lists merge by key (volumes)', () => {
    const orig = { spec: { template: { spec: { volumes: [{ name: 'v1', emptyDir: {} }] } } } }
    const r = strategicMergePatch(orig, { spec: { template: { spec: { volumes: [{ name: 'v2', hostPath: { path: '/x' } }] } } } }, ctx) as typeof orig
    expect(r.spec.template.spec.volumes.map((v) => v.name).sort()).toEqual(['v1', 'v2'])
  })

  it('strips directives from values added where the original had nothing', () => {
    const orig = { spec: { template: { spec: {} } } }
    const patch = {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'a' }],
            containers: [{ name: 'a', image: 'i', '$setElementOrder/env': [{ name: 'X' }], env: [{ name: 'X', value: '1' }] }],
          },
        },
      },
    }
    const r = strategicMergePatch(orig, patch, ctx)
    expect(r).toEqual({ spec: { template: { spec: { containers: [{ name: 'a', image: 'i', env: [{ name: 'X', value: '1' }] }] } } } })
  })

  it('a merge-key element without the key is a 500 with the Go map text', () => {
    const patch = { spec: { template: { spec: { containers: [{ image: 'nginx' }] } } } }
    expectStatus(() => strategicMergePatch(deployment(), patch, ctx), 500, 'map: map[image:nginx] does not contain declared merge key: name')
  })

  it('lists of lists are a 422 "server rejected" error', () => {
    const orig = { metadata: { finalizers: [['a']] } }
    const e = expectStatus(
      () => strategicMergePatch(orig, { metadata: { finalizers: [['b']] } }, ctx),
      422,
      'the server rejected our request due to an error in our request',
      'Invalid',
    )
    expect(e.status.details?.causes).toEqual([{ message: 'lists of lists are not supported' }])
  })

  it('$patch: merge in a list and an unknown $patch in a map are errors as upstream', () => {
    expectStatus(
      () => strategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ name: 'nginx', $patch: 'merge' }] } } } }, ctx),
      500,
      'merging lists cannot yet be specified in the patch',
    )
    expectStatus(
      () => strategicMergePatch(deployment(), { metadata: { labels: { $patch: 'bogus' } } }, ctx),
      500,
      'unknown patch type: bogus in map: map[$patch:bogus]',
    )
  })

  it('a bad $deleteFromPrimitiveList key is a 400', () => {
    expectStatus(() => strategicMergePatch(deployment(), { metadata: { $deleteFromPrimitiveList: ['a'] } }, ctx), 400, 'invalid patch format of primitive list')
  })

  it('without a schema, lists are replaced and maps merged', () => {
    const r = strategicMergePatch(
      deployment(),
      { metadata: { labels: { b: '1' } }, spec: { template: { spec: { containers: [{ name: 'x' }] } } } },
      undefined,
    ) as ReturnType<typeof deployment>
    expect(r.metadata.labels).toEqual({ app: 'web', b: '1' })
    expect(containers(r)).toEqual([{ name: 'x' }])
  })

  it('ownerReferences merge by uid', () => {
    const orig = { metadata: { ownerReferences: [{ uid: '1', name: 'a' }] } }
    const r = strategicMergePatch(
      orig,
      {
        metadata: {
          ownerReferences: [
            { uid: '1', name: 'b' },
            { uid: '2', name: 'c' },
          ],
        },
      },
      ctx,
    ) as typeof orig
    expect(r.metadata.ownerReferences).toEqual([
      { uid: '1', name: 'b' },
      { uid: '2', name: 'c' },
    ])
  })
})

describe('strategicMergePatch with the generated openapi/definitions.json', () => {
  const url = new URL('../../../openapi/definitions.json', import.meta.url)
  const exists = existsSync(url)
  it.skipIf(!exists)('kubectl set image keeps ports; retainKeys clears rollingUpdate', () => {
    const defs = JSON.parse(readFileSync(url, 'utf8')) as Record<string, OpenAPISchema>
    const real = schemaContextFromDefinitions(defs, 'io.k8s.api.apps.v1.Deployment')
    expect(real).toBeDefined()
    const r1 = strategicMergePatch(
      deployment(),
      {
        spec: {
          template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }], containers: [{ image: 'nginx:1.27', name: 'nginx' }] } },
        },
      },
      real,
    )
    expect(containers(r1)[0]).toMatchObject({ image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }] })
    const r2 = strategicMergePatch(deployment(), { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, real) as ReturnType<typeof deployment>
    expect(r2.spec.strategy).toEqual({ type: 'Recreate' })
    const r3 = strategicMergePatch(deployment(), { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } }, real) as ReturnType<typeof deployment>
    expect(r3.metadata.finalizers).toEqual(['a', 'c'])
  })
})
