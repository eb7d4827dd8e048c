/** @module componentstatuses: the core/v1 ComponentStatus kind (pkg/registry/core/componentstatus/rest.go): computed on read, never stored. */
import type { ComponentCondition } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { nameColumn } from '../shared/columns.js'

/** A ComponentStatus: conditions at the top level. */
export type ComponentStatus = KubeObject & { conditions?: ComponentCondition[] }

/** The components the apiserver probes; the simulated ones always answer their /healthz with `ok`. */
const components = ['controller-manager', 'scheduler', 'etcd-0']

/** `cs`: NAME STATUS MESSAGE ERROR (printComponentStatus); cluster-scoped, get and list only. */
export const componentStatuses: ResourceDefinition<ComponentStatus> = {
  group: '',
  version: 'v1',
  kind: 'ComponentStatus',
  plural: 'componentstatuses',
  singular: 'componentstatus',
  namespaced: false,
  shortNames: ['cs'],
  verbs: ['get', 'list'],
  deprecationWarning: 'v1 ComponentStatus is deprecated in v1.19+',
  computed: () => components.map((name) => ({ metadata: { name }, conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }] })),
  columns: [
    nameColumn,
    { name: 'Status', type: 'string', description: 'Status of the component conditions' },
    { name: 'Message', type: 'string', description: 'Message of the component conditions' },
    { name: 'Error', type: 'string', description: 'Error of the component conditions' },
  ],
  row(obj) {
    const c = (obj.conditions ?? []).find((x) => x.type === 'Healthy')
    const status = c ? (c.status === 'True' ? 'Healthy' : 'Unhealthy') : 'Unknown'
    return [obj.metadata.name ?? '', status, c?.message ?? '', c?.error ?? '']
  },
}
