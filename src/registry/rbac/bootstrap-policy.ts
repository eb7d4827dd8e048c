/**
 * @module bootstrap-policy: the ClusterRoles and ClusterRoleBindings every cluster starts with, as
 * plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go declares them (its testdata/
 * cluster-roles.yaml and cluster-role-bindings.yaml are the expected objects); the controller
 * roles are in controller-policy.ts.
 */
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js'
import type { BindingObject, RoleObject } from './rbac-validation.js'
import { eventsRule, read, readWrite, rule, urlRule, write } from './policy-rule-builder.js'

/** The label of every bootstrap object, and the annotation that lets reconciliation update it. */
export const bootstrapLabel = { 'kubernetes.io/bootstrapping': 'rbac-defaults' }
export const autoUpdateAnnotation = 'rbac.authorization.kubernetes.io/autoupdate'

const aggregateTo = (role: 'admin' | 'edit' | 'view') => ({ [`rbac.authorization.k8s.io/aggregate-to-${role}`]: 'true' })

/** A bootstrap ClusterRole. */
export function clusterRole(
  name: string,
  rules: PolicyRule[] | undefined,
  opts: { labels?: Record<string, string>; aggregateFrom?: 'admin' | 'edit' | 'view' } = {},
): RoleObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels: { ...bootstrapLabel, ...opts.labels }, annotations: { [autoUpdateAnnotation]: 'true' } },
    ...(opts.aggregateFrom ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: aggregateTo(opts.aggregateFrom) }] } } : {}),
    ...(rules ? { rules } : {}),
  }
}

/** A bootstrap ClusterRoleBinding of the ClusterRole `role` (binding name `name`) to subjects. */
export function clusterRoleBinding(
  name: string,
  role: string,
  subjects: { users?: string[]; groups?: string[]; serviceAccounts?: [string, string][] },
): BindingObject {
  const list = [
    ...(subjects.groups ?? []).map((n) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: n })),
    ...(subjects.users ?? []).map((n) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: n })),
    ...(subjects.serviceAccounts ?? []).map(([ns, n]) => ({ kind: 'ServiceAccount', name: n, namespace: ns })),
  ]
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: { ...bootstrapLabel }, annotations: { [autoUpdateAnnotation]: 'true' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    ...(list.length ? { subjects: list } : {}),
  }
}

const core = ''
const signerApprover = (name: string, signer: string) =>
  clusterRole(`system:certificates.k8s.io:${name}`, [rule(['approve'], ['certificates.k8s.io'], ['signers'], [signer])])

/** bootstrappolicy.ClusterRoles(). */
export function bootstrapClusterRoles(): RoleObject[] {
  return [
    clusterRole('admin', undefined, { aggregateFrom: 'admin' }),
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urlRule(['*'], ['*'])]),
    clusterRole('edit', undefined, { aggregateFrom: 'edit', labels: aggregateTo('admin') }),
    clusterRole(
      'system:aggregate-to-admin',
      [rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']), rule(readWrite, ['rbac.authorization.k8s.io'], ['rolebindings', 'roles'])],
      { labels: aggregateTo('admin') },
    ),
    clusterRole(
      'system:aggregate-to-edit',
      [
        rule(read, [core], ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy']),
        rule(['impersonate'], [core], ['serviceaccounts']),
        rule(write, [core], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
        rule(['create'], [core], ['pods/eviction']),
        rule(
          write,
          [core],
          [
            'replicationcontrollers',
            'replicationcontrollers/scale',
            'serviceaccounts',
            'services',
            'services/proxy',
            'persistentvolumeclaims',
            'configmaps',
            'secrets',
            'events',
          ],
        ),
        rule(['create'], [core], ['serviceaccounts/token']),
        rule(
          write,
          ['apps'],
          ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'replicasets', 'replicasets/scale'],
        ),
        rule(write, ['autoscaling'], ['horizontalpodautoscalers']),
        rule(write, ['batch'], ['jobs', 'cronjobs']),
        rule(
          write,
          ['extensions'],
          [
            'daemonsets',
            'deployments',
            'deployments/scale',
            'deployments/rollback',
            'ingresses',
            'replicasets',
            'replicasets/scale',
            'replicationcontrollers/scale',
            'networkpolicies',
          ],
        ),
        rule(write, ['policy'], ['poddisruptionbudgets']),
        rule(write, ['networking.k8s.io'], ['networkpolicies', 'ingresses']),
        rule(readWrite, ['coordination.k8s.io'], ['leases']),
      ],
      { labels: aggregateTo('edit') },
    ),
    clusterRole(
      'system:aggregate-to-view',
      [
        rule(
          read,
          [core],
          [
            'pods',
            'replicationcontrollers',
            'replicationcontrollers/scale',
            'serviceaccounts',
            'services',
            'services/status',
            'endpoints',
            'persistentvolumeclaims',
            'persistentvolumeclaims/status',
            'configmaps',
          ],
        ),
        rule(
          read,
          [core],
          [
            'limitranges',
            'resourcequotas',
            'bindings',
            'events',
            'pods/status',
            'resourcequotas/status',
            'namespaces/status',
            'replicationcontrollers/status',
            'pods/log',
          ],
        ),
        rule(read, [core], ['namespaces']),
        rule(read, ['discovery.k8s.io'], ['endpointslices']),
        rule(
          read,
          ['apps'],
          [
            'controllerrevisions',
            'statefulsets',
            'statefulsets/status',
            'statefulsets/scale',
            'daemonsets',
            'daemonsets/status',
            'deployments',
            'deployments/status',
            'deployments/scale',
            'replicasets',
            'replicasets/status',
            'replicasets/scale',
          ],
        ),
        rule(read, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
        rule(read, ['batch'], ['jobs', 'cronjobs', 'cronjobs/status', 'jobs/status']),
        rule(
          read,
          ['extensions'],
          [
            'daemonsets',
            'daemonsets/status',
            'deployments',
            'deployments/scale',
            'deployments/status',
            'ingresses',
            'ingresses/status',
            'replicasets',
            'replicasets/scale',
            'replicasets/status',
            'replicationcontrollers/scale',
            'networkpolicies',
          ],
        ),
        rule(read, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
        rule(read, ['networking.k8s.io'], ['networkpolicies', 'ingresses', 'ingresses/status']),
      ],
      { labels: aggregateTo('view') },
    ),
    clusterRole('system:auth-delegator', [
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ]),
    clusterRole('system:basic-user', [
      rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ]),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [
      rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/nodeclient']),
    ]),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [
      rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient']),
    ]),
    signerApprover('kube-apiserver-client-approver', 'kubernetes.io/kube-apiserver-client'),
    signerApprover('kube-apiserver-client-kubelet-approver', 'kubernetes.io/kube-apiserver-client-kubelet'),
    signerApprover('kubelet-serving-approver', 'kubernetes.io/kubelet-serving'),
    signerApprover('legacy-unknown-approver', 'kubernetes.io/legacy-unknown'),
    clusterRole('system:discovery', [
      urlRule(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/']),
    ]),
    clusterRole('system:heapster', [rule(read, [core], ['events', 'pods', 'nodes', 'namespaces']), rule(read, ['extensions'], ['deployments'])]),
    clusterRole('system:kube-aggregator', [rule(read, [core], ['services', 'endpoints'])]),
    clusterRole('system:kube-controller-manager', [
      eventsRule(),
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager']),
      rule(['create'], [core], ['secrets', 'serviceaccounts']),
      rule(['delete'], [core], ['secrets']),
      rule(['get'], [core], ['namespaces', 'secrets', 'serviceaccounts', 'configmaps']),
      rule(['update'], [core], ['secrets', 'serviceaccounts']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      rule(['list', 'watch'], ['*'], ['*']),
      rule(['create'], [core], ['serviceaccounts/token']),
    ]),
    clusterRole('system:kube-dns', [rule(['list', 'watch'], [core], ['endpoints', 'services'])]),
    clusterRole('system:kube-scheduler', [
      eventsRule(),
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
      rule(read, [core], ['nodes']),
      rule(['get', 'list', 'watch', 'delete'], [core], ['pods']),
      rule(['create'], [core], ['pods/binding', 'bindings']),
      rule(['patch', 'update'], [core], ['pods/status']),
      rule(read, [core], ['replicationcontrollers', 'services']),
      rule(read, ['apps', 'extensions'], ['replicasets']),
      rule(read, ['apps'], ['statefulsets']),
      rule(read, ['policy'], ['poddisruptionbudgets']),
      rule(read, [core], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      rule(read, ['storage.k8s.io'], ['csinodes']),
      rule(read, [core], ['namespaces']),
      rule(read, ['storage.k8s.io'], ['csidrivers']),
      rule(read, ['storage.k8s.io'], ['csistoragecapacities']),
    ]),
    clusterRole('system:kubelet-api-admin', [
      rule(read, [core], ['nodes']),
      rule(['proxy'], [core], ['nodes']),
      rule(['*'], [core], ['nodes/proxy', 'nodes/metrics', 'nodes/stats', 'nodes/log']),
    ]),
    clusterRole('system:monitoring', [urlRule(['get'], ['/metrics', '/metrics/slis', '/livez', '/readyz', '/healthz', '/livez/*', '/readyz/*', '/healthz/*'])]),
    clusterRole('system:node', [
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews', 'localsubjectaccessreviews']),
      rule(read, [core], ['services']),
      rule(['create', 'get', 'list', 'watch'], [core], ['nodes']),
      rule(['update', 'patch'], [core], ['nodes/status']),
      rule(['update', 'patch'], [core], ['nodes']),
      rule(['create', 'update', 'patch'], [core], ['events']),
      rule(read, [core], ['pods']),
      rule(['create', 'delete'], [core], ['pods']),
      rule(['update', 'patch'], [core], ['pods/status']),
      rule(['create'], [core], ['pods/eviction']),
      rule(read, [core], ['secrets', 'configmaps']),
      rule(['get'], [core], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['get'], [core], ['endpoints']),
      rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
      rule(['get', 'create', 'update', 'patch', 'delete'], ['coordination.k8s.io'], ['leases']),
      rule(['get'], ['storage.k8s.io'], ['volumeattachments']),
      rule(['create'], [core], ['serviceaccounts/token']),
      rule(['get', 'update', 'patch'], [core], ['persistentvolumeclaims/status']),
      rule(read, ['storage.k8s.io'], ['csidrivers']),
      rule(['create', 'delete', 'get', 'patch', 'update'], ['storage.k8s.io'], ['csinodes']),
      rule(read, ['node.k8s.io'], ['runtimeclasses']),
    ]),
    clusterRole('system:node-bootstrapper', [rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests'])]),
    clusterRole('system:node-problem-detector', [rule(['get'], [core], ['nodes']), rule(['patch'], [core], ['nodes/status']), eventsRule()]),
    clusterRole('system:node-proxier', [
      rule(['list', 'watch'], [core], ['services', 'endpoints']),
      rule(read, [core], ['nodes']),
      eventsRule(),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ]),
    clusterRole('system:persistent-volume-provisioner', [
      rule(['get', 'list', 'watch', 'create', 'delete'], [core], ['persistentvolumes']),
      rule(['get', 'list', 'watch', 'update'], [core], ['persistentvolumeclaims']),
      rule(read, ['storage.k8s.io'], ['storageclasses']),
      rule(['watch'], [core], ['events']),
      eventsRule(),
    ]),
    clusterRole('system:public-info-viewer', [urlRule(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])]),
    clusterRole('system:service-account-issuer-discovery', [urlRule(['get'], ['/.well-known/openid-configuration', '/openid/v1/jwks'])]),
    clusterRole('system:volume-scheduler', [
      rule(['get', 'list', 'watch', 'patch', 'update'], [core], ['persistentvolumes']),
      rule(read, ['storage.k8s.io'], ['storageclasses']),
      rule(['get', 'list', 'watch', 'patch', 'update'], [core], ['persistentvolumeclaims']),
    ]),
    clusterRole('view', undefined, { aggregateFrom: 'view', labels: aggregateTo('edit') }),
  ]
}

/** bootstrappolicy.ClusterRoleBindings(). */
export function bootstrapClusterRoleBindings(): BindingObject[] {
  return [
    clusterRoleBinding('cluster-admin', 'cluster-admin', { groups: ['system:masters'] }),
    clusterRoleBinding('system:basic-user', 'system:basic-user', { groups: ['system:authenticated'] }),
    clusterRoleBinding('system:discovery', 'system:discovery', { groups: ['system:authenticated'] }),
    clusterRoleBinding('system:kube-controller-manager', 'system:kube-controller-manager', { users: ['system:kube-controller-manager'] }),
    clusterRoleBinding('system:kube-dns', 'system:kube-dns', { serviceAccounts: [['kube-system', 'kube-dns']] }),
    clusterRoleBinding('system:kube-scheduler', 'system:kube-scheduler', { users: ['system:kube-scheduler'] }),
    clusterRoleBinding('system:monitoring', 'system:monitoring', { groups: ['system:monitoring'] }),
    clusterRoleBinding('system:node', 'system:node', {}),
    clusterRoleBinding('system:node-proxier', 'system:node-proxier', { users: ['system:kube-proxy'] }),
    clusterRoleBinding('system:public-info-viewer', 'system:public-info-viewer', { groups: ['system:authenticated', 'system:unauthenticated'] }),
    clusterRoleBinding('system:service-account-issuer-discovery', 'system:service-account-issuer-discovery', { groups: ['system:serviceaccounts'] }),
    clusterRoleBinding('system:volume-scheduler', 'system:volume-scheduler', { users: ['system:kube-scheduler'] }),
  ]
}
