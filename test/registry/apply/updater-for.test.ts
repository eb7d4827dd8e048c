import { describe, expect, test } from 'vitest'
import { zeroObject } from '../../../src/openapi/zero-object.js'
import { updaterFor } from '../../../src/registry/apply/updater-for.js'
import type { ApplyConflicts } from '../../../src/registry/apply/updater.js'

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'nginx', namespace: 'default', labels: { app: 'nginx' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'nginx' } },
    progressDeadlineSeconds: 600,
    revisionHistoryLimit: 10,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: {
        containers: [
          {
            name: 'nginx',
            image: 'nginx',
            imagePullPolicy: 'Always',
            resources: {},
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
          },
        ],
        dnsPolicy: 'ClusterFirst',
        restartPolicy: 'Always',
        schedulerName: 'default-scheduler',
        securityContext: {},
        terminationGracePeriodSeconds: 30,
      },
    },
  },
  status: {},
}

describe('updaterFor built-ins', () => {
  const u = updaterFor({ group: 'apps', version: 'v1', kind: 'Deployment' })

  test('the zero object a create compares with is Go’s zero Deployment', () => {
    expect(zeroObject('apps/v1', 'Deployment')).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { creationTimestamp: null },
      spec: { selector: null, template: { metadata: { creationTimestamp: null }, spec: { containers: null } }, strategy: {} },
      status: {},
    })
    expect(zeroObject('v1', 'NoSuchKind')).toBeUndefined()
  })

  test('`kubectl create deployment` gets the fields kube-apiserver records for it', () => {
    const m = u.update(undefined, deployment, 'apps/v1', new Map(), 'kubectl-create')
    // As kube-apiserver shows it, but for metadata.name/namespace, which its fieldmanager strips.
    expect(m.get('kubectl-create')!.set.toFieldsV1()).toEqual({
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} }, 'f:name': {}, 'f:namespace': {} },
      'f:spec': {
        'f:progressDeadlineSeconds': {},
        'f:replicas': {},
        'f:revisionHistoryLimit': {},
        'f:selector': {},
        'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} }, 'f:type': {} },
        'f:template': {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"nginx"}': {
                '.': {},
                'f:image': {},
                'f:imagePullPolicy': {},
                'f:name': {},
                'f:resources': {},
                'f:terminationMessagePath': {},
                'f:terminationMessagePolicy': {},
              },
            },
            'f:dnsPolicy': {},
            'f:restartPolicy': {},
            'f:schedulerName': {},
            'f:securityContext': {},
            'f:terminationGracePeriodSeconds': {},
          },
        },
      },
    })
  })

  test('a server-side apply of replicas and image conflicts with the creator, then forces', () => {
    const managers = u.update(undefined, deployment, 'apps/v1', new Map(), 'kubectl-create')
    const config = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'nginx' },
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } } },
    }
    let err: ApplyConflicts | undefined
    try {
      u.apply(deployment, config, 'apps/v1', managers, 'alice', false)
    } catch (e) {
      err = e as ApplyConflicts
    }
    expect(err?.conflicts).toEqual([
      { manager: 'kubectl-create', path: '.spec.replicas' },
      { manager: 'kubectl-create', path: '.spec.template.spec.containers[name="nginx"].image' },
    ])
    const r = u.apply(deployment, config, 'apps/v1', managers, 'alice', true)
    expect((r.object as typeof deployment).spec.replicas).toBe(3)
    expect((r.object as typeof deployment).spec.template.spec.containers[0]).toMatchObject({ name: 'nginx', image: 'nginx:1.25', imagePullPolicy: 'Always' })
    expect(r.managers.get('kubectl-create')!.set.has('.spec.replicas')).toBe(false)
    expect(r.managers.get('alice')!.set.paths()).toContain('.spec.template.spec.containers[name="nginx"].image')
  })
})

describe('controllers’ writes', () => {
  const u = updaterFor({ group: 'apps', version: 'v1', kind: 'Deployment' })

  test('a status write owns the status fields it set and takes nothing else', () => {
    const created = u.update(undefined, deployment, 'apps/v1', new Map(), 'kubectl-create')
    const withStatus = { ...deployment, status: { replicas: 1, conditions: [{ type: 'Available', status: 'True' }] } }
    const m = u.update(deployment, withStatus, 'apps/v1', created, 'kube-controller-manager')
    expect(m.get('kube-controller-manager')!.set.toFieldsV1()).toEqual({
      'f:status': { 'f:conditions': { '.': {}, 'k:{"type":"Available"}': { '.': {}, 'f:status': {}, 'f:type': {} } }, 'f:replicas': {} },
    })
    expect(m.get('kubectl-create')).toBe(created.get('kubectl-create'))
  })
})

describe('updaterFor custom resources', () => {
  const schema = { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } }
  const def = { group: 'example.com', version: 'v1', kind: 'Thing', schema: () => schema }

  test('a create owns .spec itself (the zero object is only apiVersion and kind), one updater per schema object', () => {
    const u = updaterFor(def)
    expect(updaterFor(def)).toBe(u)
    const m = u.update(
      undefined,
      { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't' }, spec: { size: 1 } },
      'example.com/v1',
      new Map(),
      'kubectl-create',
    )
    expect(m.get('kubectl-create')!.set.toFieldsV1()).toEqual({ 'f:metadata': { '.': {}, 'f:name': {} }, 'f:spec': { '.': {}, 'f:size': {} } })
    expect(updaterFor({ ...def, schema: () => ({ ...schema }) })).not.toBe(u)
  })
})
