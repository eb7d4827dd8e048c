/** @module core-policy.test: ReplicationControllers, PodTemplates, LimitRanges, ResourceQuotas and ComponentStatuses through real kubectl. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { parseTable } from '../helpers/parse-table.js'
import { ok, until } from '../helpers/expect-kubectl.js'

const rc = JSON.stringify({
  apiVersion: 'v1',
  kind: 'ReplicationController',
  metadata: { name: 'web' },
  spec: { replicas: 3, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.15.12' }] } } },
})

const pod = (name: string, resources?: unknown) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'nginx:1.15.12', ...(resources ? { resources } : {}) }] },
  })

describe('core policy kinds through kubectl', () => {
  let km: Kubemock
  const k = (args: string[], input?: string) => km.kubectl(args, { input })
  const podNames = async (args: string[]) =>
    ok(await k(['get', 'pods', ...args, '-o', 'jsonpath={.items[*].metadata.name}']))
      .split(' ')
      .filter(Boolean)

  beforeAll(async () => {
    km = await startKubemock({ args: ['--speed', '20'] })
  }, 30_000)
  afterAll(async () => {
    await km?.stop()
  })

  it('creates, lists, scales and deletes a ReplicationController', async () => {
    expect(ok(await k(['create', '-f', '-'], rc))).toBe('replicationcontroller/web created\n')
    const table = await until(async () => {
      const t = parseTable(ok(await k(['get', 'rc'])))
      return t.rows[0]?.READY === '3' ? t : undefined
    })
    expect(table, km.logs()).toBeDefined()
    expect(table!.headers).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'])
    expect(table!.rows[0]).toMatchObject({ NAME: 'web', DESIRED: '3', CURRENT: '3', READY: '3' })
    const wide = parseTable(ok(await k(['get', 'rc', 'web', '-o', 'wide'])))
    expect(wide.headers).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'])
    expect(wide.rows[0]).toMatchObject({ CONTAINERS: 'nginx', IMAGES: 'nginx:1.15.12', SELECTOR: 'app=web' })
    // Defaults: the selector and the RC's labels come from the template.
    expect(ok(await k(['get', 'rc', 'web', '-o', 'jsonpath={.spec.selector.app} {.metadata.labels.app}']))).toBe('web web')
    const pods = await podNames(['-l', 'app=web'])
    expect(pods).toHaveLength(3)
    const described = ok(await k(['describe', 'rc', 'web']))
    expect(described).toMatch(/^Name:\s+web\nNamespace:\s+default\nSelector:\s+app=web\nLabels:\s+app=web\n/)
    expect(described).toMatch(/\nReplicas:\s+3 current \/ 3 desired\nPods Status:\s+3 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed\n/)
    expect(described).toMatch(/Normal\s+SuccessfulCreate\s+\S+\s+replication-controller\s+Created pod: web-/)
    expect(ok(await k(['get', 'pod', pods[0], '-o', 'jsonpath={.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}']))).toBe(
      'ReplicationController/web',
    )

    expect(ok(await k(['scale', 'rc', 'web', '--replicas=1']))).toBe('replicationcontroller/web scaled\n')
    const scaled = await until(async () => {
      const t = parseTable(ok(await k(['get', 'rc', 'web'])))
      return t.rows[0]?.CURRENT === '1' && (await podNames(['-l', 'app=web'])).length === 1 ? t : undefined
    }, 30_000)
    expect(scaled, km.logs()).toBeDefined()
    expect(scaled!.rows[0]).toMatchObject({ DESIRED: '1', CURRENT: '1', READY: '1' })
    // The survivor is one of the three pods: scaling down deletes, it does not replace.
    expect(pods).toContain((await podNames(['-l', 'app=web']))[0])
    expect(ok(await k(['get', 'rc', 'web', '--subresource=scale', '-o', 'jsonpath={.status.selector}']))).toBe('app=web')

    expect(ok(await k(['delete', 'rc', 'web']))).toBe('replicationcontroller "web" deleted\n')
    const gone = await until(async () => (await podNames(['-l', 'app=web'])).length === 0, 30_000)
    expect(gone, km.logs()).toBe(true)
  })

  it('applies a ReplicationController twice: created, then configured', async () => {
    const manifest = (replicas: number) =>
      JSON.stringify({
        ...JSON.parse(rc),
        metadata: { name: 'applied' },
        spec: { ...JSON.parse(rc).spec, replicas, template: { ...JSON.parse(rc).spec.template, metadata: { labels: { app: 'applied' } } } },
      })
    expect(ok(await k(['apply', '-f', '-'], manifest(1)))).toBe('replicationcontroller/applied created\n')
    expect(ok(await k(['apply', '-f', '-'], manifest(1)))).toBe('replicationcontroller/applied unchanged\n')
    expect(ok(await k(['apply', '-f', '-'], manifest(2)))).toBe('replicationcontroller/applied configured\n')
    expect(ok(await k(['get', 'rc', 'applied', '-o', 'jsonpath={.spec.replicas} {.metadata.generation}']))).toBe('2 2')
    ok(await k(['delete', 'rc', 'applied']))
  })

  it('creates and lists a podtemplate', async () => {
    const pt = {
      apiVersion: 'v1',
      kind: 'PodTemplate',
      metadata: { name: 'tpl' },
      template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    }
    expect(ok(await k(['create', '-f', '-'], JSON.stringify(pt)))).toBe('podtemplate/tpl created\n')
    const t = parseTable(ok(await k(['get', 'podtemplates'])))
    expect(t.headers).toEqual(['NAME', 'CONTAINERS', 'IMAGES', 'POD LABELS'])
    expect(t.rows).toEqual([{ NAME: 'tpl', CONTAINERS: 'c', IMAGES: 'busybox', 'POD LABELS': 'a=b' }])
  })

  it('a LimitRange defaults a pod and refuses one over max with the upstream text', async () => {
    ok(await k(['create', 'namespace', 'limited']))
    const lr = {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'cpu' },
      spec: { limits: [{ type: 'Container', max: { cpu: '1' }, defaultRequest: { cpu: '250m' } }] },
    }
    expect(ok(await k(['create', '-n', 'limited', '-f', '-'], JSON.stringify(lr)))).toBe('limitrange/cpu created\n')
    const t = parseTable(ok(await k(['get', 'limits', '-n', 'limited'])))
    expect(t.headers).toEqual(['NAME', 'CREATED AT'])
    expect(t.rows[0].NAME).toBe('cpu')
    expect(ok(await k(['get', 'limitrange', 'cpu', '-n', 'limited', '-o', 'jsonpath={.spec.limits[0].default.cpu}']))).toBe('1')

    const d = ok(await k(['describe', 'limits', 'cpu', '-n', 'limited']))
    expect(d).toMatch(
      /Type\s+Resource\s+Min\s+Max\s+Default Request\s+Default Limit\s+Max Limit\/Request Ratio\n[- ]+\nContainer\s+cpu\s+-\s+1\s+250m\s+1\s+-\n/,
    )
    ok(await k(['create', '-n', 'limited', '-f', '-'], pod('defaulted')))
    expect(ok(await k(['get', 'pod', 'defaulted', '-n', 'limited', '-o', 'jsonpath={.spec.containers[0].resources}']))).toBe(
      '{"limits":{"cpu":"1"},"requests":{"cpu":"250m"}}',
    )
    expect(ok(await k(['get', 'pod', 'defaulted', '-n', 'limited', '-o', "jsonpath={.metadata.annotations['kubernetes\\.io/limit-ranger']}"]))).toBe(
      'LimitRanger plugin set: cpu request for container c; cpu limit for container c',
    )
    const r = await k(['create', '-n', 'limited', '-f', '-'], pod('big', { limits: { cpu: '2' } }))
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(
      'Error from server (Forbidden): error when creating "STDIN": pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2',
    )
  })

  it('a ResourceQuota of 2 pods refuses the third and shows pods: 2/2', async () => {
    ok(await k(['create', 'namespace', 'quota-ns']))
    expect(ok(await k(['create', 'quota', 'q', '--hard=pods=2', '-n', 'quota-ns']))).toBe('resourcequota/q created\n')
    const synced = await until(async () => ok(await k(['get', 'quota', 'q', '-n', 'quota-ns', '-o', 'jsonpath={.status.used.pods}'])) === '0')
    expect(synced, km.logs()).toBe(true)
    ok(await k(['create', '-n', 'quota-ns', '-f', '-'], pod('p1')))
    ok(await k(['create', '-n', 'quota-ns', '-f', '-'], pod('p2')))
    const r = await k(['create', '-n', 'quota-ns', '-f', '-'], pod('p3'))
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(
      'Error from server (Forbidden): error when creating "STDIN": pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2',
    )
    const t = parseTable(ok(await k(['get', 'quota', '-n', 'quota-ns'])))
    expect(t.headers).toEqual(['NAME', 'AGE', 'REQUEST', 'LIMIT'])
    expect(t.rows[0]).toMatchObject({ NAME: 'q', REQUEST: 'pods: 2/2', LIMIT: '' })
    const d = ok(await k(['describe', 'quota', 'q', '-n', 'quota-ns']))
    expect(d).toMatch(/^Name:\s+q\nNamespace:\s+quota-ns\nResource\s+Used\s+Hard\n-+\s+-+\s+-+\npods\s+2\s+2\n$/)
  })

  it('kubectl get cs shows the three healthy components with the deprecation warning', async () => {
    const r = await k(['get', 'cs'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('Warning: v1 ComponentStatus is deprecated in v1.19+\n')
    const t = parseTable(r.stdout)
    expect(t.headers).toEqual(['NAME', 'STATUS', 'MESSAGE', 'ERROR'])
    expect(t.rows.map((x) => [x.NAME, x.STATUS, x.MESSAGE])).toEqual([
      ['controller-manager', 'Healthy', 'ok'],
      ['scheduler', 'Healthy', 'ok'],
      ['etcd-0', 'Healthy', 'ok'],
    ])
  })

  it('kubectl get rc,podtemplates,limits,quota,cs knows every type', async () => {
    const r = await k(['get', 'rc,podtemplates,limits,quota,cs', '-A'])
    expect(r.stderr).not.toContain("doesn't have a resource type")
    expect(r.code).toBe(0)
  })
})
