/**
 * @module query-params: the one reader of query parameters, converting them as kube-apiserver's
 * parameter codec does (apimachinery runtime/conversion.go and meta/v1/conversion.go).
 */
import { StatusError } from '../errors.js'
import { goQuote } from '../util/go-value.js'

/** A decoded query string: a repeated parameter is an array (fastify's and url.Values' shape). */
export type RawQuery = Record<string, string | string[] | undefined>

/** Every value of `name` in request order (url.Values[name]); [] when absent. */
export function queryValues(q: RawQuery | undefined, name: string): string[] {
  const v = q?.[name]
  if (v === undefined) return []
  return Array.isArray(v) ? v.map(String) : [String(v)]
}

/** True when the parameter appears at all, even as `?name` or `?name=`. */
export function queryHas(q: RawQuery | undefined, name: string): boolean {
  return queryValues(q, name).length > 0
}

/** The first value (Convert_Slice_string_To_string), or undefined when absent. */
export function queryString(q: RawQuery | undefined, name: string): string | undefined {
  return queryValues(q, name)[0]
}

/**
 * The apiserver's boolean conversion (Convert_Slice_string_To_bool): absent, `0` or any casing of
 * `false` is false; every other value, `?watch`, `?watch=` and `?watch=maybe` included, is true.
 * Unlike strconv.ParseBool it never fails: the query codec is deliberately lenient.
 */
export function parseQueryBool(value: string): boolean {
  return !(value === '0' || value.toLowerCase() === 'false')
}

/** A `bool` option (watch, follow, stdout, …): false when absent, else {@link parseQueryBool} of the first value. */
export function queryBool(q: RawQuery | undefined, name: string): boolean {
  const v = queryString(q, name)
  return v === undefined ? false : parseQueryBool(v)
}

/** A `*bool` option (sendInitialEvents, orphanDependents): undefined when absent, else as {@link queryBool}. */
export function queryOptionalBool(q: RawQuery | undefined, name: string): boolean | undefined {
  const v = queryString(q, name)
  return v === undefined ? undefined : parseQueryBool(v)
}

const int64Min = -(2n ** 63n)
const int64Max = 2n ** 63n - 1n

/**
 * strconv.ParseInt(s, 10, bitSize): an optional sign and decimal digits, nothing else (no spaces,
 * no underscores, no empty string). Throws Go's error text, e.g.
 * `strconv.ParseInt: parsing "abc": invalid syntax` or `… "99999999999999999999": value out of range`.
 */
export function goParseInt(s: string, bitSize = 64, fn = 'ParseInt'): bigint {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new Error(`strconv.${fn}: parsing ${goQuote(s)}: invalid syntax`)
  const n = BigInt(s)
  const max = bitSize === 64 ? int64Max : 2n ** BigInt(bitSize - 1) - 1n
  const min = bitSize === 64 ? int64Min : -(2n ** BigInt(bitSize - 1))
  if (n > max || n < min) throw new Error(`strconv.${fn}: parsing ${goQuote(s)}: value out of range`)
  return n
}

/** strconv.ParseUint(s, 10, bitSize): digits only (no sign); Go's error texts. */
export function goParseUint(s: string, bitSize: number): bigint {
  if (!/^[0-9]+$/.test(s)) throw new Error(`strconv.ParseUint: parsing ${goQuote(s)}: invalid syntax`)
  const n = BigInt(s)
  if (n >= 2n ** BigInt(bitSize)) throw new Error(`strconv.ParseUint: parsing ${goQuote(s)}: value out of range`)
  return n
}

/** Runs a conversion; a failure is the 400 the handlers answer for DecodeParameters errors (message verbatim). */
function converted<T>(f: () => T): T {
  try {
    return f()
  } catch (err) {
    if (err instanceof StatusError) throw err
    throw StatusError.badRequest((err as Error).message)
  }
}

/**
 * An `int64`/`*int64` option (limit, timeoutSeconds, gracePeriodSeconds, tailLines, …): undefined
 * when absent; present values, even empty ones, go through strconv.ParseInt and a bad one is
 * `400 BadRequest` with strconv's message. Values beyond ±2^53 lose precision (never in practice).
 */
export function queryInt64(q: RawQuery | undefined, name: string): number | undefined {
  const v = queryString(q, name)
  if (v === undefined) return undefined
  return converted(() => Number(goParseInt(v)))
}

/**
 * `ports` of PodPortForwardOptions (Convert_Slice_string_To_Slice_int32): every value, split on
 * commas, each strconv.ParseUint(v, 10, 16); a bad one is 400 `cannot convert to []int32: …`.
 */
export function queryPorts(q: RawQuery | undefined, name = 'ports'): number[] {
  const out: number[] = []
  for (const v of queryValues(q, name)) {
    for (const p of v.split(',')) {
      converted(() => {
        try {
          out.push(Number(goParseUint(p, 16)))
        } catch (err) {
          throw new Error(`cannot convert to []int32: ${(err as Error).message}`)
        }
      })
    }
  }
  return out
}

const durationUnits: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * time.ParseDuration in milliseconds (`300ms`, `1.5h`, `2h45m`, `-1s`, `0`). Throws Go's texts:
 * `time: invalid duration "x"`, `time: missing unit in duration "1"`, `time: unknown unit "d" in duration "1d"`.
 */
export function goParseDuration(s: string): number {
  const quoted = goQuote(s)
  let rest = s
  let sign = 1
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1
    rest = rest.slice(1)
  }
  if (rest === '0') return 0
  if (rest === '') throw new Error(`time: invalid duration ${quoted}`)
  let total = 0
  while (rest !== '') {
    const num = /^([0-9]*)(\.[0-9]*)?/.exec(rest)!
    const whole = num[1]
    const frac = num[2] ?? ''
    if (whole === '' && frac.length <= 1) throw new Error(`time: invalid duration ${quoted}`)
    rest = rest.slice(num[0].length)
    const unit = /^[^0-9.]*/.exec(rest)![0]
    if (unit === '') throw new Error(`time: missing unit in duration ${quoted}`)
    const scale = durationUnits[unit]
    if (scale === undefined) throw new Error(`time: unknown unit ${goQuote(unit)} in duration ${quoted}`)
    rest = rest.slice(unit.length)
    total += Number(`${whole || '0'}${frac === '.' ? '' : frac}`) * scale
  }
  if (total * 1e6 > 2 ** 63) throw new Error(`time: invalid duration ${quoted}`)
  return sign * total
}

/**
 * The `timeout` parameter of a short request (filters/request_deadline.go): a Go duration in
 * milliseconds, undefined when absent or empty; a bad one is 400
 * `invalid timeout specified in the request URL - time: invalid duration "x"`.
 */
export function queryRequestTimeout(q: RawQuery | undefined): number | undefined {
  const v = queryString(q, 'timeout')
  if (v === undefined || v === '') return undefined
  return converted(() => {
    try {
      return goParseDuration(v)
    } catch (err) {
      throw new Error(`invalid timeout specified in the request URL - ${(err as Error).message}`)
    }
  })
}

/**
 * A `*metav1.Time` option (sinceTime): undefined when absent; an empty value is the zero time
 * (undefined too); otherwise RFC 3339 or 400 with time.Parse's message. Milliseconds since the epoch.
 */
export function queryTime(q: RawQuery | undefined, name: string): number | undefined {
  const v = queryString(q, name)
  if (v === undefined || v === '' || v === 'null') return undefined
  const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/
  const ms = rfc3339.test(v) ? Date.parse(v) : NaN
  if (Number.isNaN(ms)) throw StatusError.badRequest(`parsing time ${goQuote(v)} as "2006-01-02T15:04:05Z07:00": cannot parse ${goQuote(v)} as "2006"`)
  return ms
}
