/**
 * @module quantity-format: exact resource.Quantity arithmetic and canonical printing (Quantity.String()
 * of k8s.io/apimachinery/pkg/api/resource), for messages and sums that must read as upstream's.
 */

/** A quantity as an exact count of nano-units plus the format its text was written in. */
export interface Quantity {
  nanos: bigint
  format: 'DecimalSI' | 'BinarySI' | 'DecimalExponent'
}

const binary: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 }
const decimal: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 }
const quantityRe = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?[0-9]+|n|u|m|k|M|G|T|P|E|)$/
const nano = 1_000_000_000n

/** Parses a quantity (string or JSON number), or undefined when it is not one. Sub-nano amounts round up, as Quantity does. */
export function quantity(q: string | number | undefined | null): Quantity | undefined {
  if (q === undefined || q === null) return undefined
  const m = quantityRe.exec(String(q).trim())
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined
  const [, sign, int, frac = '', suffix] = m
  let format: Quantity['format'] = 'DecimalSI'
  let exp10 = 0
  let mult = 1n
  if (suffix in binary) {
    format = 'BinarySI'
    mult = 1024n ** BigInt(binary[suffix])
  } else if (suffix in decimal) exp10 = decimal[suffix]
  else {
    format = 'DecimalExponent'
    exp10 = Number(suffix.slice(1))
  }
  // digits × 10^(exp10 - frac.length) × mult, in nanos (× 10^9), rounded up.
  let n = BigInt(`${int || '0'}${frac}`) * mult
  const shift = exp10 - frac.length + 9
  if (shift >= 0) n *= 10n ** BigInt(shift)
  else {
    const d = 10n ** BigInt(-shift)
    n = (n + d - 1n) / d
  }
  return { nanos: sign === '-' ? -n : n, format }
}

/** Quantity.String(): the canonical text (`1500m`, `1k`, `128Mi`, `2`). */
export function formatQuantity(q: Quantity): string {
  const neg = q.nanos < 0n
  const abs = neg ? -q.nanos : q.nanos
  const sign = neg ? '-' : ''
  if (abs === 0n) return '0'
  if (q.format === 'BinarySI' && abs % nano === 0n && abs >= 1024n * nano) {
    let v = abs / nano
    let i = 0
    const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei']
    while (i < 6 && v % 1024n === 0n) {
      v /= 1024n
      i++
    }
    return `${sign}${v}${suffixes[i]}`
  }
  // Decimal: the largest exponent (a multiple of 3) that leaves an integer mantissa.
  let e = 18
  while (e > -9 && abs % 10n ** BigInt(e + 9) !== 0n) e -= 3
  const mantissa = abs / 10n ** BigInt(e + 9)
  if (q.format === 'DecimalExponent') return `${sign}${mantissa}${e === 0 ? '' : `e${e}`}`
  const suffix = Object.keys(decimal).find((k) => decimal[k] === e) ?? ''
  return `${sign}${mantissa}${suffix}`
}

/** The canonical text of a quantity string; the input itself when it does not parse. */
export function canonicalQuantity(q: string | number): string {
  const p = quantity(q)
  return p ? formatQuantity(p) : String(q)
}

/** a + b (Quantity.Add): a's format, or b's when a is zero. */
export function addQuantity(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format }
}

/** Quantity.MilliValue(): milli-units, rounded up. */
export function milliValue(q: Quantity): bigint {
  const d = 1_000_000n
  return q.nanos >= 0n ? (q.nanos + d - 1n) / d : q.nanos / d
}

/** Quantity.Value(): whole units, rounded up. */
export function unitValue(q: Quantity): bigint {
  return q.nanos >= 0n ? (q.nanos + nano - 1n) / nano : q.nanos / nano
}

/** The zero quantity in DecimalSI. */
export const zeroQuantity: Quantity = { nanos: 0n, format: 'DecimalSI' }
