/** RBAC's escalation and bind checks: a user may grant only what it holds, unless it may escalate or bind. */
import { beforeAll, describe, expect, it } from 'vitest'
import { Cluster } from '../../../src/cluster.js'
import type { StatusError } from '../../../src/errors.js'
import { authorizerForModes } from '../../../src/registry/authorization/modes.js'
import { createRBACAuthorizer } from '../../../src/registry/rbac/rbac-state.js'
import type { RequestUser } from '../../../src/registry/resource-definition.js'
import type { KubeObject } from '../../../src/types.js'

const jane: RequestUser = { username: 'jane', uid: '', groups: ['devs', 'system:authenticated'] }
const rbac = 'rbac.authorization.k8s.io'

describe('escalation and bind checks', () => {
  let cluster: Cluster
  beforeAll(async () => {
    cluster = await Cluster.open({ speed: 0 })
    cluster.registry.authorizer = authorizerForModes(['RBAC'], () => createRBACAuthorizer(cluster.registry))
    // jane may manage roles and bindings in "default" (not escalate or bind: `*` would include those), and read pods.
    await cluster.registry.resource(rbac, 'roles').create('default', {
      metadata: { name: 'rbac-manager' },
      rules: [
        { apiGroups: [rbac], resources: ['roles', 'rolebindings'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      ],
    } as KubeObject)
    await cluster.registry.resource(rbac, 'rolebindings').create('default', {
      metadata: { name: 'jane' },
      roleRef: { apiGroup: rbac, kind: 'Role', name: 'rbac-manager' },
      subjects: [{ apiGroup: rbac, kind: 'User', name: 'jane' }],
    } as KubeObject)
    return () => cluster.close()
  })
  const createAs = (user: RequestUser, plural: string, obj: Record<string, unknown>) =>
    cluster.registry.resource(rbac, plural).create('default', obj as unknown as KubeObject, { user })
  const refusal = async (p: Promise<unknown>) => {
    try {
      await p
    } catch (err) {
      return (err as StatusError).status
    }
    throw new Error('expected a refusal')
  }

  it('lets a user create a Role with rules it holds', async () => {
    await createAs(jane, 'roles', { metadata: { name: 'pod-getter' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] })
  })

  it('refuses rules the user does not hold, naming them as upstream does', async () => {
    const status = await refusal(
      createAs(jane, 'roles', {
        metadata: { name: 'too-much' },
        rules: [
          { apiGroups: [''], resources: ['pods'], verbs: ['get', 'delete', 'create'] },
          { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] },
        ],
      }),
    )
    expect(status.code).toBe(403)
    expect(status.message).toBe(
      'roles.rbac.authorization.k8s.io "too-much" is forbidden: user "jane" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["pods"], Verbs:["delete" "create"]}\n{APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}',
    )
    expect(status.details).toEqual({ name: 'too-much', group: rbac, kind: 'roles' })
  })

  it('refuses a binding to a role whose rules the user does not hold, unless it may bind it', async () => {
    const binding = {
      metadata: { name: 'jane-proxier' },
      roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'system:node-proxier' },
      subjects: [{ kind: 'User', name: 'bob' }],
    }
    const status = await refusal(createAs(jane, 'rolebindings', binding))
    expect(status.message).toMatch(
      /^rolebindings\.rbac\.authorization\.k8s\.io "jane-proxier" is forbidden: user "jane" \(groups=\["devs" "system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n/,
    )
    const missing = await refusal(
      createAs(jane, 'rolebindings', { ...binding, metadata: { name: 'to-nothing' }, roleRef: { apiGroup: rbac, kind: 'Role', name: 'nope' } }),
    )
    expect(missing.message).toBe('rolebindings.rbac.authorization.k8s.io "to-nothing" is forbidden: role.rbac.authorization.k8s.io "nope" not found')
    // `bind` on the ClusterRole, granted in the namespace, is enough.
    await cluster.registry.resource(rbac, 'roles').create('default', {
      metadata: { name: 'may-bind-proxier' },
      rules: [{ apiGroups: [rbac], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['system:node-proxier'] }],
    } as KubeObject)
    await cluster.registry.resource(rbac, 'rolebindings').create('default', {
      metadata: { name: 'jane-binds' },
      roleRef: { apiGroup: rbac, kind: 'Role', name: 'may-bind-proxier' },
      subjects: [{ apiGroup: rbac, kind: 'User', name: 'jane' }],
    } as KubeObject)
    await createAs(jane, 'rolebindings', binding)
  })

  it('never checks system:masters or in-process writers', async () => {
    const admin: RequestUser = { username: 'kubemock-admin', uid: '', groups: ['system:masters', 'system:authenticated'] }
    await createAs(admin, 'roles', { metadata: { name: 'all' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] })
    await cluster.registry
      .resource(rbac, 'roles')
      .create('default', { metadata: { name: 'all2' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] } as KubeObject)
  })
})
