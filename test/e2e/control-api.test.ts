/** @module control-api.test: the /kubemock/v1 control API driven next to real kubectl against the built CLI. */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../helpers/kubectl-path.js'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { parseTable } from '../helpers/parse-table.js'
import { jsonOf } from '../helpers/json-body.js'

const json = (km: Kubemock, path: string, method = 'GET', body?: unknown) =>
  fetch(`${km.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })

describe('control API with kubectl', () => {
  let km: Kubemock
  beforeAll(async () => {
    km = await startKubemock({ args: ['--log-level', 'silent'] })
  })
  afterAll(async () => {
    await km?.stop()
  })

  it('a list fault makes `kubectl get pods` print the InternalError once', async () => {
    const f = await json(km, '/kubemock/v1/faults', 'POST', { verb: 'list', resource: 'pods', status: 500, count: 1 })
    expect(f.status).toBe(201)
    const first = await km.kubectl(['get', 'pods'])
    expect(first.code).toBe(1)
    expect(first.stderr.trim()).toBe('Error from server (InternalError): Internal error occurred: injected fault')
    const second = await km.kubectl(['get', 'pods', '-n', 'kube-system'])
    expect(second.code).toBe(0)
    const listed = await jsonOf(json(km, '/kubemock/v1/faults'))
    expect(listed.items).toEqual([expect.objectContaining({ remaining: 0, hits: 1 })])
    await json(km, '/kubemock/v1/faults', 'DELETE')
  })

  it('a 403 fault on one object prints the RBAC-style Forbidden text (a namespace is its own namespace, as in RequestInfo)', async () => {
    await json(km, '/kubemock/v1/faults', 'POST', { verb: 'get', resource: 'namespaces', name: 'kube-public', status: 403 })
    const r = await km.kubectl(['get', 'namespace', 'kube-public'])
    expect(r.stderr.trim()).toBe(
      'Error from server (Forbidden): namespaces "kube-public" is forbidden: User "system:anonymous" cannot get resource "namespaces" in API group "" in the namespace "kube-public"',
    )
    await json(km, '/kubemock/v1/faults', 'DELETE')
  })

  it('the journal shows kubectl requests with its user agent', async () => {
    await json(km, '/kubemock/v1/requests', 'DELETE')
    expect((await km.kubectl(['get', 'configmap', 'kube-root-ca.crt', '-n', 'kube-public'])).code).toBe(0)
    const items = (await jsonOf(json(km, '/kubemock/v1/requests?userAgent=kubectl&resource=configmaps'))).items
    expect(items).toEqual([expect.objectContaining({ verb: 'get', namespace: 'kube-public', name: 'kube-root-ca.crt', status: 200, method: 'GET' })])
    expect(items[0].userAgent).toMatch(/^kubectl\/v1\.\d+\.\d+ /)
  })

  it('snapshot → kubectl delete → PUT snapshot restores; reset returns to the boot state', async () => {
    expect((await km.kubectl(['create', 'configmap', 'keep', '--from-literal=a=1'])).code).toBe(0)
    const snapshot = await (await fetch(`${km.url}/kubemock/v1/snapshot`, { headers: { accept: 'application/yaml' } })).text()
    expect(snapshot).toMatch(/^apiVersion: v1\nkind: List\n|kind: List/)
    expect((await km.kubectl(['delete', 'configmap', 'keep'])).code).toBe(0)
    const put = await fetch(`${km.url}/kubemock/v1/snapshot`, { method: 'PUT', headers: { 'content-type': 'application/yaml' }, body: snapshot })
    expect(put.status).toBe(200)
    const got = await km.kubectl(['get', 'configmap', 'keep', '-o', 'jsonpath={.data.a}'])
    expect(got).toMatchObject({ code: 0, stdout: '1' })
    expect((await json(km, '/kubemock/v1/reset', 'POST')).status).toBe(200)
    const after = await km.kubectl(['get', 'configmap', 'keep'])
    expect(after.stderr.trim()).toBe('Error from server (NotFound): configmaps "keep" not found')
  })

  it('a bad control request gets a Status naming the field and changes nothing', async () => {
    const before = await jsonOf(json(km, '/kubemock/v1/clock'))
    const r = await json(km, '/kubemock/v1/faults', 'POST', { verb: 'list', status: 500, rate: 1.5 })
    expect(r.status).toBe(422)
    expect(await jsonOf(r)).toMatchObject({ kind: 'Status', reason: 'Invalid', message: 'FaultSpec is invalid: rate: Invalid value: 1.5: must be <= 1' })
    expect((await jsonOf(json(km, '/kubemock/v1/faults'))).items).toEqual([])
    expect((await json(km, '/kubemock/v1/clock', 'PUT', { speed: 'fast' })).status).toBe(422)
    expect((await jsonOf(json(km, '/kubemock/v1/clock'))).speed).toBe(before.speed)
    expect((await km.kubectl(['get', 'pods', '-n', 'kube-system'])).code).toBe(0)
  })
})

describe('scenarios', () => {
  it('the tutorial scenario boots with the four dev-umon nodes', async () => {
    const km = await startKubemock({ args: ['--scenario', 'scenarios/tutorial.yaml', '--log-level', 'silent'] })
    try {
      const r = await km.kubectl(['get', 'nodes'])
      const t = parseTable(r.stdout)
      expect(t.rows.map((row) => [row.NAME, row.ROLES])).toEqual([
        ['dev-umon-kube-test001-ncl', 'control-plane'],
        ['dev-umon-kube-test002-ncl', '<none>'],
        ['dev-umon-kube-test003-ncl', '<none>'],
        ['dev-umon-kube-test004-ncl', '<none>'],
      ])
      const d = await km.kubectl(['get', 'deployment', 'echo-hname', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}'])
      expect(d.stdout).toBe('3 sysnet4admin/echo-hname')
      expect((await km.kubectl(['get', 'pod', 'nginx-pod', '-o', 'jsonpath={.spec.containers[0].image}'])).stdout).toBe('nginx:1.15.12')
      expect((await km.kubectl(['get', 'daemonset', 'kube-proxy', '-n', 'kube-system', '-o', 'name'])).stdout.trim()).toBe('daemonset.apps/kube-proxy')
    } finally {
      await km.stop()
    }
  })

  it('a bad scenario file exits 1 with a message naming the file and the field', () => {
    const file = join(repoRoot, 'test/fixtures/scenarios/bad-node.yaml')
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin/kubemock.js'), '--port', '0', '--scenario', file], { encoding: 'utf8', timeout: 15_000 })
    expect(r.status).toBe(1)
    expect(r.stdout).not.toMatch(/listening/)
    expect(r.stderr.trim()).toBe(
      `scenario ${file}: is invalid: nodes[1].name: Required value, nodes[1].nmae: Forbidden: unknown field, nodes[1].capacity.cpu: Invalid value: "lots": must match the regex ^[0-9.]+[a-zA-Z]*$`,
    )
  })
})
