/** @module apiservices: the apiregistration.k8s.io/v1 APIService definition (kube-aggregator pkg/registry/apiservice/strategy.go). */
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { ageColumn, nameColumn, stringColumn } from '../apps/columns.js'
import { statusSubresource } from '../apps/deployments.js'
import { validateAPIService, validateAPIServiceName, validateAPIServiceStatus } from './apiservice-validation.js'

/** One APIService condition (only `Available` is defined). */
export interface APIServiceCondition {
  type: string
  status: string
  lastTransitionTime?: string
  reason?: string
  message?: string
}

/** An APIService as stored. */
export type APIService = KubeObject & {
  spec?: {
    service?: { namespace?: string; name?: string; port?: number }
    group?: string
    version?: string
    insecureSkipTLSVerify?: boolean
    caBundle?: string
    groupPriorityMinimum?: number
    versionPriority?: number
  }
  status?: { conditions?: APIServiceCondition[] }
}

/** AVAILABLE: `True`, `False (Reason)`, or `Unknown` without an Available condition (etcd.go ConvertToTable). */
function availableCell(obj: APIService): string {
  const c = obj.status?.conditions?.find((x) => x.type === 'Available')
  if (!c) return 'Unknown'
  if (c.status === 'True' || !c.reason) return c.status
  return `${c.status} (${c.reason})`
}

/** NAME SERVICE AVAILABLE AGE: SERVICE is `Local` for APIs this server serves itself. */
export const apiServices: ResourceDefinition<APIService> = {
  group: 'apiregistration.k8s.io',
  version: 'v1',
  kind: 'APIService',
  plural: 'apiservices',
  singular: 'apiservice',
  namespaced: false,
  // Every cluster boots with these, from templates it shares: kept parsed, serialized on read.
  parsedStorage: true,
  categories: ['api-extensions'],
  // kube-aggregator stores them under its group: /registry/apiregistration.k8s.io/apiservices/v1.apps.
  storagePrefix: 'apiregistration.k8s.io/apiservices',
  subresources: [statusSubresource],
  prepareForCreate(obj) {
    obj.status = {}
  },
  prepareForUpdate(obj, old) {
    obj.status = old.status
  },
  prepareForStatusUpdate(obj, old) {
    obj.spec = old.spec
    obj.metadata.labels = old.metadata.labels
    obj.metadata.annotations = old.metadata.annotations
  },
  validateName: (name, obj) => validateAPIServiceName(name, obj),
  validate: validateAPIService,
  validateStatusUpdate: (obj): FieldError[] => validateAPIServiceStatus(obj),
  columns: [
    nameColumn,
    stringColumn('Service', 'The reference to the service that hosts this API endpoint.'),
    stringColumn('Available', 'Whether this service is available.'),
    ageColumn,
  ],
  row: (obj, now) => [
    obj.metadata.name ?? '',
    obj.spec?.service ? `${obj.spec.service.namespace ?? ''}/${obj.spec.service.name ?? ''}` : 'Local',
    availableCell(obj),
    translateTimestampSince(obj.metadata.creationTimestamp, now),
  ],
}
