/** @module prioritylevelconfigurations: the flowcontrol.apiserver.k8s.io/v1 PriorityLevelConfiguration definition (pkg/registry/flowcontrol/prioritylevelconfiguration/strategy.go). */
import type { PriorityLevelConfigurationSpec } from 'kubernetes-types/flowcontrol/v1.js'
import type { KubeObject } from '../../types.js'
import type { Cell, ResourceDefinition } from '../resource-definition.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { ageColumn, nameColumn } from '../apps/columns.js'
import { statusSubresource } from '../apps/deployments.js'
import { swaggerColumn } from '../shared/swagger-column.js'
import { validatePriorityLevel } from './flowcontrol-validation.js'
import { specStatusUpdates } from '../shared/spec-status.js'

/** A PriorityLevelConfiguration as stored. */
export type PriorityLevelConfiguration = KubeObject & { spec?: PriorityLevelConfigurationSpec; status?: { conditions?: unknown[] } }

/** SetDefaults_{Limited,Exempt}PriorityLevelConfiguration and SetDefaults_QueuingConfiguration of flowcontrol/v1. */
// Copy on write: a spec that has every default already is kept as it is (the bootstrap
// configuration, shared and frozen by every cluster of a process).
function applyDefaults(obj: PriorityLevelConfiguration): void {
  const spec = obj.spec
  if (!spec) return
  const e = spec.exempt
  if ((spec.type === 'Exempt' || e) && (e?.nominalConcurrencyShares === undefined || e.lendablePercent === undefined))
    obj.spec = { ...obj.spec!, exempt: { nominalConcurrencyShares: 0, lendablePercent: 0, ...e } }
  const l = spec.limited
  if (!l) return
  let limited = l
  if (l.nominalConcurrencyShares === undefined || l.lendablePercent === undefined)
    limited = { ...l, nominalConcurrencyShares: l.nominalConcurrencyShares ?? 30, lendablePercent: l.lendablePercent ?? 0 }
  const q = l.limitResponse?.queuing
  if (q && l.limitResponse && (q.queues === undefined || q.handSize === undefined || q.queueLengthLimit === undefined))
    limited = { ...limited, limitResponse: { ...l.limitResponse, queuing: { queues: 64, handSize: 8, queueLengthLimit: 50, ...q } } }
  if (limited !== l) obj.spec = { ...obj.spec!, limited }
}

const queuing = 'io.k8s.api.flowcontrol.v1.QueuingConfiguration'

/** NAME TYPE NOMINALCONCURRENCYSHARES QUEUES HANDSIZE QUEUELENGTHLIMIT AGE (printPriorityLevelConfiguration). */
export const priorityLevelConfigurations: ResourceDefinition<PriorityLevelConfiguration> = {
  group: 'flowcontrol.apiserver.k8s.io',
  version: 'v1',
  kind: 'PriorityLevelConfiguration',
  plural: 'prioritylevelconfigurations',
  singular: 'prioritylevelconfiguration',
  namespaced: false,
  // Every cluster boots with these, from templates it shares: kept parsed, serialized on read.
  parsedStorage: true,
  subresources: [statusSubresource],
  hasGeneration: true,
  applyDefaults,
  prepareForCreate(obj) {
    obj.status = {}
  },
  ...specStatusUpdates<PriorityLevelConfiguration>(),
  validate: validatePriorityLevel,
  columns: [
    nameColumn,
    swaggerColumn('Type', 'io.k8s.api.flowcontrol.v1.PriorityLevelConfigurationSpec', 'type'),
    swaggerColumn('NominalConcurrencyShares', 'io.k8s.api.flowcontrol.v1.LimitedPriorityLevelConfiguration', 'nominalConcurrencyShares'),
    swaggerColumn('Queues', queuing, 'queues'),
    swaggerColumn('HandSize', queuing, 'handSize'),
    swaggerColumn('QueueLengthLimit', queuing, 'queueLengthLimit'),
    ageColumn,
  ],
  row: (obj, now) => {
    const l = obj.spec?.limited
    const q = l?.limitResponse?.queuing
    const cells: Cell[] = [obj.metadata.name ?? '', obj.spec?.type ?? '', l ? (l.nominalConcurrencyShares ?? 0) : '<none>']
    cells.push(q ? (q.queues ?? 0) : '<none>', q ? (q.handSize ?? 0) : '<none>', q ? (q.queueLengthLimit ?? 0) : '<none>')
    cells.push(translateTimestampSince(obj.metadata.creationTimestamp, now))
    return cells
  },
}
