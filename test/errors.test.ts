/** @module errors.test: field error texts as apimachinery's field.Error.ErrorBody prints them. */
import { describe, expect, it } from 'vitest'
import { fieldErrorString } from '../src/errors.js'

describe('fieldErrorString', () => {
  it('prints a nil bad value as the quoted string "null", strings quoted, numbers and booleans bare', () => {
    expect(fieldErrorString({ type: 'FieldValueInvalid', field: 'spec.x', badValue: null, detail: 'must be set' })).toBe(
      'spec.x: Invalid value: "null": must be set',
    )
    expect(fieldErrorString({ type: 'FieldValueInvalid', field: 'spec.x', badValue: undefined, detail: 'd' })).toBe('spec.x: Invalid value: "null": d')
    expect(fieldErrorString({ type: 'FieldValueInvalid', field: 'spec.x', badValue: 'a', detail: 'd' })).toBe('spec.x: Invalid value: "a": d')
    expect(fieldErrorString({ type: 'FieldValueInvalid', field: 'spec.x', badValue: -1, detail: 'd' })).toBe('spec.x: Invalid value: -1: d')
    expect(fieldErrorString({ type: 'FieldValueRequired', field: 'spec.x', badValue: null })).toBe('spec.x: Required value')
  })
})
