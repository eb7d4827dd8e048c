import { describe, expect, it } from 'vitest'
import { checkFormat, isKnownFormat, supportedFormat } from '../../../../src/registry/apiextensions/schema/formats.js'

describe('formats', () => {
  it('keeps only the formats the apiextensions validator supports', () => {
    expect(supportedFormat('string', 'date-time')).toBe('date-time')
    expect(supportedFormat('', 'uuid')).toBe('uuid')
    expect(supportedFormat('string', 'quantity')).toBe('')
    expect(supportedFormat('string', 'int32')).toBe('')
    expect(supportedFormat('integer', 'int32')).toBe('int32')
    expect(supportedFormat('integer', 'uint8')).toBe('')
    expect(supportedFormat('number', 'double')).toBe('double')
    expect(supportedFormat('boolean', 'byte')).toBe('')
    expect(isKnownFormat('date-time')).toBe(true)
    expect(isKnownFormat('int32')).toBe(false)
  })

  const cases: [string, string[], string[]][] = [
    ['date', ['2024-02-29', '1999-12-31'], ['2023-02-29', '2024-13-01', '24-01-01']],
    ['date-time', ['2024-01-02T03:04:05Z', '2024-01-02t03:04:05.123+02:00'], ['2024-01-02', '2024-01-02T25:00:00Z', '2024-01-02 03:04:05Z']],
    ['duration', ['1h30m', '500ms', '-1.5h', '0', '3 days', '2 weeks', '2\u00b5s', '2\u03bcs'], ['forever', '1x', '']],
    ['ipv4', ['10.0.0.1', '255.255.255.255'], ['10.0.0', '256.0.0.1', '::1']],
    ['ipv6', ['::1', 'fe80::1', '10.0.0.1'], ['gggg::1', 'x']],
    ['cidr', ['10.0.0.0/8', 'fd00::/64'], ['10.0.0.0', '10.0.0.0/33']],
    ['mac', ['00:1a:2b:3c:4d:5e', '00-1A-2B-3C-4D-5E'], ['00:1a:2b:3c:4d', 'zz:1a:2b:3c:4d:5e']],
    ['uuid', ['123e4567-e89b-12d3-a456-426614174000', '123E4567E89B12D3A456426614174000'], ['123e4567', 'x']],
    ['byte', ['aGVsbG8=', 'YWJj'], ['***', 'abc']],
    ['hostname', ['example.com', 'localhost', 'a-b.c-d.io'], ['-bad.com', 'a..b', 'under_score.com']],
    ['email', ['a@example.com', 'Jane <jane@example.com>'], ['not-an-email', 'a@']],
    ['uri', ['https://example.com/x?y=1', '/path/only'], ['not a uri', 'relative/path']],
  ]
  for (const [format, good, bad] of cases) {
    it(`checks ${format}`, () => {
      for (const v of good) expect(checkFormat(format, v), `${format} ${v}`).toBe(true)
      for (const v of bad) expect(checkFormat(format, v), `${format} ${v}`).toBe(false)
    })
  }
})
