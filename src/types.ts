/** @module types: the object shapes shared by every layer (store, registry, api, controllers). */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js'

/** kubernetes-types marks server-set metadata readonly; the server is the one that sets it. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] }

/** ObjectMeta as the server handles it (system fields writable). */
export type Metadata = Writable<ObjectMeta>

/** Any Kubernetes object as stored: kind/apiVersion/metadata plus whatever the kind defines. */
export interface KubeObject {
  apiVersion?: string
  kind?: string
  metadata: Metadata
  [field: string]: unknown
}

/** A field-level validation problem, rendered like apimachinery's field.Error. */
export interface FieldError {
  type: FieldErrorType
  /** Dotted path with [i] for list items, e.g. `spec.template.spec.containers[0].name`. */
  field: string
  /** The offending value; omitted from the message for Required/Forbidden/TooLong/InternalError. */
  badValue?: unknown
  detail?: string
}

export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid'
