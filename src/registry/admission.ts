/**
 * @module admission: the admission chain every write passes, in a fixed order, as kube-apiserver's
 * (k8s.io/apiserver/pkg/admission): mutating plugins after the defaults and before the strategy's
 * prepare hook, validating plugins after validation, right before storage.
 */
import type { ResourceRef } from '../errors.js'
import type { KubeObject } from '../types.js'
import type { Registry } from './registry.js'
import type { RequestUser } from './resource-definition.js'

/** admission.Operation. */
export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT'

/** admission.Attributes: what one write is about. */
export interface AdmissionAttributes {
  operation: AdmissionOperation
  /** group + plural of the object written. */
  resource: ResourceRef
  kind: string
  namespace: string
  /**
   * The version the request came in at, when not the storage version (a write through another
   * served version): requestKind and requestResource name it, and matchPolicy Exact matches it.
   */
  version?: string
  /** The object's name (generated already in the validating phase). */
  name: string
  /**
   * The object as it will be stored; mutating plugins may change it (in place: the registry goes on
   * with this very object). On DELETE it is the stored object (`old`), which no plugin may change.
   */
  obj: KubeObject
  /** The stored object an update replaces (on DELETE: the object deleted). */
  old?: KubeObject
  dryRun: boolean
  /** The subresource written (`status`); only plugins with `everyWrite` see such writes. */
  subresource?: string
  /** Who asked (absent for in-process writers). */
  user?: RequestUser
  /** The request's CreateOptions / UpdateOptions / DeleteOptions, as AdmissionReview sends them. */
  options?: Record<string, unknown>
  /** Where plugins put the Warning headers of the response (webhooks' `warnings`). */
  warnings?: string[]
  /** Reinvocation (upstream's ReinvocationContext): a plugin sets `requested` to run the mutating plugins once more. */
  reinvocation?: { requested: boolean; round: number; state: Map<string, unknown> }
}

/**
 * One admission plugin. `admit` mutates (it runs inside the update retry loop, so a retry runs it
 * again on the fresh object); `validate` may read and write other resources (quota usage) and must
 * not change `obj`. Both throw a StatusError (usually 403 Forbidden) to refuse the write. A plugin
 * ignores what it does not handle. Plugins see creates and updates of the main resource; DELETE and
 * subresource writes reach only those whose `everyWrite()` is true at the time (the webhooks, while
 * any webhook configuration exists), so the kubelet's status writes stay cheap.
 */
export interface AdmissionPlugin {
  name: string
  admit?(a: AdmissionAttributes): Promise<void> | void
  validate?(a: AdmissionAttributes): Promise<void> | void
  everyWrite?(): boolean
}

/** The ordered chain; an empty chain admits everything. */
export class AdmissionChain {
  constructor(readonly plugins: AdmissionPlugin[] = []) {}

  /** Whether some plugin wants DELETE and subresource writes now (the registry skips building their attributes otherwise). */
  everyWrite(): boolean {
    return this.plugins.some((p) => p.everyWrite?.())
  }

  /**
   * Runs every mutating plugin in order; when one asks for reinvocation (a webhook with
   * reinvocationPolicy IfNeeded saw later mutations), the mutating plugins run once more, as
   * upstream's reinvoker does (staging/src/k8s.io/apiserver/pkg/admission/reinvocation.go).
   */
  async admit(a: AdmissionAttributes): Promise<void> {
    a.reinvocation = { requested: false, round: 0, state: new Map() }
    await this.admitRound(a)
    if (!a.reinvocation.requested) return
    a.reinvocation.round = 1
    await this.admitRound(a)
  }

  private async admitRound(a: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) {
      if (!p.admit || !sees(p, a)) continue
      const r = p.admit(a)
      if (r) await r
    }
  }

  /** Runs every validating plugin in order; the first refusal wins. */
  async validate(a: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.validate && sees(p, a)) await p.validate(a)
  }
}

function sees(p: AdmissionPlugin, a: AdmissionAttributes): boolean {
  if ((a.operation === 'CREATE' || a.operation === 'UPDATE') && !a.subresource) return true
  return !!p.everyWrite?.()
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
