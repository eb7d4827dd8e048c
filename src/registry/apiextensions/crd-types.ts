/** @module crd-types: the apiextensions.k8s.io/v1 CustomResourceDefinition object as stored. */
import type { KubeObject } from '../../types.js'

/** spec.names and status.acceptedNames. */
export interface CRDNames {
  plural?: string
  singular?: string
  shortNames?: string[]
  kind?: string
  listKind?: string
  categories?: string[]
}

/** One additionalPrinterColumns entry. */
export interface CRDPrinterColumn {
  name?: string
  type?: string
  format?: string
  description?: string
  priority?: number
  jsonPath?: string
}

/** The scale subresource's paths. */
export interface CRDScale {
  specReplicasPath?: string
  statusReplicasPath?: string
  labelSelectorPath?: string
}

/** One entry of spec.versions. */
export interface CRDVersion {
  name?: string
  served?: boolean
  storage?: boolean
  deprecated?: boolean
  deprecationWarning?: string
  schema?: { openAPIV3Schema?: Record<string, unknown> }
  subresources?: { status?: Record<string, unknown>; scale?: CRDScale }
  additionalPrinterColumns?: CRDPrinterColumn[]
  selectableFields?: { jsonPath?: string }[]
}

/** One status condition (NamesAccepted, Established, Terminating, …). */
export interface CRDCondition {
  type: string
  status: string
  lastTransitionTime?: string
  reason?: string
  message?: string
}

/** A CustomResourceDefinition. */
export type CustomResourceDefinition = KubeObject & {
  spec?: {
    group?: string
    names?: CRDNames
    scope?: string
    versions?: CRDVersion[]
    conversion?: { strategy?: string; webhook?: Record<string, unknown> }
    preserveUnknownFields?: boolean
  }
  status?: {
    conditions?: CRDCondition[]
    acceptedNames?: CRDNames
    storedVersions?: string[]
  }
}

/** The finalizer the cleanup controller removes once every custom object is gone. */
export const crdCleanupFinalizer = 'customresourcecleanup.apiextensions.k8s.io'

/** The condition of `type`, if any. */
export function crdCondition(crd: CustomResourceDefinition, type: string): CRDCondition | undefined {
  return crd.status?.conditions?.find((c) => c.type === type)
}

/** True when condition `type` is True. */
export function crdConditionTrue(crd: CustomResourceDefinition, type: string): boolean {
  return crdCondition(crd, type)?.status === 'True'
}

/** The version marked storage (validation guarantees exactly one). */
export function storageVersionOf(crd: CustomResourceDefinition): CRDVersion | undefined {
  return crd.spec?.versions?.find((v) => v.storage)
}
