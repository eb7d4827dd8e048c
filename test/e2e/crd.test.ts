/** @module crd.test: real kubectl against CustomResourceDefinitions served live (apply, get, scale, status, field selectors, versions, delete). */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { kubemockPerDescribe } from '../helpers/kubemock-process.js'
import { parseTable } from '../helpers/parse-table.js'
import { ok, until } from '../helpers/expect-kubectl.js'

const crdYAML = readFileSync(new URL('../fixtures/crds/crontab-crd.yaml', import.meta.url), 'utf8')

const cronTab = (name: string, spec: Record<string, unknown>, apiVersion = 'stable.example.com/v1') =>
  JSON.stringify({ apiVersion, kind: 'CronTab', metadata: { name }, spec })

describe('CustomResourceDefinitions with kubectl', () => {
  const { k } = kubemockPerDescribe()

  it('kubectl apply of the docs CronTab CRD becomes Established, with upstream conditions', async () => {
    expect(ok(await k(['apply', '-f', '-'], crdYAML))).toContain('customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created')
    expect(ok(await k(['wait', '--for', 'condition=established', 'crd/crontabs.stable.example.com', '--timeout=15s']))).toContain('condition met')
    const crd = JSON.parse(ok(await k(['get', 'crd', 'crontabs.stable.example.com', '-o', 'json'])))
    expect(crd.spec.names.listKind).toBe('CronTabList')
    expect(crd.spec.conversion).toEqual({ strategy: 'None' })
    expect(crd.status.storedVersions).toEqual(['v1'])
    expect(crd.status.acceptedNames).toMatchObject({ plural: 'crontabs', kind: 'CronTab', shortNames: ['ct'], categories: ['all'] })
    const byType = Object.fromEntries(crd.status.conditions.map((c: { type: string }) => [c.type, c]))
    expect(byType.NamesAccepted).toMatchObject({ status: 'True', reason: 'NoConflicts', message: 'no conflicts found' })
    expect(byType.Established).toMatchObject({ status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' })
  })

  it('kubectl api-resources lists the new resource; discovery prefers v1 over v1beta1', async () => {
    const { rows } = parseTable(ok(await k(['api-resources', '--api-group=stable.example.com'])))
    expect(rows).toEqual([{ NAME: 'crontabs', SHORTNAMES: 'ct', APIVERSION: 'stable.example.com/v1', NAMESPACED: 'true', KIND: 'CronTab' }])
    const group = JSON.parse(ok(await k(['get', '--raw', '/apis/stable.example.com'])))
    expect(group.preferredVersion.version).toBe('v1')
    expect(group.versions.map((v: { version: string }) => v.version)).toEqual(['v1', 'v1beta1'])
    const list = JSON.parse(ok(await k(['get', '--raw', '/apis/stable.example.com/v1'])))
    expect(list.resources.map((r: { name: string }) => r.name)).toEqual(['crontabs', 'crontabs/status', 'crontabs/scale'])
    expect(list.resources[0]).toMatchObject({ singularName: 'crontab', namespaced: true, kind: 'CronTab', categories: ['all'] })
  })

  it('creates custom objects and prints the additionalPrinterColumns', async () => {
    ok(await k(['apply', '-f', '-'], cronTab('my-new-cron-object', { cronSpec: '* * * * */5', image: 'my-awesome-cron-image', replicas: 1, color: 'blue' })))
    ok(await k(['create', '-f', '-'], cronTab('green', { cronSpec: '@daily', image: 'x', replicas: 2, color: 'green' })))
    const { rows } = parseTable(ok(await k(['get', 'crontabs'])))
    // A missing value is a null cell (as upstream's tableconvertor sends it), which kubectl prints empty.
    expect(rows.map((r) => [r.NAME, r.SPEC, r.REPLICAS, r.PHASE])).toEqual([
      ['green', '@daily', '2', ''],
      ['my-new-cron-object', '* * * * */5', '1', ''],
    ])
    expect(rows[0].AGE).toMatch(/^\d+s$/)
    expect(parseTable(ok(await k(['get', 'ct', '-o', 'wide']))).headers).toContain('IMAGE')
    // The category: `kubectl get all` includes them.
    expect(ok(await k(['get', 'all']))).toContain('crontab.stable.example.com/green')
  })

  it('kubectl explain reads the CRD schema from /openapi/v3 (with apiVersion, kind and metadata added)', async () => {
    const out = ok(await k(['explain', 'crontabs.spec']))
    expect(out).toContain('KIND:       CronTab')
    expect(out).toMatch(/^GROUP:\s+stable.example.com$/m)
    expect(out).toMatch(/^VERSION:\s+v1$/m)
    expect(out).toMatch(/cronSpec\s+<string>/)
    expect(out).toMatch(/replicas\s+<integer>/)
    expect(ok(await k(['explain', 'crontabs']))).toMatch(/metadata\s+<ObjectMeta>/)
    const index = JSON.parse(ok(await k(['get', '--raw', '/openapi/v3'])))
    expect(Object.keys(index.paths)).toContain('apis/stable.example.com/v1')
    expect(Object.keys(index.paths)).toContain('apis/stable.example.com/v1beta1')
    const v2 = JSON.parse(ok(await k(['get', '--raw', '/openapi/v2'])))
    expect(v2.definitions['com.example.stable.v1.CronTab'].properties.spec.properties.cronSpec).toEqual({ type: 'string' })
  })

  it('validates custom objects against the version schema (crd-schema) and prunes unknown fields', async () => {
    const r = await k(['create', '-f', '-'], cronTab('typed', { cronSpec: '@daily', replicas: 'three' }))
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain('spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"')
    ok(await k(['create', '--validate=false', '-f', '-'], cronTab('pruned', { cronSpec: '@daily', image: 'z', bogus: 1 })))
    expect(JSON.parse(ok(await k(['get', 'crontab', 'pruned', '-o', 'json']))).spec).toEqual({ cronSpec: '@daily', image: 'z' })
    ok(await k(['delete', 'crontab', 'pruned']))
  })

  it('field selectors use selectableFields, with upstream errors for other fields', async () => {
    expect(parseTable(ok(await k(['get', 'crontabs', '--field-selector', 'spec.color=blue']))).rows.map((r) => r.NAME)).toEqual(['my-new-cron-object'])
    const bad = await k(['get', 'crontabs', '--field-selector', 'spec.image=x'])
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain('field label not supported: spec.image')
  })

  it('status is written only through /status, and kubectl scale goes through /scale', async () => {
    ok(await k(['patch', 'crontab', 'green', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Running","replicas":2}}']))
    // A main-resource write cannot change status (the status subresource owns it).
    ok(await k(['patch', 'crontab', 'green', '--type=merge', '-p', '{"status":{"phase":"Hacked"}}']))
    let obj = JSON.parse(ok(await k(['get', 'crontab', 'green', '-o', 'json'])))
    expect(obj.status).toEqual({ phase: 'Running', replicas: 2 })
    expect(obj.metadata.generation).toBe(1)
    ok(await k(['scale', 'crontab', 'green', '--replicas=5']))
    obj = JSON.parse(ok(await k(['get', 'crontab', 'green', '-o', 'json'])))
    expect(obj.spec.replicas).toBe(5)
    expect(obj.metadata.generation).toBe(2)
    const scale = JSON.parse(ok(await k(['get', '--raw', '/apis/stable.example.com/v1/namespaces/default/crontabs/green/scale'])))
    expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 5 }, status: { replicas: 2 } })
  })

  it('serves the deprecated v1beta1 with conversion None and a deprecation warning', async () => {
    const r = await k(['get', 'crontabs.v1beta1.stable.example.com', 'green', '-o', 'json'])
    expect(JSON.parse(ok(r)).apiVersion).toBe('stable.example.com/v1beta1')
    expect(r.stderr).toContain('Warning: stable.example.com/v1beta1 CronTab is deprecated')
    ok(await k(['create', '-f', '-'], cronTab('old', { cronSpec: '@hourly', image: 'y' }, 'stable.example.com/v1beta1')))
    expect(JSON.parse(ok(await k(['get', 'crontab', 'old', '-o', 'json']))).apiVersion).toBe('stable.example.com/v1')
  })

  it('refuses an invalid CRD with upstream messages', async () => {
    const bad = crdYAML.replace('name: crontabs.stable.example.com', 'name: crontab.stable.example.com')
    const r = await k(['create', '-f', '-'], bad)
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain('metadata.name: Invalid value: "crontab.stable.example.com": must be spec.names.plural+"."+spec.group')
    const r2 = await k(
      ['create', '-f', '-'],
      bad.replace('name: crontab.stable.example.com', 'name: crontabs.stable.example.com').replace('storage: false', 'storage: true'),
    )
    expect(r2.stderr).toContain('must have exactly one version marked as storage version')
  })

  it('a storage version with served: false stores the objects but is not served: 404, not in discovery or OpenAPI', async () => {
    const crd = 'crd/crontabs.stable.example.com'
    const served = (i: number, value: boolean) => JSON.stringify([{ op: 'replace', path: `/spec/versions/${i}/served`, value }])
    const versions = JSON.parse(ok(await k(['get', crd, '-o', 'json']))).spec.versions.map((v: { name: string }) => v.name)
    expect(versions).toEqual(['v1beta1', 'v1'])
    ok(await k(['patch', crd, '--type=json', '-p', served(1, false)]))
    const gone = await k(['get', '--raw', '/apis/stable.example.com/v1/namespaces/default/crontabs/green'])
    expect(gone.code).toBe(1)
    expect(gone.stderr.trim()).toBe('Error from server (NotFound): the server could not find the requested resource')
    const group = JSON.parse(ok(await k(['get', '--raw', '/apis/stable.example.com'])))
    expect(group.versions.map((v: { version: string }) => v.version)).toEqual(['v1beta1'])
    expect(group.preferredVersion.version).toBe('v1beta1')
    const paths = Object.keys(JSON.parse(ok(await k(['get', '--raw', '/openapi/v3']))).paths)
    expect(paths).toContain('apis/stable.example.com/v1beta1')
    expect(paths).not.toContain('apis/stable.example.com/v1')
    const { rows } = parseTable(ok(await k(['api-resources', '--api-group=stable.example.com'])))
    expect(rows.map((r) => r.APIVERSION)).toEqual(['stable.example.com/v1beta1'])
    // The objects stay, read and written through the served version; they are still stored at v1.
    const got = await k(['get', 'crontab', 'green', '-o', 'json'])
    expect(JSON.parse(ok(got))).toMatchObject({ apiVersion: 'stable.example.com/v1beta1', spec: { cronSpec: '@daily' } })
    ok(await k(['create', '-f', '-'], cronTab('while-unserved', { cronSpec: '@weekly', image: 'z' }, 'stable.example.com/v1beta1')))
    expect(ok(await k(['get', 'crontabs', '-o', 'name']))).toContain('crontab.stable.example.com/while-unserved')
    const after = JSON.parse(ok(await k(['get', crd, '-o', 'json'])))
    expect(after.status.storedVersions).toEqual(['v1'])
    // No version served at all is refused (validation), as upstream.
    const none = await k(['patch', crd, '--type=json', '-p', served(0, false)])
    expect(none.stderr).toContain('must have at least one version marked as served')
    ok(await k(['patch', crd, '--type=json', '-p', served(1, true)]))
    expect(JSON.parse(ok(await k(['get', '--raw', '/apis/stable.example.com/v1/namespaces/default/crontabs/while-unserved']))).apiVersion).toBe(
      'stable.example.com/v1',
    )
  })

  it('deleting the CRD deletes its objects (customresourcecleanup finalizer) and stops serving it', async () => {
    ok(await k(['delete', 'crd', 'crontabs.stable.example.com', '--timeout=20s']))
    await until(async () => (await k(['get', 'crd', 'crontabs.stable.example.com'])).code !== 0)
    const after = await k(['get', '--raw', '/apis/stable.example.com/v1/namespaces/default/crontabs'])
    expect(after.code).not.toBe(0)
    expect(Object.keys(JSON.parse(ok(await k(['get', '--raw', '/openapi/v3']))).paths)).not.toContain('apis/stable.example.com/v1')
    expect(ok(await k(['api-resources', '--api-group=stable.example.com']))).not.toContain('crontabs')
    // Recreating the CRD shows no old objects: they were deleted, not hidden.
    ok(await k(['apply', '-f', '-'], crdYAML))
    ok(await k(['wait', '--for', 'condition=established', 'crd/crontabs.stable.example.com', '--timeout=15s']))
    expect(JSON.parse(ok(await k(['get', '--raw', '/apis/stable.example.com/v1/crontabs']))).items).toEqual([])
  })
})
