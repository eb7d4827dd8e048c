/**
 * @module rbac.test: `--authorization-mode RBAC` end to end with real kubectl, client-node and helm:
 * upstream's Forbidden texts, grants through Role/RoleBinding and a group's ClusterRoleBinding,
 * `kubectl auth can-i` (and `--list`), `kubectl auth reconcile`, escalation refusals, and a chart
 * that ships its own ServiceAccount, Role and RoleBinding installed by a namespace admin.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ApiException, CoreV1Api } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ok } from '../helpers/expect-kubectl.js'
import { makeKubeConfig, startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { helmPath } from '../helpers/layer-binary.js'
import { parseTable } from '../helpers/parse-table.js'
import { runProcess } from '../helpers/run-process.js'

const jane = ['--token', 'jane-token']

describe('kubemock --authorization-mode RBAC', () => {
  let km: Kubemock
  let dir: string
  const k = (args: string[], input?: string) => km.kubectl(args, { input })

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubemock-rbac-'))
    // The kubeconfig carries the first token: the administrator.
    writeFileSync(join(dir, 'tokens.csv'), 'admin-token,kubemock-admin,1,"system:masters"\njane-token,jane,2,"devs"\n')
    km = await startKubemock({ args: ['--tls', '--token-file', join(dir, 'tokens.csv'), '--authorization-mode', 'RBAC'] })
  }, 30_000)
  afterAll(async () => {
    await km?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('refuses a user without bindings with the real text', async () => {
    const r = await k(['get', 'pods', ...jane])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(
      'Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"',
    )
    const node = await k(['get', 'node', 'kind-worker', ...jane])
    expect(node.stderr.trim()).toBe(
      'Error from server (Forbidden): nodes "kind-worker" is forbidden: User "jane" cannot get resource "nodes" in API group "" at the cluster scope',
    )
    // Discovery and the version stay open to every authenticated user (system:discovery).
    expect(ok(await k(['version', ...jane]))).toContain('Server Version')
  })

  it('grants through a Role and a RoleBinding', async () => {
    ok(await k(['create', 'role', 'pod-reader', '--verb=get,list,watch', '--resource=pods']))
    ok(await k(['create', 'rolebinding', 'jane-reads', '--role=pod-reader', '--user=jane']))
    expect(ok(await k(['get', 'pods', ...jane]))).toBe('')
    const t = parseTable(ok(await k(['get', 'rolebinding', 'jane-reads', '-o', 'wide'])))
    expect(t.headers).toEqual(['NAME', 'ROLE', 'AGE', 'USERS', 'GROUPS', 'SERVICEACCOUNTS'])
    expect(t.rows[0]).toMatchObject({ NAME: 'jane-reads', ROLE: 'Role/pod-reader', USERS: 'jane' })
    expect((await k(['get', 'pods', '-n', 'kube-system', ...jane])).stderr).toContain(
      'User "jane" cannot list resource "pods" in API group "" in the namespace "kube-system"',
    )
    expect((await k(['delete', 'pod', 'x', ...jane])).stderr.trim()).toBe(
      'Error from server (Forbidden): pods "x" is forbidden: User "jane" cannot delete resource "pods" in API group "" in the namespace "default"',
    )
  })

  it('grants through a ClusterRoleBinding to a group', async () => {
    expect((await k(['get', 'deployments', '-A', ...jane])).code).toBe(1)
    ok(await k(['create', 'clusterrolebinding', 'devs-view', '--clusterrole=view', '--group=devs']))
    // view is aggregated from system:aggregate-to-view by the clusterrole-aggregation controller.
    expect(ok(await k(['get', 'deployments', '-A', ...jane]))).toContain('coredns')
    expect((await k(['get', 'secrets', ...jane])).code).toBe(1)
  })

  it('answers kubectl auth can-i, and --list', async () => {
    const no = await k(['auth', 'can-i', 'create', 'pods', ...jane])
    expect([no.code, no.stdout.trim()]).toEqual([1, 'no'])
    expect(ok(await k(['auth', 'can-i', 'list', 'pods', ...jane])).trim()).toBe('yes')
    expect(ok(await k(['auth', 'can-i', '*', '*'])).trim()).toBe('yes')
    const list = parseTable(ok(await k(['auth', 'can-i', '--list', ...jane])))
    expect(list.headers).toEqual(['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs'])
    const row = (r: string, u: string, v: string) => ({ Resources: r, 'Non-Resource URLs': u, 'Resource Names': '[]', Verbs: v })
    expect(list.rows).toContainEqual(row('pods', '[]', '[get list watch]'))
    expect(list.rows).toContainEqual(row('selfsubjectaccessreviews.authorization.k8s.io', '[]', '[create]'))
    expect(list.rows).toContainEqual(row('', '[/version]', '[get]'))
  })

  it('reconciles RBAC objects with kubectl auth reconcile', async () => {
    const manifest = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: lease-reader}
rules:
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: lease-readers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: lease-reader}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: devs}
`
    expect((await k(['auth', 'can-i', 'get', 'leases', ...jane])).stdout.trim()).toBe('no')
    const out = ok(await k(['auth', 'reconcile', '-f', '-'], manifest))
    expect(out).toContain('clusterrole.rbac.authorization.k8s.io/lease-reader reconciled')
    expect(out).toContain('clusterrolebinding.rbac.authorization.k8s.io/lease-readers reconciled')
    expect(ok(await k(['auth', 'can-i', 'get', 'leases', ...jane])).trim()).toBe('yes')
    expect((await k(['auth', 'can-i', 'list', 'leases', ...jane])).stdout.trim()).toBe('no')
    // A new rule in the manifest is added to the existing role.
    ok(await k(['auth', 'reconcile', '-f', '-'], manifest.replace('verbs: [get]', 'verbs: [get, list]')))
    expect(ok(await k(['auth', 'can-i', 'list', 'leases', ...jane])).trim()).toBe('yes')
  })

  it('refuses to let a namespace admin grant what it does not hold', async () => {
    ok(await k(['create', 'namespace', 'team']))
    ok(await k(['create', 'rolebinding', 'jane-admin', '--clusterrole=admin', '--user=jane', '-n', 'team']))
    ok(await k(['create', 'role', 'cm', '--verb=get', '--resource=configmaps', '-n', 'team', ...jane]))
    const r = await k(['create', 'role', 'nodes', '--verb=get', '--resource=nodes', '-n', 'team', ...jane])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(
      'Error from server (Forbidden): roles.rbac.authorization.k8s.io "nodes" is forbidden: user "jane" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}',
    )
    const bind = await k(['create', 'rolebinding', 'jane-cluster-admin', '--clusterrole=cluster-admin', '--user=jane', '-n', 'team', ...jane])
    expect(bind.stderr).toContain('rolebindings.rbac.authorization.k8s.io "jane-cluster-admin" is forbidden: user "jane"')
  })

  it('installs, as a namespace admin, a helm chart that ships its ServiceAccount, Role and RoleBinding', async () => {
    const chart = join(dir, 'chart')
    mkdirSync(join(chart, 'templates'), { recursive: true })
    writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: operator\nversion: 0.1.0\n')
    writeFileSync(
      join(chart, 'templates', 'rbac.yaml'),
      `apiVersion: v1
kind: ServiceAccount
metadata: {name: operator}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: operator}
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, watch, update]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: operator}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: operator}
subjects:
- {kind: ServiceAccount, name: operator, namespace: {{ .Release.Namespace }}}
`,
    )
    const env = {
      ...process.env,
      KUBECONFIG: km.kubeconfigPath,
      HOME: dir,
      XDG_CACHE_HOME: join(dir, 'cache'),
      XDG_CONFIG_HOME: join(dir, 'config'),
      XDG_DATA_HOME: join(dir, 'data'),
    }
    const helm = await runProcess(helmPath(), ['install', 'op', chart, '-n', 'team', '--kube-token', 'jane-token'], { cwd: dir, env, timeoutMs: 60_000 })
    expect(helm.stderr).toBe('')
    expect(helm.stdout).toContain('STATUS: deployed')
    // The chart's account may now do what its Role says (asked with a SubjectAccessReview).
    const sar = (verb: string) =>
      JSON.stringify({
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: 'system:serviceaccount:team:operator',
          groups: ['system:serviceaccounts'],
          resourceAttributes: { namespace: 'team', verb, resource: 'configmaps' },
        },
      })
    expect(JSON.parse(ok(await k(['create', '-f', '-', '-o', 'json'], sar('update')))).status).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "operator/team" of Role "operator" to ServiceAccount "operator/team"',
    })
    expect(JSON.parse(ok(await k(['create', '-f', '-', '-o', 'json'], sar('delete')))).status).toEqual({ allowed: false })
    const rb = parseTable(ok(await k(['get', 'rolebinding', 'operator', '-n', 'team', '-o', 'wide'])))
    expect(rb.rows[0]).toMatchObject({ ROLE: 'Role/operator', SERVICEACCOUNTS: 'team/operator' })
  })

  it('gives client-node the same 403 Status', async () => {
    const api = makeKubeConfig(km.url, 'jane-token').makeApiClient(CoreV1Api)
    const err = await api.listNamespacedSecret({ namespace: 'default' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiException)
    expect((err as ApiException<string>).code).toBe(403)
    expect(JSON.parse((err as ApiException<string>).body)).toMatchObject({
      reason: 'Forbidden',
      message: 'secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" in the namespace "default"',
      details: { kind: 'secrets' },
    })
  })
})

describe('RBAC kinds under the default --authorization-mode AlwaysAllow', () => {
  let km: Kubemock
  const k = (args: string[], input?: string) => km.kubectl(args, { input })
  beforeAll(async () => {
    km = await startKubemock()
  }, 30_000)
  afterAll(async () => {
    await km?.stop()
  })

  it('applies a chart’s RBAC and lists the bootstrap policy as a real cluster does', async () => {
    const manifest = `apiVersion: v1
kind: ServiceAccount
metadata: {name: app}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: app}
rules:
- {apiGroups: [""], resources: [configmaps], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: app}
subjects:
- {kind: ServiceAccount, name: app}
`
    expect(
      ok(await k(['apply', '-f', '-'], manifest))
        .trim()
        .split('\n'),
    ).toEqual(['serviceaccount/app created', 'role.rbac.authorization.k8s.io/app created', 'rolebinding.rbac.authorization.k8s.io/app created'])
    const roles = parseTable(ok(await k(['get', 'clusterroles'])))
    expect(roles.headers).toEqual(['NAME', 'CREATED AT'])
    expect(roles.rows.map((r) => r.NAME)).toEqual(
      expect.arrayContaining(['admin', 'cluster-admin', 'edit', 'view', 'system:discovery', 'system:controller:replicaset-controller']),
    )
    const crb = parseTable(ok(await k(['get', 'clusterrolebinding', 'cluster-admin', '-o', 'wide'])))
    expect(crb.rows[0]).toMatchObject({ ROLE: 'ClusterRole/cluster-admin', GROUPS: 'system:masters' })
    // Changing a binding's roleRef is refused: it is immutable.
    const r = await k(['patch', 'rolebinding', 'app', '--type=merge', '-p', '{"roleRef":{"kind":"ClusterRole","name":"view"}}'])
    expect(r.stderr.trim()).toBe(
      'The RoleBinding "app" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"view"}: cannot change roleRef',
    )
    const list = parseTable(ok(await k(['auth', 'can-i', '--list'])))
    expect(list.rows).toContainEqual({ Resources: '*.*', 'Non-Resource URLs': '[]', 'Resource Names': '[]', Verbs: '[*]' })
  })
})
