/** @module flowschemas: the flowcontrol.apiserver.k8s.io/v1 FlowSchema definition (pkg/registry/flowcontrol/flowschema/strategy.go). */
import type { FlowSchemaSpec } from 'kubernetes-types/flowcontrol/v1.js'
import type { KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { ageColumn, nameColumn, stringColumn } from '../apps/columns.js'
import { statusSubresource } from '../apps/deployments.js'
import { swaggerColumn } from '../shared/swagger-column.js'
import { validateFlowSchema } from './flowcontrol-validation.js'
import { specStatusUpdates } from '../shared/spec-status.js'

/** A FlowSchema condition (only `Dangling` is defined). */
export interface FlowSchemaCondition {
  type: string
  status: string
  lastTransitionTime?: string
  reason?: string
  message?: string
}

/** A FlowSchema as stored. */
export type FlowSchema = KubeObject & { spec?: FlowSchemaSpec; status?: { conditions?: FlowSchemaCondition[] } }

/** NAME PRIORITYLEVEL MATCHINGPRECEDENCE DISTINGUISHERMETHOD AGE MISSINGPL (printFlowSchema). */
export const flowSchemas: ResourceDefinition<FlowSchema> = {
  group: 'flowcontrol.apiserver.k8s.io',
  version: 'v1',
  kind: 'FlowSchema',
  plural: 'flowschemas',
  singular: 'flowschema',
  namespaced: false,
  // Every cluster boots with these, from templates it shares: kept parsed, serialized on read.
  parsedStorage: true,
  subresources: [statusSubresource],
  hasGeneration: true,
  applyDefaults(obj) {
    // SetDefaults_FlowSchemaSpec: an unset precedence is 1000.
    if (obj.spec && obj.spec.matchingPrecedence === undefined) obj.spec = { ...obj.spec, matchingPrecedence: 1000 }
  },
  prepareForCreate(obj) {
    obj.status = {}
  },
  ...specStatusUpdates<FlowSchema>(),
  validate: validateFlowSchema,
  columns: [
    nameColumn,
    swaggerColumn('PriorityLevel', 'io.k8s.api.flowcontrol.v1.PriorityLevelConfigurationReference', 'name'),
    swaggerColumn('MatchingPrecedence', 'io.k8s.api.flowcontrol.v1.FlowSchemaSpec', 'matchingPrecedence'),
    swaggerColumn('DistinguisherMethod', 'io.k8s.api.flowcontrol.v1.FlowSchemaSpec', 'distinguisherMethod'),
    ageColumn,
    stringColumn('MissingPL', 'references a broken or non-existent PriorityLevelConfiguration'),
  ],
  row: (obj, now) => [
    obj.metadata.name ?? '',
    obj.spec?.priorityLevelConfiguration?.name ?? '',
    obj.spec?.matchingPrecedence ?? 0,
    obj.spec?.distinguisherMethod?.type ?? '<none>',
    translateTimestampSince(obj.metadata.creationTimestamp, now),
    obj.status?.conditions?.find((c) => c.type === 'Dangling')?.status ?? '?',
  ],
}
