/**
 * @module formats: the string formats custom resources are validated against, as the
 * apiextensions validator restricts kube-openapi's strfmt registry
 * (apiextensions-apiserver/pkg/apiserver/validation/formats.go, kube-openapi/pkg/validation/strfmt).
 */
import { isIP, isIPv6 } from 'node:net'

/** Formats supported for `type: string` (or no type) at 1.32, names without dashes as go-openapi normalises them. */
const supportedStringFormats = new Set([
  'bsonobjectid',
  'uri',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'cidr',
  'mac',
  'uuid',
  'uuid3',
  'uuid4',
  'uuid5',
  'isbn',
  'isbn10',
  'isbn13',
  'creditcard',
  'ssn',
  'hexcolor',
  'rgbcolor',
  'byte',
  'password',
  'date',
  'duration',
  'datetime',
])

/**
 * StripUnsupportedFormatsPostProcess: the format a schema keeps, '' when the validator ignores
 * it (int32/int64 for integers, float/double for numbers, the list above for strings).
 */
export function supportedFormat(type: string, format: string): string {
  if (!format) return ''
  switch (type) {
    case '':
    case 'string':
      return supportedStringFormats.has(format.replaceAll('-', '')) ? format : ''
    case 'integer':
      return format === 'int32' || format === 'int64' ? format : ''
    case 'number':
      return format === 'float' || format === 'double' ? format : ''
    default:
      return ''
  }
}

const hostnameRe =
  /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u
const uuidRe = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i
const uuid3Re = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i
const uuid4Re = /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i
const uuid5Re = /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i
const macRe =
  /^(?:[0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){5}|[0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){7}|[0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){19}|[0-9a-fA-F]{4}(?:\.[0-9a-fA-F]{4}){2,9})$/
const base64Re = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/
const emailRe = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/
const dateTimeTimeRe = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/
const hexColorRe = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/
const rgbColorRe = /^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$/
const ssnRe = /^\d{3}[- ]?\d{2}[- ]?\d{4}$/
const bsonRe = /^[0-9a-fA-F]{24}$/
const durationUnits = [
  ['ns', 'nano'],
  ['us', 'µs', 'micro'],
  ['ms', 'milli'],
  ['s', 'sec'],
  ['m', 'min'],
  ['h', 'hr', 'hour'],
  ['d', 'day'],
  ['w', 'wk', 'week'],
]

/** time.ParseDuration's grammar: `[-+]` then one or more `<decimal><unit>`, or `0`. */
function isGoDuration(s: string): boolean {
  return s === '0' || s === '+0' || s === '-0' || /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|\u03bcs|ms|s|m|h))+$/.test(s)
}

/** strfmt.ParseDuration: Go's syntax, else `<n> <unit>` groups in the Scala-like long form. */
function isDuration(s: string): boolean {
  if (isGoDuration(s)) return true
  let ok = false
  for (const m of s.matchAll(/((\d+)\s*([A-Za-zµ]+))/g)) {
    const unit = m[3].trim().toLowerCase()
    const known = durationUnits.some((variants) => variants.some((v, i) => (i === variants.length - 1 && unit.startsWith(v)) || v === unit))
    if (!known) return false
    ok = true
  }
  return ok
}

/** time.Parse("2006-01-02"): a real calendar date. */
function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (mo < 1 || mo > 12 || d < 1) return false
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate()
  return d <= days
}

/** strfmt.IsDateTime: a full-date, `T`, then hh:mm:ss[.frac](z|±hh:mm), case-insensitive. */
function isDateTime(s: string): boolean {
  if (s.length < 20) return false
  const parts = s.toLowerCase().split('t')
  if (parts.length !== 2 || !isDate(parts[0])) return false
  const m = dateTimeTimeRe.exec(parts[1])
  return !!m && m[1] <= '23' && m[2] <= '59' && m[3] <= '59'
}

/** netutils.ParseIPSloppy plus a dot: IPv4, leading zeros allowed. */
function isIPv4(s: string): boolean {
  const parts = s.split('.')
  if (parts.length !== 4) return isIPv6(s) && s.includes('.')
  return parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)
}

/** netutils.ParseCIDRSloppy. */
function isCIDR(s: string): boolean {
  const i = s.indexOf('/')
  if (i < 0) return false
  const ip = s.slice(0, i)
  const bits = s.slice(i + 1)
  if (!/^\d{1,3}$/.test(bits)) return false
  if (isIPv4(ip) && !ip.includes(':')) return Number(bits) <= 32
  return isIP(ip) === 6 && Number(bits) <= 128
}

/** govalidator.IsRequestURI: url.ParseRequestURI accepts absolute URIs and absolute paths. */
function isRequestURI(s: string): boolean {
  if (s.startsWith('/')) return !/\s/.test(s)
  try {
    const u = new URL(s)
    return !!u.protocol && !/\s/.test(s)
  } catch {
    return false
  }
}

function isISBN10(s: string): boolean {
  const d = s.replace(/[\s-]/g, '')
  if (!/^\d{9}[\dX]$/.test(d)) return false
  let sum = 0
  for (let i = 0; i < 10; i++) sum += (i + 1) * (d[i] === 'X' ? 10 : Number(d[i]))
  return sum % 11 === 0
}

function isISBN13(s: string): boolean {
  const d = s.replace(/[\s-]/g, '')
  if (!/^\d{13}$/.test(d)) return false
  let sum = 0
  for (let i = 0; i < 12; i++) sum += Number(d[i]) * (i % 2 ? 3 : 1)
  return (10 - (sum % 10)) % 10 === Number(d[12])
}

function isCreditCard(s: string): boolean {
  const d = s.replace(/[^0-9]/g, '')
  if (
    !/^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|(222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720)[0-9]{12}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11}|6[27][0-9]{14})$/.test(
      d,
    )
  )
    return false
  let sum = 0
  let alt = false
  for (let i = d.length - 1; i >= 0; i--) {
    let n = Number(d[i])
    if (alt) {
      n *= 2
      if (n > 9) n -= 9
    }
    sum += n
    alt = !alt
  }
  return sum % 10 === 0
}

function isHostname(s: string): boolean {
  return hostnameRe.test(s) && s.length <= 255 && s.split('.').every((p) => p.length <= 63)
}

const checkers: Record<string, (s: string) => boolean> = {
  bsonobjectid: (s) => bsonRe.test(s),
  uri: isRequestURI,
  email: (s) => emailRe.test(s.trim().replace(/^.*<(.*)>$/, '$1')),
  hostname: isHostname,
  ipv4: isIPv4,
  ipv6: (s) => isIP(s) !== 0,
  cidr: isCIDR,
  mac: (s) => macRe.test(s),
  uuid: (s) => uuidRe.test(s),
  uuid3: (s) => uuid3Re.test(s),
  uuid4: (s) => uuid4Re.test(s),
  uuid5: (s) => uuid5Re.test(s),
  isbn: (s) => isISBN10(s) || isISBN13(s),
  isbn10: isISBN10,
  isbn13: isISBN13,
  creditcard: isCreditCard,
  ssn: (s) => ssnRe.test(s),
  hexcolor: (s) => hexColorRe.test(s),
  rgbcolor: (s) => rgbColorRe.test(s),
  byte: (s) => base64Re.test(s),
  password: () => true,
  date: isDate,
  duration: isDuration,
  datetime: isDateTime,
}

/** True when strfmt.Default knows `format` (go-openapi normalises away dashes: date-time → datetime). */
export function isKnownFormat(format: string): boolean {
  return format.replaceAll('-', '') in checkers
}

/** strfmt.Default.Validates: does `value` have `format`? Unknown formats pass. */
export function checkFormat(format: string, value: string): boolean {
  const fn = checkers[format.replaceAll('-', '')]
  return fn ? fn(value) : true
}
