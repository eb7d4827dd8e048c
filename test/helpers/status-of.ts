/** @module status-of: the StatusError a call throws, for asserting refusals. */
import { expect } from 'vitest'
import { StatusError } from '../../src/errors.js'

/** Runs `fn` and returns the StatusError it throws; fails the test when it throws anything else or nothing. */
export function statusOf(fn: () => unknown): StatusError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(StatusError)
    return e as StatusError
  }
  throw new Error('expected a StatusError')
}
