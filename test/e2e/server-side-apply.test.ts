/**
 * @module server-side-apply.test: real kubectl's server-side apply against metadata.managedFields
 * (issue 13): Apply and Update entries per manager, conflicts with kubectl's exact hint, force,
 * field removal, no-op applies, the client-side → server-side upgrade, list types from the schema,
 * and the entries the built-in controllers leave on Deployments and Pods.
 *
 * Expected texts and shapes come from kube-apiserver 1.32 and kubectl 1.32:
 * - conflicts: staging/src/k8s.io/apimachinery/pkg/util/managedfields/internal/conflict.go
 *   (getConflictMessage, printManager: an Update manager prints `"name" using apps/v1`, with
 *   ` with subresource "scale"` when it wrote through a subresource; the identifier it prints
 *   never has a time, BuildManagerIdentifier in managedfields.go drops it);
 * - kubectl's hint: staging/src/k8s.io/kubectl/pkg/cmd/apply/apply.go (applyOneObject, the
 *   errors.IsConflict branch), and its migration of `kubectl-client-side-apply` into `kubectl`
 *   (migrateToSSAIfNecessary, client-go/util/csaupgrade);
 * - 400s: internal/versioncheck.go (`invalid object type: <gvk>`); 422:
 *   apimachinery/pkg/apis/meta/v1/validation ValidatePatchOptions via handlers/patch.go;
 * - no-op applies: internal/managedfieldsupdater.go (Apply keeps the time when the object did
 *   not change) over smd's Updater.Apply returning no new object;
 * - the client-side upgrade: internal/lastappliedmanager.go, lastappliedupdater.go;
 * - managers without `fieldManager` are the User-Agent's prefix (handlers/create.go
 *   prefixFromUserAgent): kubectl scale's /scale patch is `kubectl`, the kubelet's status patch
 *   `kubelet`, kube-scheduler's `kube-scheduler`.
 */
import { readFileSync } from 'node:fs'
import { ApiException, AppsV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ok, until } from '../helpers/expect-kubectl.js'
import { makeKubeConfig, startKubemock, type Kubemock } from '../helpers/kubemock-process.js'

const crdYAML = readFileSync(new URL('../fixtures/crds/ssa-lists-crd.yaml', import.meta.url), 'utf8')

/** What kubectl 1.32 appends to an apply conflict (apply.go, applyOneObject). */
const conflictHint = `Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts`

interface ManagedFieldsEntry {
  manager: string
  operation: 'Apply' | 'Update'
  apiVersion: string
  time?: string
  fieldsType: string
  fieldsV1: Record<string, unknown>
  subresource?: string
}

interface Obj {
  metadata: {
    name: string
    resourceVersion: string
    uid: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
    managedFields?: ManagedFieldsEntry[]
    ownerReferences?: { uid: string; kind: string }[]
  }
  spec: Record<string, unknown> & { replicas?: number }
  status?: Record<string, unknown>
}

type Env = { name: string; value: string }[]

/** A Deployment manifest; undefined parts are left out of the JSON, i.e. not applied. */
function deployment(
  name: string,
  o: { replicas?: number; labels?: Record<string, string>; env?: Env; minReadySeconds?: number; containers?: unknown[] } = {},
): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: o.labels },
    spec: {
      replicas: o.replicas,
      minReadySeconds: o.minReadySeconds,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: o.containers ?? [{ name: 'nginx', image: 'nginx:1.25', env: o.env }] },
      },
    },
  })
}

/** A partial Deployment manifest: only what a second manager wants to own. */
function partial(name: string, body: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> }): string {
  return JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, ...body.metadata }, spec: body.spec })
}

/** The fieldsV1 alice's first apply of `web` owns (smd ToFieldSet of the applied object, metadata.name stripped). */
const aliceWebFields = {
  'f:metadata': { 'f:labels': { 'f:app': {}, 'f:owner': {}, 'f:tier': {} } },
  'f:spec': {
    'f:replicas': {},
    // LabelSelector is +structType=atomic: one leaf.
    'f:selector': {},
    'f:template': {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:containers': {
          'k:{"name":"nginx"}': {
            '.': {},
            'f:env': {
              'k:{"name":"DEBUG"}': { '.': {}, 'f:name': {}, 'f:value': {} },
              'k:{"name":"MODE"}': { '.': {}, 'f:name': {}, 'f:value': {} },
            },
            'f:image': {},
            'f:name': {},
          },
        },
      },
    },
  },
}

/** One kubemock per describe, on a manual clock (`advance` moves it), with kubectl and a managedFields-showing get. */
function startServer() {
  const ctx: { km: Kubemock } = { km: undefined as unknown as Kubemock }
  beforeAll(async () => {
    ctx.km = await startKubemock({ args: ['--speed', '0'] })
  }, 30_000)
  afterAll(async () => {
    await ctx.km?.stop()
  })
  const k = (args: string[], input?: string) => ctx.km.kubectl(args, { input })
  const get = async (resource: string, name: string): Promise<Obj> => JSON.parse(ok(await k(['get', resource, name, '-o', 'json', '--show-managed-fields'])))
  const advance = async (seconds: number) => {
    const res = await fetch(`${ctx.km.url}/kubemock/v1/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seconds }),
    })
    expect(res.status).toBe(200)
  }
  return { ctx, k, get, advance }
}

/** The entry of `manager` (and `subresource`, '' for the main resource), or undefined. */
function entry(obj: Obj, manager: string, operation: 'Apply' | 'Update', subresource = ''): ManagedFieldsEntry | undefined {
  return obj.metadata.managedFields?.find((e) => e.manager === manager && e.operation === operation && (e.subresource ?? '') === subresource)
}

/** [manager, operation, subresource] of every entry, in the stored order. */
function managers(obj: Obj): [string, string, string][] {
  return (obj.metadata.managedFields ?? []).map((e) => [e.manager, e.operation, e.subresource ?? ''])
}

const rfc3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/

describe('server-side apply with kubectl: managedFields, conflicts, removal', () => {
  const { ctx, k, get, advance } = startServer()

  it('kubectl apply --server-side --field-manager alice records an Apply entry; the deployment controller adds its status entry', async () => {
    const r = await k(
      ['apply', '--server-side', '--field-manager', 'alice', '-f', '-'],
      deployment('web', {
        replicas: 2,
        labels: { app: 'web', owner: 'alice', tier: 'frontend' },
        env: [
          { name: 'MODE', value: 'prod' },
          { name: 'DEBUG', value: '0' },
        ],
      }),
    )
    expect(ok(r)).toBe('deployment.apps/web serverside-applied\n')
    expect(r.stderr).toBe('')
    const web = await until(async () => {
      const d = await get('deployment', 'web')
      // status.replicas is omitted while 0 (omitempty), so wait for the controller's status to count both pods.
      return d.status?.replicas === 2 && entry(d, 'kube-controller-manager', 'Update', 'status') && d
    })
    const alice = entry(web, 'alice', 'Apply')
    expect(alice).toEqual({
      manager: 'alice',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: expect.stringMatching(rfc3339),
      fieldsType: 'FieldsV1',
      fieldsV1: aliceWebFields,
    })
    // Apply entries sort before Update entries (sortEncodedManagedFields).
    expect(managers(web)[0]).toEqual(['alice', 'Apply', ''])
    const kcm = entry(web, 'kube-controller-manager', 'Update', 'status')!
    expect(kcm).toMatchObject({ apiVersion: 'apps/v1', fieldsType: 'FieldsV1', time: expect.stringMatching(rfc3339) })
    // The deployment controller writes the revision annotation and status through /status (sync.go).
    expect(kcm.fieldsV1).toMatchObject({
      'f:metadata': { 'f:annotations': { '.': {}, 'f:deployment.kubernetes.io/revision': {} } },
      'f:status': { 'f:observedGeneration': {}, 'f:replicas': {} },
    })
    // kubectl get without --show-managed-fields hides them, as on a real cluster.
    expect(JSON.parse(ok(await k(['get', 'deployment', 'web', '-o', 'json']))).metadata.managedFields).toBeUndefined()
  })

  it('bob applying another .spec.replicas conflicts with alice (kubectl exit 1, exact text); --force-conflicts moves the field to bob', async () => {
    const bobManifest = partial('web', { spec: { replicas: 5 } })
    const before = await get('deployment', 'web')
    const r = await k(['apply', '--server-side', '--field-manager', 'bob', '-f', '-'], bobManifest)
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(`error: Apply failed with 1 conflict: conflict with "alice": .spec.replicas\n${conflictHint}\n`)
    // A refused apply writes nothing.
    expect((await get('deployment', 'web')).metadata.resourceVersion).toBe(before.metadata.resourceVersion)

    expect(ok(await k(['apply', '--server-side', '--field-manager', 'bob', '--force-conflicts', '-f', '-'], bobManifest))).toBe(
      'deployment.apps/web serverside-applied\n',
    )
    const web = await get('deployment', 'web')
    expect(web.spec.replicas).toBe(5)
    expect(entry(web, 'bob', 'Apply')).toMatchObject({ apiVersion: 'apps/v1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } })
    const { 'f:replicas': _gone, ...aliceSpec } = aliceWebFields['f:spec']
    expect(entry(web, 'alice', 'Apply')?.fieldsV1).toEqual({ ...aliceWebFields, 'f:spec': aliceSpec })
  })

  it('alice re-applying without a label and an env var removes them, except what another manager co-owns', async () => {
    // carol co-owns tier=frontend (same value: no conflict) and the MODE env var's value.
    expect(
      ok(
        await k(
          ['apply', '--server-side', '--field-manager', 'carol', '-f', '-'],
          partial('web', {
            metadata: { labels: { tier: 'frontend' } },
            spec: { template: { spec: { containers: [{ name: 'nginx', env: [{ name: 'MODE', value: 'prod' }] }] } } },
          }),
        ),
      ),
    ).toBe('deployment.apps/web serverside-applied\n')
    const carol = entry(await get('deployment', 'web'), 'carol', 'Apply')
    expect(carol?.fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { 'f:tier': {} } },
      'f:spec': {
        'f:template': {
          'f:spec': {
            'f:containers': {
              'k:{"name":"nginx"}': { '.': {}, 'f:env': { 'k:{"name":"MODE"}': { '.': {}, 'f:name': {}, 'f:value': {} } }, 'f:name': {} },
            },
          },
        },
      },
    })

    // alice gave up replicas to bob, and now drops owner, tier and both env vars.
    ok(await k(['apply', '--server-side', '--field-manager', 'alice', '-f', '-'], deployment('web', { labels: { app: 'web' } })))
    const web = await get('deployment', 'web')
    expect(web.metadata.labels).toEqual({ app: 'web', tier: 'frontend' })
    const containers = (web.spec.template as { spec: { containers: { name: string; env?: Env }[] } }).spec.containers
    expect(containers.map((c) => [c.name, c.env])).toEqual([['nginx', [{ name: 'MODE', value: 'prod' }]]])
    expect(web.spec.replicas).toBe(5)
    expect(entry(web, 'alice', 'Apply')?.fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
        },
      },
    })
  })

  it('a no-op apply changes neither the resourceVersion nor managedFields (not even the entry time)', async () => {
    // A Deployment: the applied configuration equals the live object only once defaulted. The
    // clock stands still here, so no controller writes in between.
    const before = await get('deployment', 'web')
    const r = await k(['apply', '--server-side', '--field-manager', 'alice', '-f', '-'], deployment('web', { labels: { app: 'web' } }))
    expect(ok(r)).toBe('deployment.apps/web serverside-applied\n')
    const after = await get('deployment', 'web')
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion)
    expect(after.metadata.managedFields).toEqual(before.metadata.managedFields)

    // A ConfigMap (nothing else writes it), re-applied 30 simulated seconds later.
    const cm = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'noop' }, data: { a: '1' } })
    ok(await k(['apply', '--server-side', '--field-manager', 'alice', '-f', '-'], cm))
    const first = await get('configmap', 'noop')
    await advance(30)
    expect(ok(await k(['apply', '--server-side', '--field-manager', 'alice', '-f', '-'], cm))).toBe('configmap/noop serverside-applied\n')
    const second = await get('configmap', 'noop')
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion)
    expect(second.metadata.managedFields).toEqual(first.metadata.managedFields)
    expect(second.metadata.managedFields?.[0]?.time).toMatch(rfc3339)
  })

  it('kubectl create, scale, patch and label leave Update entries; applying over them names those managers', async () => {
    expect(ok(await k(['create', 'deployment', 'c5', '--image', 'nginx:1.25']))).toBe('deployment.apps/c5 created\n')
    let d = await get('deployment', 'c5')
    const created = entry(d, 'kubectl-create', 'Update')
    expect(created).toMatchObject({ apiVersion: 'apps/v1', fieldsType: 'FieldsV1', time: expect.stringMatching(rfc3339) })
    // An Update owns what it set, defaults included, and new maps with their `.` (smd compare).
    expect(created?.fieldsV1).toMatchObject({
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:progressDeadlineSeconds': {},
        'f:replicas': {},
        'f:revisionHistoryLimit': {},
        'f:selector': {},
        'f:template': {
          'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:imagePullPolicy': {}, 'f:name': {} } } },
        },
      },
    })

    ok(await k(['scale', 'deployment', 'c5', '--replicas', '3']))
    ok(await k(['patch', 'deployment', 'c5', '-p', '{"spec":{"minReadySeconds":5}}']))
    ok(await k(['label', 'deployment', 'c5', 'team=x']))
    d = await get('deployment', 'c5')
    // kubectl scale sends no fieldManager: the manager is its User-Agent's prefix, the entry the
    // /scale subresource's, in the parent's apiVersion (ScaleHandler.ToParent).
    expect(entry(d, 'kubectl', 'Update', 'scale')).toMatchObject({ apiVersion: 'apps/v1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } })
    // ... and it took replicas from kubectl-create.
    expect(entry(d, 'kubectl-create', 'Update')?.fieldsV1['f:spec']).not.toHaveProperty('f:replicas')
    expect(entry(d, 'kubectl-patch', 'Update')).toMatchObject({ apiVersion: 'apps/v1', fieldsV1: { 'f:spec': { 'f:minReadySeconds': {} } } })
    expect(entry(d, 'kubectl-label', 'Update')).toMatchObject({ apiVersion: 'apps/v1', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:team': {} } } } })

    const apply = (body: string) => k(['apply', '--server-side', '--field-manager', 'alice', '-f', '-'], body)
    let r = await apply(partial('c5', { spec: { minReadySeconds: 10 } }))
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(`error: Apply failed with 1 conflict: conflict with "kubectl-patch" using apps/v1: .spec.minReadySeconds\n${conflictHint}\n`)
    r = await apply(partial('c5', { spec: { replicas: 1 } }))
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      `error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas\n${conflictHint}\n`,
    )
    // Several managers: grouped per manager, managers sorted by their identifier.
    r = await apply(partial('c5', { metadata: { labels: { team: 'y' } }, spec: { replicas: 1, minReadySeconds: 10 } }))
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      'error: Apply failed with 3 conflicts: conflicts with "kubectl" with subresource "scale" using apps/v1:\n- .spec.replicas\n' +
        'conflicts with "kubectl-label" using apps/v1:\n- .metadata.labels.team\n' +
        `conflicts with "kubectl-patch" using apps/v1:\n- .spec.minReadySeconds\n${conflictHint}\n`,
    )
    // The same values co-own without conflict.
    ok(await apply(partial('c5', { metadata: { labels: { team: 'x' } }, spec: { replicas: 3, minReadySeconds: 5 } })))
    d = await get('deployment', 'c5')
    expect(entry(d, 'alice', 'Apply')?.fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { 'f:team': {} } },
      'f:spec': { 'f:minReadySeconds': {}, 'f:replicas': {} },
    })
    expect(entry(d, 'kubectl-patch', 'Update')?.fieldsV1).toEqual({ 'f:spec': { 'f:minReadySeconds': {} } })
  })

  it('client-side apply, then kubectl apply --server-side with a changed value: no conflict, the annotation follows, kubectl migrates the entry', async () => {
    expect(ok(await k(['apply', '-f', '-'], deployment('csa', { replicas: 2 })))).toBe('deployment.apps/csa created\n')
    let d = await get('deployment', 'csa')
    const csa = entry(d, 'kubectl-client-side-apply', 'Update')
    expect(csa?.fieldsV1).toMatchObject({
      'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} } },
      'f:spec': { 'f:replicas': {} },
    })

    // kubectl-client-side-apply owns .spec.replicas, but the last-applied annotation says it was
    // applied with the live value, so manager `kubectl` may take it (lastAppliedManager).
    const r = await k(['apply', '--server-side', '-f', '-'], deployment('csa', { replicas: 3 }))
    expect(ok(r)).toBe('deployment.apps/csa serverside-applied\n')
    expect(r.stderr).toBe('')
    d = await get('deployment', 'csa')
    expect(d.spec.replicas).toBe(3)
    const lastApplied = JSON.parse(d.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] ?? '{}')
    expect(lastApplied).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'csa' }, spec: { replicas: 3 } })
    expect(lastApplied.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toBeUndefined()
    // kubectl saved the annotation under kubectl-last-applied, then merged kubectl-client-side-apply into kubectl.
    expect(entry(d, 'kubectl-client-side-apply', 'Update')).toBeUndefined()
    expect(entry(d, 'kubectl-last-applied', 'Apply')?.fieldsV1).toEqual({
      'f:metadata': { 'f:annotations': { 'f:kubectl.kubernetes.io/last-applied-configuration': {} } },
    })
    expect(entry(d, 'kubectl', 'Apply')?.fieldsV1).toMatchObject({ 'f:spec': { 'f:replicas': {}, 'f:selector': {} } })
  })

  it('kubectl apply --server-side without --field-manager applies as `kubectl`', async () => {
    const cm = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain' }, data: { k: 'v' } })
    expect(ok(await k(['apply', '--server-side', '-f', '-'], cm))).toBe('configmap/plain serverside-applied\n')
    const obj = await get('configmap', 'plain')
    expect(obj.metadata.managedFields).toEqual([
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'v1',
        time: expect.stringMatching(rfc3339),
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { 'f:k': {} } },
      },
    ])
  })

  it('an apply patch of another kind or version is a 400; force on a merge patch a 422; conflicts a 409 with causes', async () => {
    const applyRaw = (path: string, body: unknown, query = 'fieldManager=raw') =>
      fetch(`${ctx.km.url}${path}?${query}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/apply-patch+yaml', accept: 'application/json' },
        body: JSON.stringify(body),
      })
    const web = '/apis/apps/v1/namespaces/default/deployments/web'
    let res = await applyRaw(web, { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' } })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'BadRequest',
      code: 400,
      message: 'invalid object type: apps/v1, Kind=StatefulSet',
    })
    res = await applyRaw(web, { apiVersion: 'apps/v1beta1', kind: 'Deployment', metadata: { name: 'web' } })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { message: string }).message).toBe('invalid object type: apps/v1beta1, Kind=Deployment')
    res = await applyRaw('/api/v1/namespaces/default/configmaps/plain', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'plain' } })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { message: string }).message).toBe('invalid object type: /v1, Kind=Secret')

    // The 409 kubectl turned into its hint above: causes name each field, details nothing else (NewApplyConflict).
    res = await applyRaw(web, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 9 } })
    expect(res.status).toBe(409)
    expect(await res.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "bob": .spec.replicas',
      reason: 'Conflict',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "bob"', field: '.spec.replicas' }] },
      code: 409,
    })

    const apps = makeKubeConfig(ctx.km.url).makeApiClient(AppsV1Api)
    const err = await apps
      .patchNamespacedDeployment(
        { name: 'web', namespace: 'default', body: { metadata: { labels: { x: '1' } } }, force: true },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiException)
    expect((err as ApiException<string>).code).toBe(422)
    expect(JSON.parse((err as ApiException<string>).body)).toMatchObject({
      reason: 'Invalid',
      message: 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
      details: { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueForbidden', field: 'force' }] },
    })
    // client-node's server-side apply with a manager and force goes through.
    const applied = await apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: 'default',
        body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 4 } },
        fieldManager: 'node',
        force: true,
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    )
    expect(applied.spec?.replicas).toBe(4)
    expect(applied.metadata?.managedFields?.find((e) => e.manager === 'node')).toMatchObject({
      operation: 'Apply',
      fieldsV1: { 'f:spec': { 'f:replicas': {} } },
    })
    expect(applied.metadata?.managedFields?.find((e) => e.manager === 'bob')).toBeUndefined()
  })
})

describe('server-side apply: list types from the schema', () => {
  const { k, get } = startServer()

  it('containers and env are maps keyed by name: two managers each keep their own entries', async () => {
    ok(await k(['apply', '--server-side', '--field-manager', 'alice', '-f', '-'], deployment('lists', { env: [{ name: 'A', value: '1' }] })))
    ok(
      await k(
        ['apply', '--server-side', '--field-manager', 'dave', '-f', '-'],
        partial('lists', {
          spec: {
            template: {
              spec: {
                containers: [
                  { name: 'nginx', env: [{ name: 'B', value: '2' }] },
                  { name: 'sidecar', image: 'busybox:1.36' },
                ],
              },
            },
          },
        }),
      ),
    )
    const d = await get('deployment', 'lists')
    const containers = (d.spec.template as { spec: { containers: { name: string; image: string; env?: Env }[] } }).spec.containers
    expect(containers.map((c) => [c.name, c.image, c.env])).toEqual([
      [
        'nginx',
        'nginx:1.25',
        [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      ],
      ['sidecar', 'busybox:1.36', undefined],
    ])
    expect(entry(d, 'dave', 'Apply')?.fieldsV1).toEqual({
      'f:spec': {
        'f:template': {
          'f:spec': {
            'f:containers': {
              'k:{"name":"nginx"}': { '.': {}, 'f:env': { 'k:{"name":"B"}': { '.': {}, 'f:name': {}, 'f:value': {} } }, 'f:name': {} },
              'k:{"name":"sidecar"}': { '.': {}, 'f:image': {}, 'f:name': {} },
            },
          },
        },
      },
    })
    // dave dropping his container removes it (only he owned it); alice's stays.
    ok(
      await k(
        ['apply', '--server-side', '--field-manager', 'dave', '-f', '-'],
        partial('lists', { spec: { template: { spec: { containers: [{ name: 'nginx', env: [{ name: 'B', value: '2' }] }] } } } }),
      ),
    )
    const after = await get('deployment', 'lists')
    expect((after.spec.template as { spec: { containers: { name: string }[] } }).spec.containers.map((c) => c.name)).toEqual(['nginx'])
  })

  it('a CRD list of type set, map (list-map-keys) or atomic merges, owns and conflicts per schema', async () => {
    ok(await k(['apply', '-f', '-'], crdYAML))
    ok(await k(['wait', '--for', 'condition=established', 'crd/widgets.ssa.example.com', '--timeout=15s']))
    const widget = (spec: Record<string, unknown>) => JSON.stringify({ apiVersion: 'ssa.example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec })
    const apply = (manager: string, spec: Record<string, unknown>, force = false) =>
      k(['apply', '--server-side', '--field-manager', manager, ...(force ? ['--force-conflicts'] : []), '-f', '-'], widget(spec))

    expect(ok(await apply('alice', { tags: ['a', 'b'], ports: [{ name: 'http', port: 80 }], args: ['x', 'y'] }))).toBe(
      'widget.ssa.example.com/w serverside-applied\n',
    )
    let w = await get('widget', 'w')
    expect(entry(w, 'alice', 'Apply')).toEqual({
      manager: 'alice',
      operation: 'Apply',
      apiVersion: 'ssa.example.com/v1',
      time: expect.stringMatching(rfc3339),
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:spec': {
          'f:args': {},
          'f:ports': { 'k:{"name":"http"}': { '.': {}, 'f:name': {}, 'f:port': {} } },
          'f:tags': { 'v:"a"': {}, 'v:"b"': {} },
        },
      },
    })

    // bob adds his own set item and map entry: merged, no conflict.
    ok(await apply('bob', { tags: ['c'], ports: [{ name: 'https', port: 443 }] }))
    w = await get('widget', 'w')
    expect([...(w.spec.tags as string[])].sort()).toEqual(['a', 'b', 'c'])
    expect(w.spec.ports).toEqual(
      expect.arrayContaining([
        { name: 'http', port: 80 },
        { name: 'https', port: 443 },
      ]),
    )
    expect(w.spec.ports).toHaveLength(2)

    // The same map key with another value, and any other atomic list, conflict.
    let r = await apply('bob', {
      tags: ['c'],
      ports: [
        { name: 'https', port: 443 },
        { name: 'http', port: 8080 },
      ],
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(`error: Apply failed with 1 conflict: conflict with "alice": .spec.ports[name="http"].port\n${conflictHint}\n`)
    r = await apply('bob', { tags: ['c'], ports: [{ name: 'https', port: 443 }], args: ['z'] })
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(`error: Apply failed with 1 conflict: conflict with "alice": .spec.args\n${conflictHint}\n`)
    ok(await apply('bob', { tags: ['c'], ports: [{ name: 'https', port: 443 }], args: ['z'] }, true))
    w = await get('widget', 'w')
    expect(w.spec.args).toEqual(['z'])
    expect(entry(w, 'alice', 'Apply')?.fieldsV1).toEqual({
      'f:spec': { 'f:ports': { 'k:{"name":"http"}': { '.': {}, 'f:name': {}, 'f:port': {} } }, 'f:tags': { 'v:"a"': {}, 'v:"b"': {} } },
    })

    // alice dropping a set item removes it; bob's stays.
    ok(await apply('alice', { tags: ['a'], ports: [{ name: 'http', port: 80 }] }))
    w = await get('widget', 'w')
    expect([...(w.spec.tags as string[])].sort()).toEqual(['a', 'c'])
    expect(w.spec.args).toEqual(['z'])
  })
  it('the status subresource applies under its own entry; /status ignores .spec and the main resource ignores .status', async () => {
    const w0 = await get('widget', 'w')
    const body = (o: Record<string, unknown>) => JSON.stringify({ apiVersion: 'ssa.example.com/v1', kind: 'Widget', metadata: { name: 'w' }, ...o })
    const r = await k(
      ['apply', '--server-side', '--subresource=status', '--field-manager', 'status-writer', '-f', '-'],
      body({ spec: { args: ['ignored'] }, status: { phase: 'Ready' } }),
    )
    expect(ok(r)).toBe('widget.ssa.example.com/w serverside-applied\n')
    let w = await get('widget', 'w')
    expect(w.status).toEqual({ phase: 'Ready' })
    expect(w.spec).toEqual(w0.spec)
    expect(entry(w, 'status-writer', 'Apply', 'status')).toEqual({
      manager: 'status-writer',
      operation: 'Apply',
      apiVersion: 'ssa.example.com/v1',
      time: expect.stringMatching(rfc3339),
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:status': { 'f:phase': {} } },
      subresource: 'status',
    })
    // The same manager on the main resource is another entry; .status is reset there, so not owned.
    ok(await k(['apply', '--server-side', '--field-manager', 'status-writer', '-f', '-'], body({ spec: { tags: ['s'] }, status: { phase: 'Hacked' } })))
    w = await get('widget', 'w')
    expect(w.status).toEqual({ phase: 'Ready' })
    expect(entry(w, 'status-writer', 'Apply')?.fieldsV1).toEqual({ 'f:spec': { 'f:tags': { 'v:"s"': {} } } })
    expect(entry(w, 'status-writer', 'Apply', 'status')?.fieldsV1).toEqual({ 'f:status': { 'f:phase': {} } })
  })

  it('an Update through the CRD’s other served version is recorded at that version, and conflicts name it', async () => {
    ok(await k(['patch', 'widgets.v1beta1.ssa.example.com', 'w', '--type=merge', '-p', '{"spec":{"args":["old"]}}']))
    const w = await get('widget', 'w')
    expect(entry(w, 'kubectl-patch', 'Update')).toMatchObject({ apiVersion: 'ssa.example.com/v1beta1', fieldsV1: { 'f:spec': { 'f:args': {} } } })
    // It took .spec.args from bob (his entry keeps the rest).
    expect(entry(w, 'bob', 'Apply')?.fieldsV1['f:spec']).not.toHaveProperty('f:args')
    const r = await k(
      ['apply', '--server-side', '--field-manager', 'alice', '-f', '-'],
      JSON.stringify({
        apiVersion: 'ssa.example.com/v1',
        kind: 'Widget',
        metadata: { name: 'w' },
        spec: { tags: ['a'], ports: [{ name: 'http', port: 80 }], args: ['new'] },
      }),
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(`error: Apply failed with 1 conflict: conflict with "kubectl-patch" using ssa.example.com/v1beta1: .spec.args\n${conflictHint}\n`)
  })
})

describe('server-side apply: the built-in controllers’ entries', () => {
  const { k, get, advance } = startServer()

  it('ReplicaSet pods carry a kube-controller-manager Update entry; running pods the kubelet’s status entry', async () => {
    ok(await k(['apply', '--server-side', '--field-manager', 'alice', '-f', '-'], deployment('ctl', { replicas: 1 })))
    const podName = await until(async () => {
      const pods = JSON.parse(ok(await k(['get', 'pods', '-l', 'app=ctl', '-o', 'json']))).items as Obj[]
      return pods[0]?.metadata.name
    })
    const rs = JSON.parse(ok(await k(['get', 'replicasets', '-l', 'app=ctl', '-o', 'json']))).items[0] as Obj
    // The ReplicaSet itself was created by the deployment controller.
    expect(entry(await get('replicaset', rs.metadata.name), 'kube-controller-manager', 'Update')?.fieldsV1).toMatchObject({
      'f:metadata': { 'f:ownerReferences': { '.': {} }, 'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {} } },
      'f:spec': { 'f:replicas': {}, 'f:selector': {} },
    })

    let pod = await get('pod', podName)
    const kcm = entry(pod, 'kube-controller-manager', 'Update')
    expect(kcm).toMatchObject({ apiVersion: 'v1', fieldsType: 'FieldsV1', time: expect.stringMatching(rfc3339) })
    expect(kcm?.fieldsV1).toMatchObject({
      'f:metadata': {
        'f:generateName': {},
        'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {} },
        // OwnerReference is +structType=atomic: the item is one leaf.
        'f:ownerReferences': { '.': {}, [`k:{"uid":"${rs.metadata.uid}"}`]: {} },
      },
      'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } }, 'f:restartPolicy': {} },
    })

    for (let i = 0; i < 60 && (pod.status?.phase !== 'Running' || !entry(pod, 'kubelet', 'Update', 'status')); i++) {
      await advance(1)
      pod = await get('pod', podName)
    }
    expect(pod.status?.phase).toBe('Running')
    const kubelet = entry(pod, 'kubelet', 'Update', 'status')
    expect(kubelet).toMatchObject({ apiVersion: 'v1', fieldsType: 'FieldsV1', time: expect.stringMatching(rfc3339) })
    expect(kubelet?.fieldsV1).toMatchObject({
      'f:status': {
        'f:conditions': { 'k:{"type":"Ready"}': { '.': {}, 'f:status': {}, 'f:type': {} } },
        // containerStatuses is +listType=atomic.
        'f:containerStatuses': {},
        'f:phase': {},
        'f:podIP': {},
        'f:startTime': {},
      },
    })
    // The kubelet's status writes are its own: the controller's entry has no status.
    expect(entry(pod, 'kube-controller-manager', 'Update')?.fieldsV1['f:status']).toBeUndefined()
  })

  it('an unschedulable pod carries kube-scheduler’s status entry for PodScheduled', async () => {
    ok(await k(['run', 'nowhere', '--image', 'nginx:1.25', '--overrides', '{"spec":{"nodeSelector":{"disk":"none"}}}']))
    const pod = await until(async () => {
      const p = await get('pod', 'nowhere')
      return entry(p, 'kube-scheduler', 'Update', 'status') && p
    })
    expect(entry(pod, 'kubectl-run', 'Update')).toBeDefined()
    expect(entry(pod, 'kube-scheduler', 'Update', 'status')).toMatchObject({
      apiVersion: 'v1',
      fieldsV1: {
        'f:status': { 'f:conditions': { '.': {}, 'k:{"type":"PodScheduled"}': { '.': {}, 'f:message': {}, 'f:reason': {}, 'f:status': {}, 'f:type': {} } } },
      },
    })
  })
})

describe('server-side apply: Updates, dry runs, versions, caps and bad applies', () => {
  const { ctx, k, get, advance } = startServer()
  const apply = (manager: string, body: string, ...flags: string[]) => k(['apply', '--server-side', '--field-manager', manager, ...flags, '-f', '-'], body)

  it('an Update takes a field from every owner without conflict; removing a field drops it from every owner; Apply ignores .status', async () => {
    ok(await k(['create', 'deployment', 'u', '--image', 'nginx:1.25']))
    // replicas: 1 equals kubectl-create's value, so alice co-owns it; .status is reset on the main
    // resource (the strategy's GetResetFields), so it is neither applied nor owned.
    ok(
      await apply(
        'alice',
        JSON.stringify({
          ...JSON.parse(partial('u', { metadata: { labels: { team: 'x' } }, spec: { replicas: 1, minReadySeconds: 3 } })),
          status: { replicas: 99 },
        }),
      ),
    )
    let d = await get('deployment', 'u')
    expect(entry(d, 'alice', 'Apply')?.fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { 'f:team': {} } },
      'f:spec': { 'f:minReadySeconds': {}, 'f:replicas': {} },
    })
    expect(d.status?.replicas).not.toBe(99)
    expect(entry(d, 'kubectl-create', 'Update')?.fieldsV1['f:spec']).toHaveProperty('f:replicas')

    expect(ok(await k(['patch', 'deployment', 'u', '-p', '{"spec":{"replicas":4}}']))).toBe('deployment.apps/u patched\n')
    d = await get('deployment', 'u')
    expect(d.spec.replicas).toBe(4)
    expect(entry(d, 'kubectl-patch', 'Update')?.fieldsV1).toEqual({ 'f:spec': { 'f:replicas': {} } })
    expect(entry(d, 'alice', 'Apply')?.fieldsV1['f:spec']).toEqual({ 'f:minReadySeconds': {} })
    expect(entry(d, 'kubectl-create', 'Update')?.fieldsV1['f:spec']).not.toHaveProperty('f:replicas')

    expect(ok(await k(['label', 'deployment', 'u', 'team-']))).toBe('deployment.apps/u unlabeled\n')
    d = await get('deployment', 'u')
    expect(d.metadata.labels).toEqual({ app: 'u' })
    expect(entry(d, 'alice', 'Apply')?.fieldsV1).toEqual({ 'f:spec': { 'f:minReadySeconds': {} } })
    // The removal owned nothing afterwards, so kubectl-label has no entry.
    expect(entry(d, 'kubectl-label', 'Update')).toBeUndefined()
  })

  it('--dry-run=server applies answer as the real thing, write nothing, and still conflict', async () => {
    const before = await get('deployment', 'u')
    const r = await apply('carol', partial('u', { spec: { minReadySeconds: 9 } }), '--dry-run=server')
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(`error: Apply failed with 1 conflict: conflict with "alice": .spec.minReadySeconds\n${conflictHint}\n`)
    const forced = await apply(
      'carol',
      partial('u', { spec: { minReadySeconds: 9 } }),
      '--dry-run=server',
      '--force-conflicts',
      '--show-managed-fields',
      '-o',
      'json',
    )
    const preview = JSON.parse(ok(forced)) as Obj
    expect(preview.spec.minReadySeconds).toBe(9)
    expect(entry(preview, 'carol', 'Apply')?.fieldsV1).toEqual({ 'f:spec': { 'f:minReadySeconds': {} } })
    expect(entry(preview, 'alice', 'Apply')).toBeUndefined()
    const after = await get('deployment', 'u')
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion)
    expect(after.spec.minReadySeconds).toBe(3)
    expect(after.metadata.managedFields).toEqual(before.metadata.managedFields)
  })

  it('a Service port is keyed by port and the defaulted protocol', async () => {
    const svc = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { selector: { app: 'x' }, ports: [{ port: 80, targetPort: 8080 }] },
    })
    expect(ok(await apply('alice', svc))).toBe('service/s serverside-applied\n')
    expect(entry(await get('service', 's'), 'alice', 'Apply')?.fieldsV1).toEqual({
      // The selector is +mapType=atomic.
      'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:targetPort': {} } }, 'f:selector': {} },
    })
  })

  it('an Update through autoscaling/v1 is recorded at v1, and an apply at v2 conflicts with it by that version', async () => {
    ok(await k(['create', 'deployment', 'h', '--image', 'nginx:1.25']))
    expect(ok(await k(['autoscale', 'deployment', 'h', '--max', '5']))).toBe('horizontalpodautoscaler.autoscaling/h autoscaled\n')
    const hpa = await get('hpa', 'h')
    const autoscale = entry(hpa, 'kubectl-autoscale', 'Update')
    // kubectl autoscale posts autoscaling/v1: the entry keeps the version (and the field names) it was written in.
    expect(autoscale?.apiVersion).toBe('autoscaling/v1')
    // autoscaling/v1's CrossVersionObjectReference is x-kubernetes-map-type: atomic (v2's is not): owned whole.
    expect(autoscale?.fieldsV1).toMatchObject({ 'f:spec': { 'f:maxReplicas': {}, 'f:scaleTargetRef': {} } })
    expect(autoscale?.fieldsV1['f:spec']).not.toHaveProperty('f:metrics')
    const v2 = (maxReplicas: number) =>
      JSON.stringify({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { maxReplicas } })
    const r = await apply('alice', v2(7))
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(`error: Apply failed with 1 conflict: conflict with "kubectl-autoscale" using autoscaling/v1: .spec.maxReplicas\n${conflictHint}\n`)
    ok(await apply('alice', v2(5)))
    expect(entry(await get('hpa', 'h'), 'alice', 'Apply')).toMatchObject({ apiVersion: 'autoscaling/v2', fieldsV1: { 'f:spec': { 'f:maxReplicas': {} } } })
  })

  it('more than 10 Update managers: the oldest are merged into ancient-changes', async () => {
    ok(await apply('alice', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'capped', labels: { base: 'x' } }, data: { a: '1' } })))
    const names = Array.from({ length: 11 }, (_, i) => `m${String(i + 1).padStart(2, '0')}`)
    for (const m of names) {
      await advance(1)
      ok(await k(['label', 'configmap', 'capped', `l-${m}=v`, '--field-manager', m]))
    }
    const cm = await get('configmap', 'capped')
    // capManagersManager: sorted oldest first, m01 opens the v1 bucket and m02 is merged into it, leaving 10 Update entries.
    expect(managers(cm)).toEqual([['alice', 'Apply', ''], ['ancient-changes', 'Update', ''], ...names.slice(2).map((m) => [m, 'Update', ''])])
    const ancient = entry(cm, 'ancient-changes', 'Update')
    expect(ancient?.fieldsV1).toEqual({ 'f:metadata': { 'f:labels': { 'f:l-m01': {}, 'f:l-m02': {} } } })
    // The bucket takes the time of the newest update merged into it (m02's, a second before m03's).
    expect(Date.parse(entry(cm, 'm03', 'Update')?.time ?? '') - Date.parse(ancient?.time ?? '')).toBe(1000)
  })

  it('managedFields reset to [{}] stop tracking; the next apply records the existing fields as before-first-apply', async () => {
    ok(await k(['create', 'configmap', 'reset', '--from-literal', 'a=1']))
    expect(ok(await k(['patch', 'configmap', 'reset', '--type=merge', '-p', '{"metadata":{"managedFields":[{}]}}']))).toBe('configmap/reset patched\n')
    expect((await get('configmap', 'reset')).metadata.managedFields).toBeUndefined()
    // skipNonAppliedManager: an untracked object stays untracked through Updates.
    ok(await k(['label', 'configmap', 'reset', 'x=y']))
    expect((await get('configmap', 'reset')).metadata.managedFields).toBeUndefined()
    const cm = (a: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'reset' }, data: { a } })
    const r = await apply('alice', cm('2'))
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(`error: Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .data.a\n${conflictHint}\n`)
    ok(await apply('alice', cm('1')))
    const obj = await get('configmap', 'reset')
    expect(managers(obj)).toEqual([
      ['alice', 'Apply', ''],
      ['before-first-apply', 'Update', ''],
    ])
    expect(entry(obj, 'before-first-apply', 'Update')?.fieldsV1).toEqual({
      'f:data': { '.': {}, 'f:a': {} },
      'f:metadata': { 'f:labels': { '.': {}, 'f:x': {} } },
    })
  })

  it('an applied resourceVersion is a precondition, and an applied uid on a missing object a conflict', async () => {
    const r = await apply('alice', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'reset', resourceVersion: '1' }, data: { a: '1' } }))
    expect(r.code).toBe(1)
    // Any 409 gets kubectl's server-side apply hint.
    expect(r.stderr).toBe(
      `error: Operation cannot be fulfilled on configmaps "reset": the object has been modified; please apply your changes to the latest version and try again\n${conflictHint}\n`,
    )
    const res = await fetch(`${ctx.km.url}/apis/apps/v1/namespaces/default/deployments/ghost?fieldManager=raw`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/apply-patch+yaml', accept: 'application/json' },
      body: JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ghost', uid: '0b6ee9c4-1a8e-4a8a-9f25-3f1d5a7e0c11' } }),
    })
    expect(res.status).toBe(409)
    expect(await res.json()).toMatchObject({
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on deployments.apps "ghost": uid mismatch: the provided object specified uid 0b6ee9c4-1a8e-4a8a-9f25-3f1d5a7e0c11, and no existing object was found',
      details: { name: 'ghost', group: 'apps', kind: 'deployments' },
    })
  })

  it('an applied configuration with duplicate list keys is a 500 without a reason, as upstream', async () => {
    const dup = JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'dup' },
      spec: {
        selector: { matchLabels: { app: 'dup' } },
        template: {
          metadata: { labels: { app: 'dup' } },
          spec: {
            containers: [
              {
                name: 'c',
                image: 'nginx:1.25',
                env: [
                  { name: 'A', value: '1' },
                  { name: 'A', value: '2' },
                ],
              },
            ],
          },
        },
      },
    })
    // The typed conversion fails with a plain error (structuredmerge.go), which the apiserver
    // answers as a 500 with no reason: kubectl prints "Error from server:" without a reason.
    const r = await apply('alice', dup)
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      'Error from server: failed to create typed patch object (default/dup; apps/v1, Kind=Deployment): .spec.template.spec.containers[name="c"].env: duplicate entries for key [name="A"]\n',
    )
  })

  it('an applied configuration with an unknown field is the same 500: the typed conversion runs before fieldValidation=Strict is looked at', async () => {
    const bogus = JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'dup', namespace: 'default' }, spec: { bogus: 1 } })
    const r2 = await apply('alice', bogus)
    expect(r2.code).toBe(1)
    expect(r2.stderr).toBe(
      'Error from server: failed to create typed patch object (default/dup; apps/v1, Kind=Deployment): .spec.bogus: field not declared in schema\n',
    )
    const res = await fetch(`${ctx.km.url}/apis/apps/v1/namespaces/default/deployments/dup?fieldManager=raw`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/apply-patch+yaml', accept: 'application/json' },
      body: bogus,
    })
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'failed to create typed patch object (default/dup; apps/v1, Kind=Deployment): .spec.bogus: field not declared in schema',
      code: 500,
    })
  })

  it('an apply with managedFields in the body, or YAML that does not decode, is a 400', async () => {
    const raw = (body: string) =>
      fetch(`${ctx.km.url}/apis/apps/v1/namespaces/default/deployments/u?fieldManager=raw`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/apply-patch+yaml', accept: 'application/json' },
        body,
      })
    let res = await raw(
      JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'u', managedFields: [{ manager: 'x', operation: 'Apply' }] } }),
    )
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ reason: 'BadRequest', message: 'metadata.managedFields must be nil' })
    res = await raw('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: u\n')
    expect(res.status).toBe(400)
    // applyPatcher wraps sigs.k8s.io/yaml's error; the yaml library's own words differ from go-yaml's.
    expect(((await res.json()) as { message: string }).message).toMatch(/^error decoding YAML: error converting YAML to JSON: yaml: /)
  })
})
