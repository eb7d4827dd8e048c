/** @module v3-to-v2.test: the OpenAPI 3 → Swagger 2.0 conversion, and the served v2 document against upstream's api/openapi-spec/swagger.json. */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ServedResource } from '../../src/openapi/documents.js'
import { createSwaggerV2 } from '../../src/openapi/swagger-v2.js'
import { operationToV2, schemaToV2 } from '../../src/openapi/v3-to-v2.js'
import { repoRoot } from '../helpers/kubectl-path.js'

const all = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection']
const resources: ServedResource[] = [
  {
    group: '',
    version: 'v1',
    kind: 'Pod',
    plural: 'pods',
    namespaced: true,
    verbs: all,
    subresources: [
      { name: 'status', verbs: ['get', 'patch', 'update'] },
      { name: 'log', verbs: ['get'] },
      { name: 'exec', verbs: ['get', 'create'] },
      { name: 'portforward', verbs: ['get', 'create'] },
      { name: 'proxy', verbs: ['get', 'create', 'update', 'patch', 'delete'] },
      { name: 'binding', verbs: ['create'], kind: { group: '', version: 'v1', kind: 'Binding' } },
      { name: 'eviction', verbs: ['create'], kind: { group: 'policy', version: 'v1', kind: 'Eviction' } },
    ],
  },
  {
    group: '',
    version: 'v1',
    kind: 'Service',
    plural: 'services',
    namespaced: true,
    verbs: all,
    subresources: [{ name: 'status', verbs: ['get', 'patch', 'update'] }],
  },
  {
    group: '',
    version: 'v1',
    kind: 'Node',
    plural: 'nodes',
    namespaced: false,
    verbs: all,
    subresources: [{ name: 'status', verbs: ['get', 'patch', 'update'] }],
  },
  {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    namespaced: true,
    verbs: all,
    subresources: [
      { name: 'status', verbs: ['get', 'patch', 'update'] },
      { name: 'scale', verbs: ['get', 'patch', 'update'], kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' } },
    ],
  },
  {
    group: 'batch',
    version: 'v1',
    kind: 'Job',
    plural: 'jobs',
    namespaced: true,
    verbs: all,
    subresources: [{ name: 'status', verbs: ['get', 'patch', 'update'] }],
  },
]

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const served = JSON.parse(createSwaggerV2(resources, { gitVersion: 'v1.32.4' }).json().body.toString('utf8')) as Json

// Upstream reference data (kubernetes v1.32.0 api/openapi-spec/swagger.json), read only when present.
const referencePath = join(repoRoot, '..', 'shared', 'k8s-openapi', 'swagger.json')
const reference = existsSync(referencePath) ? (JSON.parse(readFileSync(referencePath, 'utf8')) as Json) : undefined

/** Drops description texts (ours come from kubernetes-types 1.30 doc comments) and sorts keys. */
function structure(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(structure)
  if (v && typeof v === 'object') {
    const out: Json = {}
    for (const k of Object.keys(v).sort()) if (k !== 'description') out[k] = structure((v as Json)[k])
    return out
  }
  return v
}

/** An upstream operation with its `#/parameters/…` references resolved (kube-openapi shares them; we inline). */
function resolvedOperation(doc: Json, op: Json): Json {
  if (!op.parameters) return op
  return { ...op, parameters: op.parameters.map((p: Json) => (p.$ref ? doc.parameters[p.$ref.split('/').pop()] : p)) }
}

describe('schemaToV2', () => {
  it('turns allOf-wrapped references into plain $ref beside their siblings, with #/definitions/', () => {
    const v3 = { allOf: [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }], description: 'Specification of the desired behavior of the pod.' }
    expect(schemaToV2(v3)).toEqual({ $ref: '#/definitions/io.k8s.api.core.v1.PodSpec', description: 'Specification of the desired behavior of the pod.' })
    expect(v3.allOf).toHaveLength(1)
  })

  it('converts references inside items, additionalProperties and properties', () => {
    const v3 = {
      type: 'object',
      properties: {
        containers: { type: 'array', items: { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' }, 'x-kubernetes-patch-merge-key': 'name' },
        limits: { type: 'object', additionalProperties: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' } },
      },
    }
    expect(schemaToV2(v3)).toEqual({
      type: 'object',
      properties: {
        containers: { type: 'array', items: { $ref: '#/definitions/io.k8s.api.core.v1.Container' }, 'x-kubernetes-patch-merge-key': 'name' },
        limits: { type: 'object', additionalProperties: { $ref: '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity' } },
      },
    })
  })

  it('writes the oneOf types IntOrString and Quantity as type string, and drops nullable', () => {
    expect(schemaToV2({ format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true })).toEqual({
      format: 'int-or-string',
      type: 'string',
    })
    expect(schemaToV2({ oneOf: [{ type: 'string' }, { type: 'number' }] })).toEqual({ type: 'string' })
    expect(schemaToV2({ type: 'string', nullable: true })).toEqual({ type: 'string' })
  })

  it('refuses a oneOf that Swagger 2.0 cannot state', () => {
    expect(() => schemaToV2({ oneOf: [{ $ref: '#/components/schemas/A' }, { type: 'string' }] })).toThrow(/cannot express oneOf/)
  })
})

describe('operationToV2', () => {
  it('makes the requestBody the body parameter and lists parameters by name, flattening their schemas', () => {
    const op = operationToV2({
      operationId: 'createCoreV1NamespacedPod',
      'x-kubernetes-action': 'post',
      parameters: [
        { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
        { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
      ],
      requestBody: { content: { '*/*': { schema: { $ref: '#/components/schemas/io.k8s.api.core.v1.Pod' } } }, required: true },
      responses: {
        200: {
          description: 'OK',
          content: {
            'application/json': { schema: { $ref: '#/components/schemas/io.k8s.api.core.v1.Pod' } },
            'application/yaml': { schema: { $ref: '#/components/schemas/io.k8s.api.core.v1.Pod' } },
          },
        },
        401: { description: 'Unauthorized' },
      },
    })
    expect(op).toEqual({
      operationId: 'createCoreV1NamespacedPod',
      'x-kubernetes-action': 'post',
      consumes: ['*/*'],
      produces: ['application/json', 'application/yaml'],
      parameters: [
        { in: 'body', name: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.api.core.v1.Pod' } },
        { name: 'dryRun', in: 'query', type: 'string', uniqueItems: true },
        { name: 'fieldValidation', in: 'query', type: 'string', uniqueItems: true },
      ],
      responses: { 200: { description: 'OK', schema: { $ref: '#/definitions/io.k8s.api.core.v1.Pod' } }, 401: { description: 'Unauthorized' } },
      schemes: ['https'],
    })
  })
})

describe('the served /openapi/v2 document', () => {
  it('is one Swagger 2.0 document with every served kind, tagged with its GVK, and only #/definitions/ references', () => {
    expect(served).toMatchObject({ swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.4' }, security: [{ BearerToken: [] }] })
    expect(served.securityDefinitions.BearerToken).toEqual({ description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' })
    expect(served.definitions['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind']).toEqual([{ group: '', kind: 'Pod', version: 'v1' }])
    expect(served.definitions['io.k8s.api.batch.v1.Job']['x-kubernetes-group-version-kind']).toEqual([{ group: 'batch', kind: 'Job', version: 'v1' }])
    const text = JSON.stringify(served)
    expect(text).not.toContain('#/components/schemas/')
    expect(text).not.toContain('"allOf"')
    for (const m of text.matchAll(/"\$ref":"#\/definitions\/([^"]+)"/g)) expect(served.definitions[m[1]], m[1]).toBeDefined()
  })

  it('lets kubectl ≤ 1.26 find dryRun and fieldValidation on the PATCH of each kind, with a Patch body as upstream', () => {
    const patch = served.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', kind: 'Deployment', version: 'v1' })
    expect(patch.parameters.map((p: Json) => `${p.in}:${p.name}`)).toEqual([
      'body:body',
      'query:dryRun',
      'query:fieldManager',
      'query:fieldValidation',
      'query:force',
    ])
    expect(patch.parameters[0].schema).toEqual({ $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' })
    expect(patch.consumes).toContain('application/strategic-merge-patch+json')
  })

  describe.skipIf(!reference)('compared with upstream v1.32 swagger.json (../shared/k8s-openapi)', () => {
    const names = [
      'io.k8s.api.core.v1.Pod',
      'io.k8s.api.core.v1.PodSpec',
      'io.k8s.api.core.v1.Container',
      'io.k8s.api.core.v1.ServiceSpec',
      'io.k8s.api.apps.v1.Deployment',
      'io.k8s.api.apps.v1.DeploymentSpec',
      'io.k8s.api.batch.v1.JobSpec',
      'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
      'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
      'io.k8s.apimachinery.pkg.api.resource.Quantity',
      'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
    ]
    it.each(names)("definition %s has upstream's structure (types, $refs, required, formats, x-kubernetes-*)", (name) => {
      expect(structure(served.definitions[name])).toEqual(structure(reference!.definitions[name]))
    })

    const operations: [string, string][] = [
      ['/api/v1/namespaces/{namespace}/pods', 'post'],
      ['/api/v1/namespaces/{namespace}/pods', 'get'],
      ['/api/v1/namespaces/{namespace}/pods', 'delete'],
      ['/api/v1/namespaces/{namespace}/pods/{name}', 'put'],
      ['/api/v1/namespaces/{namespace}/pods/{name}', 'patch'],
      ['/api/v1/watch/namespaces/{namespace}/pods/{name}', 'get'],
      ['/api/v1/nodes/{name}', 'get'],
      ['/apis/apps/v1/namespaces/{namespace}/deployments/{name}', 'patch'],
      ['/apis/apps/v1/namespaces/{namespace}/deployments/{name}', 'delete'],
      ['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale', 'put'],
      ['/apis/apps/v1/', 'get'],
      ['/api/', 'get'],
      ['/api/v1/namespaces/{namespace}/pods/{name}/exec', 'post'],
      ['/api/v1/namespaces/{namespace}/pods/{name}/log', 'get'],
      ['/api/v1/namespaces/{namespace}/pods/{name}/portforward', 'get'],
      ['/api/v1/namespaces/{namespace}/pods/{name}/proxy', 'head'],
      ['/api/v1/namespaces/{namespace}/pods/{name}/proxy/{path}', 'put'],
      ['/api/v1/namespaces/{namespace}/pods/{name}/binding', 'post'],
      ['/api/v1/namespaces/{namespace}/pods/{name}/eviction', 'post'],
      ['/api/v1/namespaces/{namespace}/pods/{name}/status', 'patch'],
    ]
    it.each(operations)("%s %s has upstream's operationId, action, GVK, media types, parameters and responses", (path, method) => {
      const ours = served.paths[path][method] as Json
      const theirs = resolvedOperation(reference!, reference!.paths[path][method])
      expect(structure(ours)).toEqual(structure(theirs))
      expect(structure(served.paths[path].parameters)).toEqual(structure(resolvedOperation(reference!, reference!.paths[path]).parameters))
    })
  })
})
