/**
 * @module apf-bootstrap: the mandatory and suggested APF configuration every 1.32 cluster has
 * (k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap/default.go), as data. Pure.
 */
import type { FlowSchema } from './flowschemas.js'
import type { PriorityLevelConfiguration } from './prioritylevelconfigurations.js'

/** apf.kubernetes.io/autoupdate-spec: the apiserver keeps these objects' spec up to date. */
const autoUpdate = { 'apf.kubernetes.io/autoupdate-spec': 'true' }

/** [name, nominalConcurrencyShares, lendablePercent, queues, handSize, queueLengthLimit]; no queues = Reject. */
const limitedLevels: [string, number, number, number?, number?, number?][] = [
  ['catch-all', 5, 0],
  ['system', 30, 33, 64, 6, 50],
  ['node-high', 40, 25, 64, 6, 50],
  ['leader-election', 10, 0, 16, 4, 50],
  ['workload-high', 40, 50, 128, 6, 50],
  ['workload-low', 100, 90, 128, 6, 50],
  ['global-default', 20, 50, 128, 6, 50],
]

/** Every bootstrap PriorityLevelConfiguration (mandatory exempt and catch-all first). */
export function bootstrapPriorityLevels(): PriorityLevelConfiguration[] {
  const plc = (name: string, spec: PriorityLevelConfiguration['spec']): PriorityLevelConfiguration => ({
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'PriorityLevelConfiguration',
    metadata: { name, annotations: { ...autoUpdate } },
    spec,
  })
  return [
    plc('exempt', { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } }),
    ...limitedLevels.map(([name, shares, lendable, queues, handSize, queueLengthLimit]) =>
      plc(name, {
        type: 'Limited',
        limited: {
          nominalConcurrencyShares: shares,
          lendablePercent: lendable,
          limitResponse: queues ? { type: 'Queue', queuing: { queues, handSize, queueLengthLimit } } : { type: 'Reject' },
        },
      }),
    ),
  ]
}

type Subject = NonNullable<NonNullable<FlowSchema['spec']>['rules']>[number]['subjects'][number]
const group = (name: string): Subject => ({ kind: 'Group', group: { name } })
const user = (name: string): Subject => ({ kind: 'User', user: { name } })
const kubeSystemSA = (name: string): Subject => ({ kind: 'ServiceAccount', serviceAccount: { name, namespace: 'kube-system' } })
const resourceRule = (verbs: string[], apiGroups: string[], resources: string[], namespaces: string[], clusterScope: boolean) => ({
  verbs,
  apiGroups,
  resources,
  ...(clusterScope ? { clusterScope } : {}),
  namespaces,
})
const everything = {
  resourceRules: [resourceRule(['*'], ['*'], ['*'], ['*'], true)],
  nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
}
const leaderElectionRules = (configNamespaces: string[]) => [
  resourceRule(['get', 'create', 'update'], [''], ['endpoints', 'configmaps'], configNamespaces, false),
  resourceRule(['get', 'create', 'update'], ['coordination.k8s.io'], ['leases'], ['*'], false),
]

/** Every bootstrap FlowSchema, in default.go's order (mandatory exempt and catch-all first). */
export function bootstrapFlowSchemas(): FlowSchema[] {
  const fs = (name: string, pl: string, precedence: number, dm: string, rules: NonNullable<FlowSchema['spec']>['rules']): FlowSchema => ({
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'FlowSchema',
    metadata: { name, annotations: { ...autoUpdate } },
    spec: { priorityLevelConfiguration: { name: pl }, matchingPrecedence: precedence, ...(dm ? { distinguisherMethod: { type: dm } } : {}), rules },
  })
  const all = ['system:unauthenticated', 'system:authenticated'].map(group)
  return [
    fs('exempt', 'exempt', 1, '', [{ subjects: [group('system:masters')], ...everything }]),
    fs('catch-all', 'catch-all', 10000, 'ByUser', [{ subjects: all, ...everything }]),
    fs('system-nodes', 'system', 500, 'ByUser', [{ subjects: [group('system:nodes')], ...everything }]),
    fs('system-node-high', 'node-high', 400, 'ByUser', [
      {
        subjects: [group('system:nodes')],
        resourceRules: [
          resourceRule(['*'], [''], ['nodes', 'nodes/status'], ['*'], true),
          resourceRule(['*'], ['coordination.k8s.io'], ['leases'], ['*'], false),
        ],
      },
    ]),
    fs('probes', 'exempt', 2, '', [{ subjects: all, nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz', '/livez'] }] }]),
    fs('system-leader-election', 'leader-election', 100, 'ByUser', [
      {
        subjects: [user('system:kube-controller-manager'), user('system:kube-scheduler'), kubeSystemSA('*')],
        resourceRules: leaderElectionRules(['kube-system']),
      },
    ]),
    fs('endpoint-controller', 'workload-high', 150, 'ByUser', [
      {
        subjects: [user('system:kube-controller-manager'), kubeSystemSA('endpoint-controller'), kubeSystemSA('endpointslicemirroring-controller')],
        resourceRules: [resourceRule(['get', 'create', 'update'], [''], ['endpoints'], ['*'], false)],
      },
    ]),
    fs('workload-leader-election', 'leader-election', 200, 'ByUser', [{ subjects: [kubeSystemSA('*')], resourceRules: leaderElectionRules(['*']) }]),
    fs('kube-controller-manager', 'workload-high', 800, 'ByNamespace', [{ subjects: [user('system:kube-controller-manager')], ...everything }]),
    fs('kube-scheduler', 'workload-high', 800, 'ByNamespace', [{ subjects: [user('system:kube-scheduler')], ...everything }]),
    fs('kube-system-service-accounts', 'workload-high', 900, 'ByNamespace', [{ subjects: [kubeSystemSA('*')], ...everything }]),
    fs('service-accounts', 'workload-low', 9000, 'ByUser', [{ subjects: [group('system:serviceaccounts')], ...everything }]),
    fs('global-default', 'global-default', 9900, 'ByUser', [{ subjects: all, ...everything }]),
  ]
}
