/** @module go-duration.test: Go Duration.String formatting. */
import { expect, test } from 'vitest'
import { goDuration } from '../../../src/sim/stages/go-duration.js'

test.each([
  [0, '0s'],
  [523, '523ms'],
  [1200, '1.2s'],
  [2345, '2.345s'],
  [10_000, '10s'],
  [80_000, '1m20s'],
  [160_000, '2m40s'],
  [300_000, '5m0s'],
  [62_500, '1m2.5s'],
  [3_600_000, '1h0m0s'],
])('%d ms → %s', (ms, s) => expect(goDuration(ms)).toBe(s))
