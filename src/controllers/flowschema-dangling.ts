/**
 * @module flowschema-dangling: the APF config consumer's status writes (k8s.io/apiserver/pkg/util/flowcontrol
 * apf_controller.go): every FlowSchema says whether its PriorityLevelConfiguration exists (`Dangling`).
 */
import type { FlowSchema, FlowSchemaCondition } from '../registry/flowcontrol/flowschemas.js'
import type { Registry } from '../registry/registry.js'
import type { Clock } from '../sim/clock.js'
import { rfc3339 } from '../util/time.js'
import type { Controller, ControllerManager } from './runtime.js'
import { splitKey } from './runtime.js'

const byLevelIndex = 'spec.priorityLevelConfiguration.name'

/** The Dangling condition for a FlowSchema whose level does (`exists`) or does not exist (without lastTransitionTime). Pure. */
export function danglingCondition(level: string, exists: boolean): Omit<FlowSchemaCondition, 'lastTransitionTime'> {
  return exists
    ? {
        type: 'Dangling',
        status: 'False',
        reason: 'Found',
        message: `This FlowSchema references the PriorityLevelConfiguration object named ${JSON.stringify(level)} and it exists`,
      }
    : {
        type: 'Dangling',
        status: 'True',
        reason: 'NotFound',
        message: `This FlowSchema references the PriorityLevelConfiguration object named ${JSON.stringify(level)} but there is no such object`,
      }
}

/** Writes each FlowSchema's Dangling condition when it differs. */
export function createFlowSchemaDanglingController(deps: { registry: Registry; clock: Clock; manager: ControllerManager }): Controller {
  const flowSchemas = deps.registry.resource<FlowSchema>('flowcontrol.apiserver.k8s.io', 'flowschemas')
  const cache = deps.manager.informers.for<FlowSchema>('flowcontrol.apiserver.k8s.io', 'flowschemas')
  cache.addIndex(byLevelIndex, (o) => [(o as FlowSchema).spec?.priorityLevelConfiguration?.name ?? ''])
  const levels = deps.manager.informers.for('flowcontrol.apiserver.k8s.io', 'prioritylevelconfigurations')
  return {
    name: 'flowschema-dangling',
    watches: [
      { group: 'flowcontrol.apiserver.k8s.io', plural: 'flowschemas' },
      {
        group: 'flowcontrol.apiserver.k8s.io',
        plural: 'prioritylevelconfigurations',
        keys: (o) => cache.byIndex(byLevelIndex, o.metadata.name ?? '').map((s) => s.obj.metadata.name ?? ''),
      },
    ],
    async reconcile(key) {
      const [, name] = splitKey(key)
      const fs = cache.getObject('', name)
      if (!fs) return
      const level = fs.spec?.priorityLevelConfiguration?.name ?? ''
      const want = danglingCondition(level, !!levels.get('', level))
      const conds = fs.status?.conditions ?? []
      const have = conds.find((c) => c.type === 'Dangling')
      if (have && have.status === want.status && have.reason === want.reason && have.message === want.message) return
      const lastTransitionTime = have?.status === want.status && have.lastTransitionTime ? have.lastTransitionTime : rfc3339(deps.clock.now())
      const next = [
        ...conds.filter((c) => c.type !== 'Dangling'),
        { type: 'Dangling', status: want.status, lastTransitionTime, reason: want.reason, message: want.message },
      ]
      await flowSchemas.guaranteedUpdate('', name, (cur) => ({ ...cur, status: { ...(cur.status ?? {}), conditions: next } }), { subresource: 'status' })
    },
  }
}
