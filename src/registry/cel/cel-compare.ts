/**
 * @module cel-compare: CEL's ordering and equality over runtime values (numbers across int, uint
 * and double; strings; bools; bytes; lists and maps by element), for the list and quantity
 * libraries that compare values themselves.
 */
import { isCelList, isCelMap, isCelUint, type CelValue } from '@bufbuild/cel'
import { kubeText } from './kube-types.js'

function numeric(v: unknown): number | bigint | undefined {
  if (typeof v === 'bigint' || typeof v === 'number') return v
  if (isCelUint(v)) return v.value
  return undefined
}

/** Seconds and nanos of a google.protobuf Duration or Timestamp value, as one bigint of nanoseconds. */
function timeNanos(v: unknown): bigint | undefined {
  const m = (v as { message?: { $typeName?: string; seconds?: bigint; nanos?: number } }).message
  if (m?.$typeName !== 'google.protobuf.Duration' && m?.$typeName !== 'google.protobuf.Timestamp') return undefined
  return BigInt(m.seconds ?? 0n) * 1_000_000_000n + BigInt(m.nanos ?? 0)
}

/** -1, 0 or 1, or undefined when the two values have no order (different kinds, lists, maps). */
export function celCompare(a: CelValue, b: CelValue): number | undefined {
  const na = numeric(a)
  const nb = numeric(b)
  if (na !== undefined && nb !== undefined) {
    // Mixed int/double compares by value, as CEL's heterogeneous numeric comparison does.
    if (typeof na === 'bigint' && typeof nb === 'bigint') return na < nb ? -1 : na > nb ? 1 : 0
    const x = Number(na)
    const y = Number(nb)
    if (Number.isNaN(x) || Number.isNaN(y)) return undefined
    return x < y ? -1 : x > y ? 1 : 0
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
  }
  const ta = timeNanos(a)
  const tb = timeNanos(b)
  if (ta !== undefined && tb !== undefined) return ta < tb ? -1 : ta > tb ? 1 : 0
  return undefined
}

/** CEL equality: numbers by value across kinds, lists and maps element by element, library values by text. */
export function celEquals(a: CelValue, b: CelValue): boolean {
  if (isCelList(a) && isCelList(b)) {
    if (a.size !== b.size) return false
    for (let i = 0; i < a.size; i++) if (!celEquals(a.get(i) as CelValue, b.get(i) as CelValue)) return false
    return true
  }
  if (isCelMap(a) && isCelMap(b)) {
    if (a.size !== b.size) return false
    for (const [k, v] of a) {
      if (!b.has(k)) return false
      if (!celEquals(v, b.get(k) as CelValue)) return false
    }
    return true
  }
  if (a === null || b === null) return a === b
  const ka = kubeText(a)
  if (ka !== undefined) return ka === kubeText(b)
  return celCompare(a, b) === 0
}
