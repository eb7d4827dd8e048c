/**
 * @module admission: the admission chain every write passes, in a fixed order, as kube-apiserver's
 * (k8s.io/apiserver/pkg/admission): mutating plugins after the defaults and before the strategy's
 * prepare hook, validating plugins after validation, right before storage.
 */
import type { ResourceRef } from '../errors.js'
import type { KubeObject } from '../types.js'
import type { Registry } from './registry.js'

/** admission.Attributes: what one write is about. */
export interface AdmissionAttributes {
  operation: 'CREATE' | 'UPDATE'
  /** group + plural of the object written. */
  resource: ResourceRef
  kind: string
  namespace: string
  /** The object's name (generated already in the validating phase). */
  name: string
  /** The object as it will be stored; mutating plugins may change it. */
  obj: KubeObject
  /** The stored object an update replaces. */
  old?: KubeObject
  dryRun: boolean
}

/**
 * One admission plugin. `admit` mutates (sync: it runs inside the update retry loop); `validate`
 * may read and write other resources (quota usage) and must not change `obj`. Both throw a
 * StatusError (usually 403 Forbidden) to refuse the write. A plugin ignores what it does not handle.
 */
export interface AdmissionPlugin {
  name: string
  admit?(a: AdmissionAttributes): void
  validate?(a: AdmissionAttributes): Promise<void> | void
}

/** The ordered chain; an empty chain admits everything. */
export class AdmissionChain {
  constructor(readonly plugins: AdmissionPlugin[] = []) {}

  /** Runs every mutating plugin in order. */
  admit(a: AdmissionAttributes): void {
    for (const p of this.plugins) p.admit?.(a)
  }

  /** Runs every validating plugin in order; the first refusal wins. */
  async validate(a: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.validate) await p.validate(a)
  }
}

/** admission.NewForbidden's subject: the name, else the generateName prefix (mutating plugins run before a name is generated), else the object's name. */
export function admissionName(a: AdmissionAttributes): string {
  return a.name || a.obj.metadata.generateName || a.obj.metadata.name || ''
}

/** What a plugin reads another resource through (its informer's lister): the stored objects. */
export interface AdmissionLister {
  get(namespace: string, name: string): KubeObject | undefined
  list(): KubeObject[]
}

/** The lister for group + plural over the registry's store (empty when the kind is not served). */
export function admissionLister(registry: Registry, group: string, plural: string): AdmissionLister {
  const rs = registry.find(group, plural)
  if (!rs) return { get: () => undefined, list: () => [] }
  return { get: (ns, name) => rs.getStored(ns, name)?.obj, list: () => registry.store.list(rs.key).map((s) => s.obj) }
}

/** Whether a write is to `group`/`resource` (plugins ignore the rest). */
export function isResource(a: AdmissionAttributes, group: string, resource: string): boolean {
  return a.resource.group === group && a.resource.resource === resource
}
