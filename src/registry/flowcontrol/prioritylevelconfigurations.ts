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
function applyDefaults(obj: PriorityLevelConfiguration): void {
  const spec = obj.spec
  if (!spec) return
  if (spec.type === 'Exempt' || spec.exempt) spec.exempt = { nominalConcurrencyShares: 0, lendablePercent: 0, ...spec.exempt }
  const l = spec.limited
  if (l) {
    spec.limited = { ...l, nominalConcurrencyShares: l.nominalConcurrencyShares ?? 30, lendablePercent: l.lendablePercent ?? 0 }
    const q = l.limitResponse?.queuing
    if (q && l.limitResponse) spec.limited.limitResponse = { ...l.limitResponse, queuing: { queues: 64, handSize: 8, queueLengthLimit: 50, ...q } }
  }
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
