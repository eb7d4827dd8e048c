/** @module program-usage.test: what a container's command line adds to its usage. */
import { describe, expect, it } from 'vitest'
import { programUsage } from '../../../src/sim/usage/program-usage.js'

describe('programUsage', () => {
  it('reads stress --vm/--vm-bytes (powers of 1024) and --cpu', () => {
    expect(programUsage('stress --vm 1 --vm-bytes 250M --vm-hang 1')).toEqual({ heldBytes: 250 * 2 ** 20, busyCores: 1 })
    expect(programUsage('stress --vm 2 --vm-bytes 64m')).toEqual({ heldBytes: 2 * 64 * 2 ** 20, busyCores: 2 })
    expect(programUsage('stress --vm 1')).toEqual({ heldBytes: 256 * 2 ** 20, busyCores: 1 })
    expect(programUsage('stress --cpu 2 --timeout 60s')).toEqual({ busyCores: 2 })
  })

  it('a busy shell loop takes a core; one that sleeps takes none', () => {
    expect(programUsage('sh -c while true; do :; done')).toEqual({ busyCores: 1 })
    expect(programUsage('/bin/sh -c while true; do echo hi > /dev/null; done')).toEqual({ busyCores: 1 })
    expect(programUsage('sh -c while true; do echo hi; sleep 1; done')).toEqual({})
    expect(programUsage('sleep 3600')).toEqual({})
    expect(programUsage('sh -c yes > /dev/null')).toEqual({ busyCores: 1 })
    expect(programUsage('')).toEqual({})
  })
})
