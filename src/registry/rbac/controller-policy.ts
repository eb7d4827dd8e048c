/**
 * @module controller-policy: the `system:controller:<name>` ClusterRoles of kube-controller-manager's
 * controllers, each bound to the ServiceAccount kube-system/<name> it runs as
 * (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/controller_policy.go, --use-service-account-credentials).
 * Feature-gated roles of gates that are off by default are left out.
 */
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js'
import { clusterRole, clusterRoleBinding } from './bootstrap-policy.js'
import { eventsRule, read, rule } from './policy-rule-builder.js'
import type { BindingObject, RoleObject } from './rbac-validation.js'

const core = ''

/** The controllers' roles by controller name (the ServiceAccount's name), in upstream's order. */
function controllerRules(): [string, PolicyRule[]][] {
  return [
    [
      'attachdetach-controller',
      [
        rule(['list', 'watch'], [core], ['persistentvolumes', 'persistentvolumeclaims']),
        rule(read, [core], ['nodes']),
        rule(['patch', 'update'], [core], ['nodes/status']),
        rule(['list', 'watch'], [core], ['pods']),
        eventsRule(),
        rule(['get', 'create', 'delete', 'list', 'watch'], ['storage.k8s.io'], ['volumeattachments']),
        rule(read, ['storage.k8s.io'], ['csidrivers']),
        rule(read, ['storage.k8s.io'], ['csinodes']),
      ],
    ],
    ['clusterrole-aggregation-controller', [rule(['escalate', 'get', 'list', 'watch', 'update', 'patch'], ['rbac.authorization.k8s.io'], ['clusterroles'])]],
    [
      'cronjob-controller',
      [
        rule(['get', 'list', 'watch', 'update'], ['batch'], ['cronjobs']),
        rule(['get', 'list', 'watch', 'create', 'update', 'delete', 'patch'], ['batch'], ['jobs']),
        rule(['update'], ['batch'], ['cronjobs/status']),
        rule(['update'], ['batch'], ['cronjobs/finalizers']),
        rule(['list', 'watch', 'delete'], [core], ['pods']),
        eventsRule(),
      ],
    ],
    [
      'daemon-set-controller',
      [
        rule(read, ['extensions', 'apps'], ['daemonsets']),
        rule(['update'], ['extensions', 'apps'], ['daemonsets/status']),
        rule(['update'], ['extensions', 'apps'], ['daemonsets/finalizers']),
        rule(['list', 'watch'], [core], ['nodes']),
        rule(['list', 'watch', 'create', 'delete', 'patch'], [core], ['pods']),
        rule(['create'], [core], ['pods/binding']),
        rule(['get', 'list', 'watch', 'create', 'delete', 'update', 'patch'], ['apps'], ['controllerrevisions']),
        eventsRule(),
      ],
    ],
    [
      'deployment-controller',
      [
        rule(['get', 'list', 'watch', 'update'], ['extensions', 'apps'], ['deployments']),
        rule(['update'], ['extensions', 'apps'], ['deployments/status']),
        rule(['update'], ['extensions', 'apps'], ['deployments/finalizers']),
        rule(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], ['apps', 'extensions'], ['replicasets']),
        rule(['get', 'list', 'watch', 'update'], [core], ['pods']),
        eventsRule(),
      ],
    ],
    [
      'disruption-controller',
      [
        rule(read, ['extensions', 'apps'], ['deployments']),
        rule(read, ['apps', 'extensions'], ['replicasets']),
        rule(read, [core], ['replicationcontrollers']),
        rule(read, ['policy'], ['poddisruptionbudgets']),
        rule(read, ['apps'], ['statefulsets']),
        rule(['update'], ['policy'], ['poddisruptionbudgets/status']),
        rule(['patch', 'update'], [core], ['pods/status']),
        rule(['get'], ['*'], ['*/scale']),
        eventsRule(),
      ],
    ],
    [
      'endpoint-controller',
      [
        rule(read, [core], ['services', 'pods']),
        rule(['get', 'list', 'watch', 'create', 'update', 'delete'], [core], ['endpoints']),
        rule(['create'], [core], ['endpoints/restricted']),
        eventsRule(),
      ],
    ],
    [
      'endpointslice-controller',
      [
        rule(read, [core], ['services', 'pods', 'nodes']),
        rule(['update'], [core], ['services/finalizers']),
        rule(['get', 'list', 'watch', 'create', 'update', 'delete'], ['discovery.k8s.io'], ['endpointslices']),
        eventsRule(),
      ],
    ],
    [
      'endpointslicemirroring-controller',
      [
        rule(read, [core], ['services', 'endpoints']),
        rule(['update'], [core], ['services/finalizers']),
        rule(['update'], [core], ['endpoints/finalizers']),
        rule(['get', 'list', 'watch', 'create', 'update', 'delete'], ['discovery.k8s.io'], ['endpointslices']),
        eventsRule(),
      ],
    ],
    [
      'ephemeral-volume-controller',
      [
        rule(read, [core], ['pods']),
        rule(['update'], [core], ['pods/finalizers']),
        rule(['get', 'list', 'watch', 'create'], [core], ['persistentvolumeclaims']),
        eventsRule(),
      ],
    ],
    [
      'expand-controller',
      [
        rule(['get', 'list', 'watch', 'update', 'patch'], [core], ['persistentvolumes']),
        rule(['update', 'patch'], [core], ['persistentvolumeclaims/status']),
        rule(read, [core], ['persistentvolumeclaims']),
        eventsRule(),
        rule(['get'], [core], ['services']),
      ],
    ],
    ['generic-garbage-collector', [rule(['get', 'list', 'watch', 'patch', 'update', 'delete'], ['*'], ['*']), eventsRule()]],
    [
      'horizontal-pod-autoscaler',
      [
        rule(read, ['autoscaling'], ['horizontalpodautoscalers']),
        rule(['update'], ['autoscaling'], ['horizontalpodautoscalers/status']),
        rule(['get', 'update'], ['*'], ['*/scale']),
        rule(['list', 'watch'], [core], ['pods']),
        rule(['list', 'watch'], ['metrics.k8s.io'], ['pods']),
        rule(read, ['custom.metrics.k8s.io'], ['*']),
        rule(read, ['external.metrics.k8s.io'], ['*']),
        eventsRule(),
      ],
    ],
    [
      'job-controller',
      [
        rule(['get', 'list', 'watch', 'update', 'patch'], ['batch'], ['jobs']),
        rule(['update'], ['batch'], ['jobs/status']),
        rule(['update'], ['batch'], ['jobs/finalizers']),
        rule(['list', 'watch', 'create', 'delete', 'patch'], [core], ['pods']),
        eventsRule(),
      ],
    ],
    [
      'namespace-controller',
      [
        rule(['get', 'list', 'watch', 'delete'], [core], ['namespaces']),
        rule(['update'], [core], ['namespaces/finalize', 'namespaces/status']),
        rule(['get', 'list', 'watch', 'delete', 'deletecollection'], ['*'], ['*']),
      ],
    ],
    [
      'node-controller',
      [
        rule(['get', 'list', 'watch', 'update', 'delete', 'patch'], [core], ['nodes']),
        rule(['patch', 'update'], [core], ['nodes/status']),
        rule(['patch', 'update'], [core], ['pods/status']),
        rule(['list', 'watch', 'get', 'delete'], [core], ['pods']),
        eventsRule(),
      ],
    ],
    [
      'persistent-volume-binder',
      [
        rule(['get', 'list', 'watch', 'update', 'create', 'delete'], [core], ['persistentvolumes']),
        rule(['update'], [core], ['persistentvolumes/status']),
        rule(['get', 'list', 'watch', 'update'], [core], ['persistentvolumeclaims']),
        rule(['update'], [core], ['persistentvolumeclaims/status']),
        rule(['list', 'watch', 'get', 'create', 'delete'], [core], ['pods']),
        rule(read, ['storage.k8s.io'], ['storageclasses']),
        rule(['list', 'watch'], [core], ['nodes']),
        eventsRule(),
        rule(['watch'], [core], ['events']),
        rule(['get'], [core], ['services']),
      ],
    ],
    ['pod-garbage-collector', [rule(['list', 'watch', 'delete'], [core], ['pods']), rule(read, [core], ['nodes']), rule(['patch'], [core], ['pods/status'])]],
    [
      'replicaset-controller',
      [
        rule(['get', 'list', 'watch', 'update'], ['apps', 'extensions'], ['replicasets']),
        rule(['update'], ['apps', 'extensions'], ['replicasets/status']),
        rule(['update'], ['apps', 'extensions'], ['replicasets/finalizers']),
        rule(['list', 'watch', 'patch', 'create', 'delete'], [core], ['pods']),
        eventsRule(),
      ],
    ],
    [
      'replication-controller',
      [
        rule(['get', 'list', 'watch', 'update'], [core], ['replicationcontrollers']),
        rule(['update'], [core], ['replicationcontrollers/status']),
        rule(['update'], [core], ['replicationcontrollers/finalizers']),
        rule(['list', 'watch', 'patch', 'create', 'delete'], [core], ['pods']),
        eventsRule(),
      ],
    ],
    ['resourcequota-controller', [rule(['list', 'watch'], ['*'], ['*']), rule(['update'], [core], ['resourcequotas/status']), eventsRule()]],
    ['route-controller', [rule(['list', 'watch'], [core], ['nodes']), rule(['patch'], [core], ['nodes/status']), eventsRule()]],
    ['service-account-controller', [rule(['create'], [core], ['serviceaccounts']), eventsRule()]],
    [
      'service-controller',
      [rule(read, [core], ['services']), rule(['patch', 'update'], [core], ['services/status']), rule(['list', 'watch'], [core], ['nodes']), eventsRule()],
    ],
    [
      'statefulset-controller',
      [
        rule(['list', 'watch'], [core], ['pods']),
        rule(read, ['apps'], ['statefulsets']),
        rule(['update'], ['apps'], ['statefulsets/status']),
        rule(['update'], ['apps'], ['statefulsets/finalizers']),
        rule(['get', 'create', 'delete', 'update', 'patch'], [core], ['pods']),
        rule(['get', 'create', 'delete', 'update', 'patch', 'list', 'watch'], ['apps'], ['controllerrevisions']),
        rule(['get', 'create', 'list', 'watch'], [core], ['persistentvolumeclaims']),
        rule(['update', 'delete'], [core], ['persistentvolumeclaims']),
        rule(['update'], [core], ['pods/finalizers']),
        eventsRule(),
      ],
    ],
    ['ttl-controller', [rule(['update', 'patch', 'list', 'watch'], [core], ['nodes']), eventsRule()]],
    [
      'certificate-controller',
      [
        rule(['get', 'list', 'watch', 'delete'], ['certificates.k8s.io'], ['certificatesigningrequests']),
        rule(['update'], ['certificates.k8s.io'], ['certificatesigningrequests/status', 'certificatesigningrequests/approval']),
        rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet']),
        rule(
          ['sign'],
          ['certificates.k8s.io'],
          ['signers'],
          [
            'kubernetes.io/legacy-unknown',
            'kubernetes.io/kube-apiserver-client',
            'kubernetes.io/kube-apiserver-client-kubelet',
            'kubernetes.io/kubelet-serving',
          ],
        ),
        rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
        eventsRule(),
      ],
    ],
    ['pvc-protection-controller', [rule(['get', 'list', 'watch', 'update'], [core], ['persistentvolumeclaims']), rule(read, [core], ['pods']), eventsRule()]],
    ['pv-protection-controller', [rule(['get', 'list', 'watch', 'update'], [core], ['persistentvolumes']), eventsRule()]],
    ['ttl-after-finished-controller', [rule(['get', 'list', 'watch', 'delete'], ['batch'], ['jobs']), eventsRule()]],
    ['root-ca-cert-publisher', [rule(['create', 'update'], [core], ['configmaps']), eventsRule()]],
    [
      'validatingadmissionpolicy-status-controller',
      [
        rule(read, ['admissionregistration.k8s.io'], ['validatingadmissionpolicies']),
        rule(['get', 'patch', 'update'], ['admissionregistration.k8s.io'], ['validatingadmissionpolicies/status']),
        eventsRule(),
      ],
    ],
    [
      'legacy-service-account-token-cleaner',
      [rule(['get'], [core], ['configmaps'], ['kube-apiserver-legacy-service-account-token-tracking']), rule(['patch', 'delete'], [core], ['secrets'])],
    ],
  ]
}

/** The ServiceAccounts (in kube-system) the controllers run as, one per controller role. */
export function controllerServiceAccountNames(): string[] {
  return controllerRules().map(([n]) => n)
}

/** ControllerRoles(). */
export function controllerRoles(): RoleObject[] {
  return controllerRules().map(([n, rules]) => clusterRole(`system:controller:${n}`, rules))
}

/** ControllerRoleBindings(): each role to its kube-system ServiceAccount. */
export function controllerRoleBindings(): BindingObject[] {
  return controllerRules().map(([n]) => clusterRoleBinding(`system:controller:${n}`, `system:controller:${n}`, { serviceAccounts: [['kube-system', n]] }))
}
