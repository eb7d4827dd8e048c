/** @module field-errors: constructors for FieldError mirroring apimachinery's field.Invalid/Required/NotSupported/…. */
import type { FieldError } from '../../types.js'

/** field.Invalid: renders `<field>: Invalid value: <value>: <detail>`. */
export function invalid(field: string, badValue: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, badValue, detail }
}

/** field.Required: renders `<field>: Required value` plus `: <detail>` when detail is non-empty. */
export function required(field: string, detail = ''): FieldError {
  return { type: 'FieldValueRequired', field, ...(detail ? { detail } : {}) }
}

/** field.Forbidden: renders `<field>: Forbidden: <detail>` (the value is never printed). */
export function forbidden(field: string, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field, detail }
}

/** field.Duplicate: renders `<field>: Duplicate value: <value>`. */
export function duplicate(field: string, badValue: unknown): FieldError {
  return { type: 'FieldValueDuplicate', field, badValue }
}

/** field.NotFound: renders `<field>: Not found: <value>`. */
export function notFound(field: string, badValue: unknown): FieldError {
  return { type: 'FieldValueNotFound', field, badValue }
}

/**
 * field.NotSupported: `<field>: Unsupported value: "x": supported values: "a", "b"`. The list
 * is quoted with strconv.Quote semantics, in the order given (upstream passes sorted sets or
 * hand-ordered slices; callers keep upstream's order).
 */
export function notSupported(field: string, badValue: unknown, valid: readonly string[]): FieldError {
  const detail = valid.length ? `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}` : ''
  return { type: 'FieldValueNotSupported', field, badValue, ...(detail ? { detail } : {}) }
}

/** field.TooLong with a byte limit: `<field>: Too long: may not be more than <n> bytes`. */
export function tooLong(field: string, maxBytes: number): FieldError {
  return { type: 'FieldValueTooLong', field, detail: `may not be more than ${maxBytes} bytes` }
}

/** Joins path segments the way field.Path does: `a.b`, `a[0]`, `data[key]`. */
export function childPath(base: string, child: string): string {
  return base ? `${base}.${child}` : child
}
