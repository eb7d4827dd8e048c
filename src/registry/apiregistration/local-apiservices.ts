/** @module local-apiservices: the APIServices kube-apiserver registers at start, one per served group-version. */
import type { AnyResourceDefinition } from '../resource-definition.js'
import { apiServicePriorities } from './api-service-priorities.js'
import type { APIService } from './apiservices.js'

/** The label autoregister puts on the APIServices it syncs on start (autoregister_controller.go AutoRegisterManagedLabel). */
export const autoRegisterManagedLabel = 'kube-aggregator.kubernetes.io/automanaged'

/**
 * One APIService per group-version the definitions serve, in discovery order (apiServicesToRegister
 * over ListedPaths): `v1.` for core, `<version>.<group>` otherwise, with upstream's priorities.
 * Group-versions without a priority are skipped, as makeAPIService does. Pure.
 */
export function localAPIServices(definitions: readonly AnyResourceDefinition[]): APIService[] {
  const out: APIService[] = []
  const seen = new Set<string>()
  for (const d of definitions) {
    const key = `${d.group}/${d.version}`
    if (seen.has(key)) continue
    seen.add(key)
    const p = apiServicePriorities[key]
    if (!p) continue
    out.push({
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: `${d.version}.${d.group}`, labels: { [autoRegisterManagedLabel]: 'onstart' } },
      spec: { group: d.group, version: d.version, groupPriorityMinimum: p.group, versionPriority: p.version },
    })
  }
  return out
}
