/** @module storage.test: StorageClasses, dynamic provisioning for StatefulSet claim templates and reclaim, through real kubectl. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { parseTable } from '../helpers/parse-table.js'
import { ok, until } from '../helpers/expect-kubectl.js'

const statefulSet = JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db' },
  spec: {
    replicas: 3,
    serviceName: 'db',
    selector: { matchLabels: { app: 'db' } },
    template: {
      metadata: { labels: { app: 'db' } },
      spec: { containers: [{ name: 'db', image: 'nginx:1.15.12', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] },
    },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  },
})

describe('storage through kubectl', () => {
  let km: Kubemock
  const k = (args: string[], input?: string) => km.kubectl(args, { input })

  beforeAll(async () => {
    km = await startKubemock({ args: ['--speed', '20'] })
  }, 30_000)
  afterAll(async () => {
    await km?.stop()
  })

  it('api-resources lists the storage kinds with their short names and scopes', async () => {
    const t = parseTable(ok(await k(['api-resources'])))
    const byName = new Map(t.rows.map((r) => [`${r.NAME} ${r.APIVERSION}`, r]))
    expect(byName.get('persistentvolumeclaims v1')).toEqual({
      NAME: 'persistentvolumeclaims',
      SHORTNAMES: 'pvc',
      APIVERSION: 'v1',
      NAMESPACED: 'true',
      KIND: 'PersistentVolumeClaim',
    })
    expect(byName.get('persistentvolumes v1')).toMatchObject({ SHORTNAMES: 'pv', NAMESPACED: 'false', KIND: 'PersistentVolume' })
    expect(byName.get('storageclasses storage.k8s.io/v1')).toMatchObject({ SHORTNAMES: 'sc', NAMESPACED: 'false', KIND: 'StorageClass' })
    expect(byName.get('csidrivers storage.k8s.io/v1')).toMatchObject({ SHORTNAMES: '', NAMESPACED: 'false', KIND: 'CSIDriver' })
    expect(byName.get('csinodes storage.k8s.io/v1')).toMatchObject({ NAMESPACED: 'false', KIND: 'CSINode' })
    expect(byName.get('csistoragecapacities storage.k8s.io/v1')).toMatchObject({ NAMESPACED: 'true', KIND: 'CSIStorageCapacity' })
    expect(byName.get('volumeattachments storage.k8s.io/v1')).toMatchObject({ NAMESPACED: 'false', KIND: 'VolumeAttachment' })
  })

  it('kubectl explain reads the storage schemas', async () => {
    expect(ok(await k(['explain', 'pvc.spec.accessModes']))).toContain('FIELD: accessModes <[]string>')
    expect(ok(await k(['explain', 'storageclass.volumeBindingMode']))).toContain('FIELD: volumeBindingMode <string>')
  })

  it("kubectl get sc shows kind's default class", async () => {
    const t = parseTable(ok(await k(['get', 'sc'])))
    expect(t.headers).toEqual(['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE'])
    expect(t.rows).toHaveLength(1)
    expect(t.rows[0]).toMatchObject({
      NAME: 'standard (default)',
      PROVISIONER: 'rancher.io/local-path',
      RECLAIMPOLICY: 'Delete',
      VOLUMEBINDINGMODE: 'WaitForFirstConsumer',
      ALLOWVOLUMEEXPANSION: 'false',
    })
  })

  it('provisions Bound pvc-… volumes of class standard for a 3-replica StatefulSet', async () => {
    ok(await k(['apply', '-f', '-'], statefulSet))
    const claims = await until(
      async () => {
        const t = parseTable(ok(await k(['get', 'pvc'])))
        return t.rows.length === 3 && t.rows.every((r) => r.STATUS === 'Bound') ? t : undefined
      },
      30_000,
      () => km.logs(),
    )
    expect(claims.headers).toEqual(['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE'])
    expect(claims.rows.map((r) => r.NAME)).toEqual(['data-db-0', 'data-db-1', 'data-db-2'])
    for (const r of claims.rows) {
      expect(r).toMatchObject({ CAPACITY: '1Gi', 'ACCESS MODES': 'RWO', STORAGECLASS: 'standard', VOLUMEATTRIBUTESCLASS: '<unset>' })
      expect(r.VOLUME).toMatch(/^pvc-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    }
    const vols = parseTable(ok(await k(['get', 'pv'])))
    expect(vols.headers).toEqual([
      'NAME',
      'CAPACITY',
      'ACCESS MODES',
      'RECLAIM POLICY',
      'STATUS',
      'CLAIM',
      'STORAGECLASS',
      'VOLUMEATTRIBUTESCLASS',
      'REASON',
      'AGE',
    ])
    const byClaim = Object.fromEntries(vols.rows.map((r) => [r.CLAIM, r]))
    for (const c of claims.rows) {
      expect(byClaim[`default/${c.NAME}`]).toMatchObject({
        NAME: c.VOLUME,
        CAPACITY: '1Gi',
        'ACCESS MODES': 'RWO',
        'RECLAIM POLICY': 'Delete',
        STATUS: 'Bound',
        STORAGECLASS: 'standard',
        REASON: '',
      })
    }
    // Each volume lives on the node its pod runs on.
    ok(await k(['rollout', 'status', 'sts/db', '--timeout=60s']))
    const node = ok(await k(['get', 'pod', 'db-0', '-o', 'jsonpath={.spec.nodeName}']))
    const pv0 = byClaim['default/data-db-0'].NAME
    expect(ok(await k(['get', 'pv', pv0, '-o', 'jsonpath={.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}']))).toBe(node)
    expect(ok(await k(['get', 'pv', pv0, '-o', 'jsonpath={.spec.hostPath.path}']))).toBe(`/var/local-path-provisioner/${pv0}_default_data-db-0`)
    const described = ok(await k(['describe', 'pvc', 'data-db-0']))
    // (Whether WaitForFirstConsumer is recorded first depends on who sees the claim first: the binder or the scheduler.)
    expect(described).toContain("Waiting for a volume to be created either by the external provisioner 'rancher.io/local-path'")
    expect(described).toContain('Used By:       db-0')
    expect(described).toContain(`Successfully provisioned volume ${pv0}`)
    const wide = parseTable(ok(await k(['get', 'pvc', '-o', 'wide'])))
    expect(wide.headers.at(-1)).toBe('VOLUMEMODE')
    expect(wide.rows[0].VOLUMEMODE).toBe('Filesystem')
    // One request for all three types.
    const all = ok(await k(['get', 'pvc,pv,sc']))
    expect(all).toContain('persistentvolumeclaim/data-db-0')
    expect(all).toContain('storageclass.storage.k8s.io/standard (default)')
  }, 90_000)

  it("refuses an invalid claim and an immutable change with upstream's messages", async () => {
    const bad = await k(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'bad' }, spec: {} }))
    expect(bad.code).toBe(1)
    expect(bad.stderr.trim()).toBe(
      'The PersistentVolumeClaim "bad" is invalid: \n* spec.accessModes: Required value: at least 1 access mode is required\n* spec.resources[storage]: Required value',
    )
    const r = await k(['patch', 'sc', 'standard', '--type=merge', '-p', '{"provisioner":"example.com/other"}'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('provisioner: Forbidden: updates to provisioner are forbidden.')
  })

  it('keeps claims after the set is deleted and reclaims a volume when its claim goes', async () => {
    const volume = ok(await k(['get', 'pvc', 'data-db-2', '-o', 'jsonpath={.spec.volumeName}']))
    ok(await k(['delete', 'sts', 'db', '--wait=true']))
    await until(
      async () => ok(await k(['get', 'pods', '-l', 'app=db', '-o', 'name'])) === '',
      30_000,
      () => km.logs(),
    )
    // persistentVolumeClaimRetentionPolicy defaults to Retain.
    expect(parseTable(ok(await k(['get', 'pvc']))).rows).toHaveLength(3)
    ok(await k(['delete', 'pvc', 'data-db-2', '--wait=true']))
    await until(
      async () => !ok(await k(['get', 'pv', '-o', 'name'])).includes(volume),
      30_000,
      () => km.logs(),
    )
    const left = parseTable(ok(await k(['get', 'pv']))).rows
    expect(left.map((r) => r.CLAIM).sort()).toEqual(['default/data-db-0', 'default/data-db-1'])
    expect((await k(['get', 'pv', volume])).stderr).toContain(`persistentvolumes "${volume}" not found`)
  }, 90_000)
})
