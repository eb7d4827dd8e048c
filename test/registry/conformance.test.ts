/**
 * One conformance suite for every served kind (after Kubernetes' resttest): each definition
 * supplies only a valid fixture; the shared create/get/list/update/watch/delete rules are checked
 * the same way for all of them.
 */
import { describe, expect, it } from 'vitest'
import { tableJSON } from '../../src/api/table.js'
import { definitions } from '../../src/registry/definitions.js'
import { Registry } from '../../src/registry/registry.js'
import { SimClock } from '../../src/sim/clock.js'
import { MemoryStore } from '../../src/store/object-store.js'
import type { KubeObject } from '../../src/types.js'

const template = { metadata: { labels: { app: 'c' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.15.12' }] } }
const selector = { matchLabels: { app: 'c' } }

/** A minimal valid object per kind (the fixture is all a definition has to provide). */
const fixtures: Record<string, Record<string, unknown>> = {
  // Keyed by Kind for the core group, group/Kind otherwise.
  Pod: { spec: { containers: [{ name: 'c', image: 'nginx:1.15.12' }] } },
  Service: { spec: { selector: { app: 'c' }, ports: [{ port: 80 }] } },
  Endpoints: { subsets: [{ addresses: [{ ip: '10.244.1.5' }], ports: [{ port: 80 }] }] },
  Namespace: {},
  Node: {},
  ConfigMap: { data: { a: 'b' } },
  Secret: { stringData: { a: 'b' } },
  ServiceAccount: {},
  Event: { involvedObject: { kind: 'Pod', name: 'x', namespace: 'default' }, reason: 'Test', message: 'hello', type: 'Normal' },
  ReplicationController: { spec: { selector: { app: 'c' }, template } },
  PodTemplate: { template },
  ResourceQuota: { spec: { hard: { pods: '10' } } },
  LimitRange: { spec: { limits: [{ type: 'Container', max: { cpu: '1' } }] } },
  'events.k8s.io/Event': {
    eventTime: '2026-11-27T10:00:00.000000Z',
    regarding: { kind: 'Pod', name: 'x', namespace: 'default' },
    reason: 'Test',
    note: 'hello',
    type: 'Normal',
    action: 'Testing',
    reportingController: 'conformance',
    reportingInstance: 'conformance-1',
  },
  'apps/Deployment': { spec: { selector, template } },
  'apps/ReplicaSet': { spec: { selector, template } },
  'apps/DaemonSet': { spec: { selector, template } },
  'apps/StatefulSet': { spec: { selector, serviceName: 'c', template } },
  'apps/ControllerRevision': { revision: 1, data: {} },
  'autoscaling/HorizontalPodAutoscaler': { spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'c' }, maxReplicas: 3 } },
  'batch/Job': { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } },
  'batch/CronJob': {
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } },
    },
  },
  'networking.k8s.io/IngressClass': { spec: { controller: 'k8s.io/ingress-nginx' } },
  'networking.k8s.io/Ingress': {
    spec: {
      rules: [{ host: 'c.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'c', port: { number: 80 } } } }] } }],
    },
  },
  'networking.k8s.io/NetworkPolicy': { spec: { podSelector: { matchLabels: { app: 'c' } }, policyTypes: ['Ingress'] } },
  'policy/PodDisruptionBudget': { spec: { minAvailable: 1, selector } },
  'rbac.authorization.k8s.io/Role': { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
  'rbac.authorization.k8s.io/ClusterRole': { rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }] },
  'rbac.authorization.k8s.io/RoleBinding': { roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'jane' }] },
  'rbac.authorization.k8s.io/ClusterRoleBinding': {
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'default' }],
  },
  'coordination.k8s.io/Lease': { spec: { holderIdentity: 'x' } },
  'apiregistration.k8s.io/APIService': { spec: { group: 'conformance.example.com', version: 'v1', groupPriorityMinimum: 100, versionPriority: 10 } },
  'certificates.k8s.io/CertificateSigningRequest': {
    // openssl req -new -subj /CN=conformance (EC P-256), base64 as JSON carries []byte.
    spec: {
      request:
        'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlIUk1IZ0NBUUF3RmpFVU1CSUdBMVVFQXd3TFkyOXVabTl5YldGdVkyVXdXVEFUQmdjcWhrak9QUUlCQmdncQpoa2pPUFFNQkJ3TkNBQVF6NHZpNkRTTjZnVmFJVzRISXdaSTI0TTBJa1VzYm1POTZKZFNtY2k0amFZN1NsWnlYCnljdDRGcGdqSGErbUVrc2grayszMnBhMGtwYXg1aDAvWE9xZ29BQXdDZ1lJS29aSXpqMEVBd0lEU1FBd1JnSWgKQUwyRm1IZWJBRlJTMVo4c3BJRm12T2tlUWZXUnliMS9GaFUvcllFU2JJdWdBaUVBbkVmSzVjZ21iRjNJa29kaApXMDk5ekljTzFwSkxTZVdrQTN0dG9Da3REem89Ci0tLS0tRU5EIENFUlRJRklDQVRFIFJFUVVFU1QtLS0tLQo=',
      signerName: 'example.com/conformance',
      usages: ['client auth'],
    },
  },
  'flowcontrol.apiserver.k8s.io/FlowSchema': {
    spec: {
      priorityLevelConfiguration: { name: 'global-default' },
      rules: [{ subjects: [{ kind: 'Group', group: { name: 'dev' } }], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/x'] }] }],
    },
  },
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration': { spec: { type: 'Limited', limited: { limitResponse: { type: 'Reject' } } } },
  'scheduling.k8s.io/PriorityClass': { value: 1000, description: 'conformance' },
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy': {
    spec: {
      matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['deployments'] }] },
      validations: [{ expression: 'object.spec.replicas <= 5' }],
    },
  },
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding': { spec: { policyName: 'conformance', validationActions: ['Deny'] } },
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': {
    webhooks: [
      {
        name: 'check.conformance.example.com',
        clientConfig: { url: 'https://127.0.0.1:9443/check' },
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
      },
    ],
  },
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': {
    webhooks: [
      {
        name: 'mutate.conformance.example.com',
        clientConfig: { url: 'https://127.0.0.1:9443/mutate' },
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
      },
    ],
  },
  'node.k8s.io/RuntimeClass': { handler: 'runc' },
  'discovery.k8s.io/EndpointSlice': { addressType: 'IPv4', endpoints: [{ addresses: ['10.244.1.5'] }], ports: [{ port: 80 }] },
  PersistentVolume: { spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/pv' } } },
  PersistentVolumeClaim: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
  'storage.k8s.io/StorageClass': { provisioner: 'rancher.io/local-path' },
  'storage.k8s.io/CSIDriver': {},
  'storage.k8s.io/CSINode': { spec: { drivers: [] } },
  'storage.k8s.io/CSIStorageCapacity': { storageClassName: 'standard', capacity: '10Gi' },
  'apiextensions.k8s.io/CustomResourceDefinition': {
    spec: {
      group: 'conformance.example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', kind: 'Widget' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
    },
  },
  'storage.k8s.io/VolumeAttachment': { spec: { attacher: 'csi.example.com', nodeName: 'kind-worker', source: { persistentVolumeName: 'pv-1' } } },
}

/** Kinds whose names are constrained (APIService: `<version>.<group>`) name their object here; others use `conformance-1`. */
const fixtureNames: Record<string, string> = {
  'apiregistration.k8s.io/APIService': 'v1.conformance.example.com',
  'apiextensions.k8s.io/CustomResourceDefinition': 'widgets.conformance.example.com',
}

async function setup() {
  const clock = new SimClock({ start: Date.parse('2026-11-27T10:00:00Z'), speed: 0 })
  const registry = new Registry({ store: new MemoryStore(), clock, definitions })
  await registry.resource('', 'namespaces').create('', { metadata: { name: 'default' } })
  return registry
}

// Kinds with their own REST storage (computed componentstatuses, create-only bindings) have their own tests.
const stored = definitions.filter((d) => !d.computed && !d.restCreate)
describe.each(stored.map((d) => [d.group ? `${d.group}/${d.kind}` : d.kind, d] as const))('%s conformance', (key, def) => {
  const kind = def.kind
  const fixture = (name: string): KubeObject => ({ ...structuredClone(fixtures[key] ?? {}), metadata: { name, labels: { conformance: 'yes' } } }) as KubeObject
  const ns = def.namespaced ? 'default' : ''
  const name = kind === 'Namespace' ? 'conformance-ns' : (fixtureNames[key] ?? 'conformance-1')

  it('has a fixture', () => {
    expect(fixtures[key], `add a fixture for ${key} in test/registry/conformance.test.ts`).toBeDefined()
  })

  it('creates with system metadata, then gets and lists it', async () => {
    const rs = (await setup()).resource(def.group, def.plural)
    const s = await rs.create(ns, fixture(name))
    expect(s.obj.kind).toBe(kind)
    expect(s.obj.apiVersion).toBe(def.group ? `${def.group}/${def.version}` : def.version)
    expect(s.obj.metadata.uid).toMatch(/^[0-9a-f-]{36}$/)
    expect(s.obj.metadata.creationTimestamp).toBe('2026-11-27T10:00:00Z')
    expect(Number(s.obj.metadata.resourceVersion)).toBeGreaterThan(0)
    expect(s.obj.metadata.namespace).toBe(def.namespaced ? 'default' : undefined)
    expect(rs.get(ns, name).rv).toBe(s.rv)
    expect(rs.list(ns || undefined, { labelSelector: 'conformance=yes' }).items.map((x) => x.obj.metadata.name)).toContain(name)
    expect(rs.list(ns || undefined, { fieldSelector: `metadata.name=${name}` }).items).toHaveLength(1)
    expect(rs.list(ns || undefined, { labelSelector: 'conformance=no' }).items).toHaveLength(0)
    await expect(rs.create(ns, fixture(name))).rejects.toThrow(/already exists/)
  })

  it('updates metadata without touching generation, and rejects a stale resourceVersion', async () => {
    const rs = (await setup()).resource(def.group, def.plural)
    const s = await rs.create(ns, fixture(name))
    const gen = s.obj.metadata.generation
    const u = await rs.guaranteedUpdate(ns, name, (o) => ({ ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, extra: 'x' } } }))
    expect(u.rv).toBeGreaterThan(s.rv)
    expect(u.obj.metadata.generation).toBe(gen)
    expect(u.obj.metadata.uid).toBe(s.obj.metadata.uid)
    const stale = { ...JSON.parse(u.json), metadata: { ...JSON.parse(u.json).metadata, resourceVersion: String(s.rv) } }
    await expect(rs.update(ns, name, stale)).rejects.toThrow(/the object has been modified/)
  })

  it('prints a Table row with one cell per column', async () => {
    const rs = (await setup()).resource(def.group, def.plural)
    const s = await rs.create(ns, fixture(name))
    const table = JSON.parse(tableJSON(rs, [s], { resourceVersion: String(s.rv) }, new Date('2026-11-27T10:05:00Z'), 'Metadata'))
    expect(table.rows[0].cells).toHaveLength(table.columnDefinitions.length)
    // Every printer has a Name column (events put it last, as a wide column).
    const nameAt = table.columnDefinitions.findIndex((c: { name: string }) => c.name === 'Name')
    expect(nameAt).toBeGreaterThanOrEqual(0)
    expect(table.rows[0].cells[nameAt]).toBe(name)
    expect(table.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name } })
  })

  it('streams ADDED, MODIFIED and DELETED to a watcher and removes the object', async () => {
    const rs = (await setup()).resource(def.group, def.plural)
    const seen: string[] = []
    const { stop } = rs.watch(ns || undefined, { resourceVersion: String(rs.currentRV()) }, (e) => seen.push(e.type))
    await rs.create(ns, fixture(name))
    await rs.guaranteedUpdate(ns, name, (o) => ({ ...o, metadata: { ...o.metadata, annotations: { a: 'b' } } }))
    let res = await rs.delete(ns, name, {})
    // Kinds with finalizers or grace (namespaces) are only marked; finish them the way their controller would.
    if (res.outcome === 'pending') {
      await rs.guaranteedUpdate(ns, name, (o) => ({ ...o, metadata: { ...o.metadata, finalizers: [] }, spec: { ...(o.spec as object), finalizers: [] } }), {
        trusted: true,
      })
      if (rs.getStored(ns, name)) res = await rs.delete(ns, name, { gracePeriodSeconds: 0 })
    }
    stop()
    expect(rs.getStored(ns, name)).toBeUndefined()
    expect(seen[0]).toBe('ADDED')
    expect(seen).toContain('MODIFIED')
    expect(seen[seen.length - 1]).toBe('DELETED')
  })
})
