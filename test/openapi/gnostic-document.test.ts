/** @module gnostic-document.test: the /openapi/v2 protobuf, decoded again with protobufjs from our gnostic message description. */
import { describe, expect, it } from 'vitest'
import { parse as parseYAML } from 'yaml'
import type { ServedResource } from '../../src/openapi/documents.js'
import { encodeGnosticDocument, gnosticDocumentType, toGnosticDocument } from '../../src/openapi/gnostic-document.js'
import { createSwaggerV2 } from '../../src/openapi/swagger-v2.js'

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
      { name: 'exec', verbs: ['get', 'create'] },
    ],
  },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, verbs: all, subresources: [] },
]

type Msg = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const named = (list: Msg[] | undefined, name: string): Msg | undefined => list?.find((x) => x.name === name)?.value
const extension = (m: Msg, name: string): unknown => {
  const yaml = named(m.vendorExtension, name)?.yaml as string | undefined
  return yaml === undefined ? undefined : parseYAML(yaml)
}

describe('the gnostic openapi_v2.Document protobuf', async () => {
  const service = createSwaggerV2(resources, { gitVersion: 'v1.32.4' })
  const json = JSON.parse(service.json().body.toString('utf8')) as Msg
  const { body, etag } = await service.protobuf()
  const type = await gnosticDocumentType()
  const decoded = type.toObject(type.decode(body)) as Msg

  it('starts as gnostic writes it: field 1 swagger "2.0", then field 2 info', () => {
    expect([...body.subarray(0, 5)]).toEqual([0x0a, 3, 0x32, 0x2e, 0x30])
    expect(body[5]).toBe(0x12)
    expect(decoded.swagger).toBe('2.0')
    expect(decoded.info).toEqual({ title: 'Kubernetes', version: 'v1.32.4' })
    expect(etag).toBe(service.json().etag)
  })

  it('decodes to exactly the message built from the JSON document', () => {
    expect(decoded).toEqual(JSON.parse(JSON.stringify(toGnosticDocument(json))))
  })

  it('carries every definition, in document order, with properties, refs and types', () => {
    const defs = decoded.definitions.additionalProperties as Msg[]
    expect(defs.map((d) => d.name)).toEqual(Object.keys(json.definitions))
    const pod = named(defs, 'io.k8s.api.core.v1.Pod')!
    expect(pod.type).toEqual({ value: ['object'] })
    expect(named(pod.properties.additionalProperties, 'spec')).toMatchObject({ ref: '#/definitions/io.k8s.api.core.v1.PodSpec' })
    const podSpec = named(defs, 'io.k8s.api.core.v1.PodSpec')!
    expect(podSpec.required).toEqual(['containers'])
    const containers = named(podSpec.properties.additionalProperties, 'containers')!
    expect(containers.items).toEqual({ schema: [{ ref: '#/definitions/io.k8s.api.core.v1.Container' }] })
    const labels = named(named(defs, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')!.properties.additionalProperties, 'labels')!
    expect(labels.additionalProperties).toEqual({ schema: { type: { value: ['string'] } } })
  })

  it('writes vendor extensions as NamedAny with YAML values (what kubectl reads patch keys and GVKs from)', () => {
    const defs = decoded.definitions.additionalProperties as Msg[]
    const podSpec = named(defs, 'io.k8s.api.core.v1.PodSpec')!
    const containers = named(podSpec.properties.additionalProperties, 'containers')!
    expect(named(containers.vendorExtension, 'x-kubernetes-patch-merge-key')).toEqual({ yaml: 'name\n' })
    expect(extension(containers, 'x-kubernetes-patch-strategy')).toBe('merge')
    expect(extension(containers, 'x-kubernetes-list-map-keys')).toEqual(['name'])
    expect(extension(named(defs, 'io.k8s.api.apps.v1.Deployment')!, 'x-kubernetes-group-version-kind')).toEqual([
      { group: 'apps', kind: 'Deployment', version: 'v1' },
    ])
  })

  it('encodes operations with query, path and body parameters in their oneof members', () => {
    const item = named(decoded.paths.path, '/apis/apps/v1/namespaces/{namespace}/deployments/{name}')!
    expect(item.parameters.map((p: Msg) => Object.keys(p.parameter.nonBodyParameter)[0])).toEqual([
      'pathParameterSubSchema',
      'pathParameterSubSchema',
      'queryParameterSubSchema',
    ])
    expect(item.parameters[0].parameter.nonBodyParameter.pathParameterSubSchema).toMatchObject({
      name: 'name',
      in: 'path',
      required: true,
      type: 'string',
      uniqueItems: true,
    })
    const patch = item.patch
    expect(patch.operationId).toBe('patchAppsV1NamespacedDeployment')
    expect(extension(patch, 'x-kubernetes-group-version-kind')).toEqual({ group: 'apps', kind: 'Deployment', version: 'v1' })
    expect(extension(patch, 'x-kubernetes-action')).toBe('patch')
    expect(patch.parameters[0].parameter.bodyParameter).toEqual({
      name: 'body',
      in: 'body',
      required: true,
      schema: { ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' },
    })
    const query = patch.parameters.slice(1).map((p: Msg) => p.parameter.nonBodyParameter.queryParameterSubSchema.name)
    expect(query).toEqual(['dryRun', 'fieldManager', 'fieldValidation', 'force'])
    expect(named(patch.responses.responseCode, '200')).toMatchObject({
      response: { description: 'OK', schema: { schema: { ref: '#/definitions/io.k8s.api.apps.v1.Deployment' } } },
    })
  })

  it('encodes security as gnostic does: an apiKey definition and a requirement with no scopes', () => {
    expect(decoded.securityDefinitions.additionalProperties).toEqual([
      { name: 'BearerToken', value: { apiKeySecurity: { type: 'apiKey', name: 'authorization', in: 'header', description: 'Bearer Token authentication' } } },
    ])
    expect(decoded.security).toEqual([{ additionalProperties: [{ name: 'BearerToken', value: {} }] }])
  })

  it('keeps oneof members even when they hold a zero value (additionalProperties: false)', async () => {
    const bytes = await encodeGnosticDocument({ swagger: '2.0', definitions: { Closed: { type: 'object', additionalProperties: false } } })
    const back = type.toObject(type.decode(bytes)) as Msg
    expect(back.definitions.additionalProperties[0].value).toEqual({ additionalProperties: { boolean: false }, type: { value: ['object'] } })
  })
})
