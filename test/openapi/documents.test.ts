/** @module documents.test: the served /openapi/v3 index and group-version documents. */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createOpenAPIDocuments, type ServedResource } from '../../src/openapi/documents.js'

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
      { name: 'binding', verbs: ['create'], kind: { group: '', version: 'v1', kind: 'Binding' } },
      { name: 'eviction', verbs: ['create'], kind: { group: 'policy', version: 'v1', kind: 'Eviction' } },
    ],
  },
  {
    group: '',
    version: 'v1',
    kind: 'Namespace',
    plural: 'namespaces',
    namespaced: false,
    verbs: all.filter((v) => v !== 'deletecollection'),
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
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, verbs: all, subresources: [] },
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
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true, verbs: all, subresources: [] },
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true, verbs: all, subresources: [] },
  { group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, verbs: all, subresources: [] },
]

type Op = {
  operationId: string
  parameters?: { name: string; in: string }[]
  requestBody?: unknown
  'x-kubernetes-group-version-kind': unknown
  'x-kubernetes-action': string
}
type Doc = {
  openapi: string
  info: { version: string }
  paths: Record<string, Record<string, Op>>
  components: { schemas: Record<string, Record<string, unknown>> }
}

function parse(docs: ReturnType<typeof createOpenAPIDocuments>, key: string): Doc {
  return JSON.parse(docs.document(key)!.body) as Doc
}

describe('createOpenAPIDocuments', () => {
  const docs = createOpenAPIDocuments(resources, { gitVersion: 'v1.32.4' })

  it('indexes every group-version, group and the api/apis roots with hash-qualified URLs', () => {
    const { paths } = docs.index()
    expect(Object.keys(paths)).toEqual([
      'api',
      'api/v1',
      'apis',
      'apis/apps',
      'apis/apps/v1',
      'apis/coordination.k8s.io',
      'apis/coordination.k8s.io/v1',
      'apis/events.k8s.io',
      'apis/events.k8s.io/v1',
    ])
    for (const [key, { serverRelativeURL }] of Object.entries(paths)) {
      const doc = docs.document(key)!
      expect(serverRelativeURL).toBe(`/openapi/v3/${key}?hash=${doc.hash}`)
      expect(doc.hash).toBe(createHash('sha512').update(doc.body).digest('hex').toUpperCase())
    }
  })

  it('is deterministic across instances and answers undefined for unknown paths', () => {
    const again = createOpenAPIDocuments([...resources].reverse(), { gitVersion: 'v1.32.4' })
    expect(again.document('apis/apps/v1')!.hash).toBe(docs.document('apis/apps/v1')!.hash)
    expect(docs.document('apis/batch/v1')).toBeUndefined()
    expect(docs.document('apis/apps/v2')).toBeUndefined()
  })

  it('lets kubectl find server-side field validation: the Deployment PATCH lists fieldValidation (query_param_verifier_v3.go)', () => {
    const doc = parse(docs, 'apis/apps/v1')
    expect(doc.openapi).toBe('3.0.0')
    expect(doc.info.version).toBe('v1.32.4')
    const patches = Object.values(doc.paths)
      .map((item) => item.patch)
      .filter(Boolean)
    const patch = patches.find(
      (op) => JSON.stringify(op['x-kubernetes-group-version-kind']) === JSON.stringify({ group: 'apps', kind: 'Deployment', version: 'v1' }),
    )
    expect(patch?.operationId).toBe('patchAppsV1NamespacedDeployment')
    expect(patch?.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['fieldValidation', 'dryRun', 'fieldManager']))
    // No SMP requestBody: kubectl must fall back to its compiled-in patch metadata (protocol-core.md §2.2).
    expect(patch?.requestBody).toBeUndefined()
  })

  it('gives every POST, PUT and PATCH the write parameters, PATCH on the operation itself (where kubectl looks)', () => {
    for (const key of Object.keys(docs.index().paths)) {
      for (const [path, item] of Object.entries(parse(docs, key).paths)) {
        const shared = ((item as { parameters?: { name: string }[] }).parameters ?? []).map((p) => p.name)
        for (const method of ['post', 'put', 'patch']) {
          const op = item[method]
          if (!op || op['x-kubernetes-action'] === 'connect') continue
          const own = op.parameters?.map((p) => p.name) ?? []
          expect(method === 'patch' ? own : [...own, ...shared], `${method} ${path}`).toEqual(
            expect.arrayContaining(['fieldValidation', 'dryRun', 'fieldManager']),
          )
        }
      }
    }
  })

  it('lists parameters that all operations of a path share at path level, as kube-openapi does', () => {
    const core = parse(docs, 'api/v1').paths as Record<string, { parameters?: { name: string }[]; post?: Op }>
    const binding = core['/api/v1/namespaces/{namespace}/pods/{name}/binding']
    expect(binding.parameters?.map((p) => p.name)).toEqual(['name', 'namespace', 'pretty', 'dryRun', 'fieldManager', 'fieldValidation'])
    expect(binding.post?.parameters).toBeUndefined()
    expect(core['/api/v1/namespaces/{namespace}/pods/{name}'].parameters?.map((p) => p.name)).toEqual(['name', 'namespace', 'pretty'])
  })

  it('serves the upstream paths for namespaced and cluster-scoped resources', () => {
    const core = parse(docs, 'api/v1')
    expect(Object.keys(core.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/',
        '/api/v1/namespaces/{namespace}/pods',
        '/api/v1/namespaces/{namespace}/pods/{name}',
        '/api/v1/namespaces/{namespace}/pods/{name}/status',
        '/api/v1/namespaces/{namespace}/pods/{name}/eviction',
        '/api/v1/pods',
        '/api/v1/watch/namespaces/{namespace}/pods',
        '/api/v1/nodes',
        '/api/v1/nodes/{name}',
        '/api/v1/watch/nodes/{name}',
      ]),
    )
    expect(core.paths['/api/v1/nodes']).not.toHaveProperty('parameters.0.name', 'namespace')
    expect(core.paths['/api/v1/namespaces']).not.toHaveProperty('delete')
    expect(core.paths['/api/v1/namespaces/{namespace}/pods'].get.operationId).toBe('listCoreV1NamespacedPod')
    expect(core.paths['/api/v1/pods'].get.operationId).toBe('listCoreV1PodForAllNamespaces')
    expect(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction'].post['x-kubernetes-group-version-kind']).toEqual({
      group: 'policy',
      version: 'v1',
      kind: 'Eviction',
    })
    const apps = parse(docs, 'apis/apps/v1')
    expect(apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].patch['x-kubernetes-group-version-kind']).toEqual({
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
    })
    expect(parse(docs, 'apis/coordination.k8s.io/v1').paths['/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases'].get.operationId).toBe(
      'listCoordinationV1NamespacedLease',
    )
  })

  it('carries the full schemas kubectl explain walks (deployment.spec.strategy, pods.spec.containers)', () => {
    const apps = parse(docs, 'apis/apps/v1').components.schemas
    expect(apps['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', kind: 'Deployment', version: 'v1' }])
    expect(apps['io.k8s.api.apps.v1.DeploymentStrategy']).toHaveProperty('properties.rollingUpdate')
    expect(apps['io.k8s.api.autoscaling.v1.Scale']).toBeDefined()
    const core = parse(docs, 'api/v1').components.schemas
    expect(core['io.k8s.api.core.v1.PodSpec']).toHaveProperty(['properties', 'containers', 'x-kubernetes-patch-merge-key'], 'name')
    expect(core['io.k8s.api.core.v1.Container']).toHaveProperty('properties.image')
    // Only what the document needs: no apps kinds in the core document.
    expect(core['io.k8s.api.apps.v1.Deployment']).toBeUndefined()
  })

  it('resolves every $ref inside the document that holds it', () => {
    for (const key of Object.keys(docs.index().paths)) {
      const text = docs.document(key)!.body
      const doc = JSON.parse(text) as Doc
      const refs = [...text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1])
      expect(refs.length, key).toBeGreaterThan(0)
      for (const r of refs) expect(doc.components.schemas[r], `${key}: ${r}`).toBeDefined()
    }
  })
})
