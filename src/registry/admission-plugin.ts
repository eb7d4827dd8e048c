/**
 * @module admission-plugin: the admission step of the generic registry — an ordered list of
 * plugins per kind, mutating ones before the strategy's hooks and validating ones after its
 * validation (apiserver/pkg/admission: MutationInterface.Admit, ValidationInterface.Validate).
 */
import type { KubeObject } from '../types.js'

/** The other objects a plugin reads (its informers' listers), by resource. */
export interface AdmissionLister {
  get(namespace: string, name: string): KubeObject | undefined
  list(): KubeObject[]
}

/** What a plugin is told about the request besides the object (admission.Attributes). */
export interface AdmissionAttributes<T extends KubeObject = KubeObject> {
  operation: 'create' | 'update'
  /**
   * The name refusals name (admission.NewForbidden's extractResourceName): metadata.name, or the
   * generateName prefix when the name is yet to be generated.
   */
  name: string
  /** The stored object an update replaces. */
  old?: T
  /** The lister for `group` + `plural`; undefined when the kind is not served. */
  lister(group: string, plural: string): AdmissionLister | undefined
}

/**
 * One admission plugin for one kind. Both hooks throw a StatusError (usually
 * `StatusError.forbidden`) to refuse the request; they run for the main resource only, never for
 * subresources or trusted (bootstrap, state import) writes.
 */
export interface AdmissionPlugin<T extends KubeObject = KubeObject> {
  name: string
  /**
   * Mutating admission: runs after the API defaults and before prepareForCreate/prepareForUpdate.
   * May change `obj`, never `attrs.old`.
   */
  admit?(obj: T, attrs: AdmissionAttributes<T>): void
  /** Validating admission: runs after the strategy's validation; must not mutate. */
  validate?(obj: T, attrs: AdmissionAttributes<T>): void
}
