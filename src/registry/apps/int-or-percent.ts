/** @module int-or-percent: IntOrString rules shared by rolling-update strategies and PDBs (pkg/apis/apps/validation). */
import type { FieldError } from '../../types.js'
import { GoLiteral, goIntOrString } from '../../util/go-value.js'

const percentRe = /^[0-9]+%$/
/** apimachinery IsValidPercent's RegexError text. */
export const percentErrMsg =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%', or '93%', regex used for validation is '[0-9]+%')"

/** ValidateNonnegativeField: `Invalid value: -1: must be greater than or equal to 0`. */
export function validateNonnegative(value: number | undefined, field: string): FieldError[] {
  if (value === undefined || value >= 0) return []
  return [{ type: 'FieldValueInvalid', field, badValue: value, detail: 'must be greater than or equal to 0' }]
}

/** The value as a number: `25%` → 25, `3` → 3, anything invalid → 0 (getIntOrPercentValue). */
export function intOrPercentValue(v: number | string | undefined): number {
  if (typeof v === 'number') return v
  if (typeof v === 'string' && percentRe.test(v)) return parseInt(v.slice(0, -1), 10)
  return 0
}

/** ValidatePositiveIntOrPercent: a non-negative int or an `N%` string. */
export function validatePositiveIntOrPercent(v: number | string | undefined, field: string): FieldError[] {
  if (typeof v === 'string') {
    return percentRe.test(v) ? [] : [{ type: 'FieldValueInvalid', field, badValue: new GoLiteral(goIntOrString(v)), detail: percentErrMsg }]
  }
  return validateNonnegative(v, field)
}

/** IsNotMoreThan100Percent: only percent strings are checked. */
export function isNotMoreThan100Percent(v: number | string | undefined, field: string): FieldError[] {
  if (typeof v !== 'string' || !percentRe.test(v) || intOrPercentValue(v) <= 100) return []
  return [{ type: 'FieldValueInvalid', field, badValue: new GoLiteral(goIntOrString(v)), detail: 'must not be greater than 100%' }]
}
