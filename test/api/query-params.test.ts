/** @module query-params.test: the shared query parser converts and fails exactly as kube-apiserver's parameter codec does. */
import { describe, expect, it } from 'vitest'
import {
  goParseDuration,
  goParseInt,
  parseQueryBool,
  queryBool,
  queryHas,
  queryInt64,
  queryOptionalBool,
  queryPorts,
  queryRequestTimeout,
  queryString,
  queryTime,
  queryValues,
} from '../../src/api/query-params.js'
import { StatusError } from '../../src/errors.js'

/** The Status a conversion failure answers. */
function failure(f: () => unknown): { code: number; reason?: string; message?: string } {
  try {
    f()
  } catch (err) {
    expect(err).toBeInstanceOf(StatusError)
    const { code, reason, message } = (err as StatusError).status
    return { code, reason, message }
  }
  throw new Error('expected a failure')
}

describe('booleans (Convert_Slice_string_To_bool)', () => {
  it('reads every strconv.ParseBool spelling the way the codec does', () => {
    for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) expect(parseQueryBool(t), t).toBe(true)
    // The codec only knows "0" and "false" (any casing): ParseBool's f/F spellings are true here.
    for (const f of ['0', 'FALSE', 'false', 'False', 'fAlSe']) expect(parseQueryBool(f), f).toBe(false)
    for (const t of ['f', 'F']) expect(parseQueryBool(t), t).toBe(true)
  })

  it('takes anything else, even empty or garbage, as true, and absent as false; never a 400', () => {
    expect(queryBool({ watch: '' }, 'watch')).toBe(true)
    expect(queryBool({ watch: 'maybe' }, 'watch')).toBe(true)
    expect(queryBool({ watch: 'True' }, 'watch')).toBe(true)
    expect(queryBool({}, 'watch')).toBe(false)
    expect(queryBool({ watch: ['false', 'true'] }, 'watch')).toBe(false)
  })

  it('keeps absent *bool options unset', () => {
    expect(queryOptionalBool({}, 'sendInitialEvents')).toBeUndefined()
    expect(queryOptionalBool({ sendInitialEvents: 'false' }, 'sendInitialEvents')).toBe(false)
    expect(queryOptionalBool({ orphanDependents: 'x' }, 'orphanDependents')).toBe(true)
  })
})

describe('strings and repeated values', () => {
  it('uses the first value and keeps every value in order', () => {
    expect(queryString({ container: ['a', 'b'] }, 'container')).toBe('a')
    expect(queryString({}, 'container')).toBeUndefined()
    expect(queryValues({ command: ['sh', '-c', 'echo'] }, 'command')).toEqual(['sh', '-c', 'echo'])
    expect(queryValues({ command: 'ls' }, 'command')).toEqual(['ls'])
    expect(queryHas({ watch: '' }, 'watch')).toBe(true)
    expect(queryHas({}, 'watch')).toBe(false)
  })
})

describe('integers (strconv.ParseInt)', () => {
  it('accepts a sign and decimal digits only', () => {
    expect(queryInt64({ limit: '500' }, 'limit')).toBe(500)
    expect(queryInt64({ gracePeriodSeconds: '-1' }, 'gracePeriodSeconds')).toBe(-1)
    expect(queryInt64({ limit: '+7' }, 'limit')).toBe(7)
    expect(queryInt64({ limit: '007' }, 'limit')).toBe(7)
    expect(queryInt64({}, 'limit')).toBeUndefined()
    expect(goParseInt('9223372036854775807')).toBe(9223372036854775807n)
  })

  it("answers 400 with strconv's message for ?limit=abc, ?timeoutSeconds=x, ?gracePeriodSeconds=x, empty and out-of-range values", () => {
    expect(failure(() => queryInt64({ limit: 'abc' }, 'limit'))).toEqual({
      code: 400,
      reason: 'BadRequest',
      message: 'strconv.ParseInt: parsing "abc": invalid syntax',
    })
    expect(failure(() => queryInt64({ timeoutSeconds: 'x' }, 'timeoutSeconds')).message).toBe('strconv.ParseInt: parsing "x": invalid syntax')
    expect(failure(() => queryInt64({ gracePeriodSeconds: 'x' }, 'gracePeriodSeconds')).message).toBe('strconv.ParseInt: parsing "x": invalid syntax')
    expect(failure(() => queryInt64({ tailLines: 'x' }, 'tailLines')).message).toBe('strconv.ParseInt: parsing "x": invalid syntax')
    expect(failure(() => queryInt64({ sinceSeconds: '1.5' }, 'sinceSeconds')).message).toBe('strconv.ParseInt: parsing "1.5": invalid syntax')
    expect(failure(() => queryInt64({ limit: '' }, 'limit')).message).toBe('strconv.ParseInt: parsing "": invalid syntax')
    expect(failure(() => queryInt64({ limit: ' 1' }, 'limit')).message).toBe('strconv.ParseInt: parsing " 1": invalid syntax')
    expect(failure(() => queryInt64({ limit: '1_000' }, 'limit')).message).toBe('strconv.ParseInt: parsing "1_000": invalid syntax')
    expect(failure(() => queryInt64({ limit: '9223372036854775808' }, 'limit')).message).toBe(
      'strconv.ParseInt: parsing "9223372036854775808": value out of range',
    )
    expect(failure(() => queryInt64({ limit: 'a"\n' }, 'limit')).message).toBe('strconv.ParseInt: parsing "a\\"\\n": invalid syntax')
  })
})

describe('ports (Convert_Slice_string_To_Slice_int32)', () => {
  it('splits on commas across repeated values', () => {
    expect(queryPorts({ ports: ['80,443', '8080'] })).toEqual([80, 443, 8080])
    expect(queryPorts({})).toEqual([])
  })

  it('rejects what strconv.ParseUint(v, 10, 16) rejects', () => {
    expect(failure(() => queryPorts({ ports: 'abc' }))).toEqual({
      code: 400,
      reason: 'BadRequest',
      message: 'cannot convert to []int32: strconv.ParseUint: parsing "abc": invalid syntax',
    })
    expect(failure(() => queryPorts({ ports: '70000' })).message).toBe('cannot convert to []int32: strconv.ParseUint: parsing "70000": value out of range')
    expect(failure(() => queryPorts({ ports: '80,' })).message).toBe('cannot convert to []int32: strconv.ParseUint: parsing "": invalid syntax')
    expect(failure(() => queryPorts({ ports: '-1' })).message).toBe('cannot convert to []int32: strconv.ParseUint: parsing "-1": invalid syntax')
  })
})

describe('durations (time.ParseDuration) and the timeout parameter', () => {
  it('parses Go durations into milliseconds', () => {
    expect(goParseDuration('0')).toBe(0)
    expect(goParseDuration('32s')).toBe(32_000)
    expect(goParseDuration('1m30s')).toBe(90_000)
    expect(goParseDuration('1.5h')).toBe(5_400_000)
    expect(goParseDuration('300ms')).toBe(300)
    expect(goParseDuration('-2s')).toBe(-2000)
    expect(goParseDuration('.5s')).toBe(500)
    expect(goParseDuration('10µs')).toBeCloseTo(0.01)
  })

  it("fails with Go's texts, wrapped as the request-deadline filter does", () => {
    expect(() => goParseDuration('x')).toThrow('time: invalid duration "x"')
    expect(() => goParseDuration('5')).toThrow('time: missing unit in duration "5"')
    expect(() => goParseDuration('1d')).toThrow('time: unknown unit "d" in duration "1d"')
    expect(() => goParseDuration('.s')).toThrow('time: invalid duration ".s"')
    expect(failure(() => queryRequestTimeout({ timeout: 'x' }))).toEqual({
      code: 400,
      reason: 'BadRequest',
      message: 'invalid timeout specified in the request URL - time: invalid duration "x"',
    })
    expect(queryRequestTimeout({ timeout: '' })).toBeUndefined()
    expect(queryRequestTimeout({ timeout: '32s' })).toBe(32_000)
  })
})

describe('times (metav1.Time query parameters)', () => {
  it("parses RFC 3339; empty is unset; anything else is time.Parse's 400", () => {
    expect(queryTime({ sinceTime: '2026-11-27T10:00:00Z' }, 'sinceTime')).toBe(Date.parse('2026-11-27T10:00:00Z'))
    expect(queryTime({ sinceTime: '2026-11-27T10:00:00.5+01:00' }, 'sinceTime')).toBe(Date.parse('2026-11-27T09:00:00.5Z'))
    expect(queryTime({ sinceTime: '' }, 'sinceTime')).toBeUndefined()
    expect(failure(() => queryTime({ sinceTime: 'yesterday' }, 'sinceTime'))).toEqual({
      code: 400,
      reason: 'BadRequest',
      message: 'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"',
    })
  })
})
