/**
 * @module cel-value: JSON values in and out of CEL. In: typed by the OpenAPI schema when there is
 * one (integer → int, number → double, int-or-string, string formats → bytes/duration/timestamp,
 * object properties under their escaped CEL names, additionalProperties → map), as upstream's
 * UnstructuredToVal (k8s.io/apiserver/pkg/cel/common/values.go); without a schema, whole numbers
 * are ints. Out: plain JSON-like values.
 */
import { celType, isCelList, isCelMap, isCelType, isCelUint, type CelInput, type CelValue } from '@bufbuild/cel'
import { create } from '@bufbuild/protobuf'
import { DurationSchema, timestampDate, timestampFromDate, type Duration, type Timestamp } from '@bufbuild/protobuf/wkt'
import { isReflectMessage } from '@bufbuild/protobuf/reflect'
import { escapeCelName } from './cel-escaping.js'
import { kubeText } from './kube-types.js'

/** An OpenAPI v3 schema node as CRDs carry it (only the keys that shape CEL values are read). */
export type CelSchema = Record<string, unknown>

const unitNanos: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }

/** time.ParseDuration: `1h30m`, `-1.5s`, `300ms`; undefined when the text is not a duration. */
export function parseGoDuration(s: string): number | undefined {
  const m = /^([+-]?)((?:[0-9]*\.?[0-9]+(?:ns|us|µs|\u03bcs|ms|s|m|h))+|0)$/.exec(s)
  if (!m) return undefined
  if (m[2] === '0') return 0
  let total = 0
  for (const part of m[2].matchAll(/([0-9]*\.?[0-9]+)(ns|us|µs|\u03bcs|ms|s|m|h)/g)) total += Number(part[1]) * unitNanos[part[2]]
  return m[1] === '-' ? -total : total
}

/** A Duration message for a span of nanoseconds. */
export function durationOfNanos(nanos: number): Duration {
  const big = BigInt(Math.round(nanos))
  return create(DurationSchema, { seconds: big / 1_000_000_000n, nanos: Number(big % 1_000_000_000n) })
}

function schemaType(schema: CelSchema | undefined): string | undefined {
  return typeof schema?.type === 'string' ? schema.type : undefined
}

function asSchema(v: unknown): CelSchema | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as CelSchema) : undefined
}

function numberToCel(n: number, schema: CelSchema | undefined): CelInput {
  const t = schemaType(schema)
  if (t === 'number') return n
  if (Number.isInteger(n) && (t === 'integer' || t === undefined)) return BigInt(n)
  return n
}

function stringToCel(s: string, schema: CelSchema | undefined): CelInput {
  if (schemaType(schema) !== 'string') return s
  switch (schema?.format) {
    case 'byte': {
      const bytes = Buffer.from(s, 'base64')
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)
    }
    case 'duration': {
      const n = parseGoDuration(s)
      return n === undefined ? s : durationOfNanos(n)
    }
    case 'date':
    case 'date-time': {
      const d = new Date(s)
      return Number.isNaN(d.getTime()) ? s : timestampFromDate(d)
    }
  }
  return s
}

/**
 * The CEL value for a JSON value under `schema` (or none). Values already in CEL form (lists, maps,
 * library values) pass through, so activations may mix both. Never mutates `v`.
 */
export function toCelValue(v: unknown, schema?: CelSchema): CelInput {
  if (v === null || v === undefined) return null
  if (typeof v === 'boolean' || typeof v === 'bigint') return v
  if (typeof v === 'number') return numberToCel(v, schema)
  if (typeof v === 'string') return stringToCel(v, schema)
  if (v instanceof Map || v instanceof Uint8Array || isCelList(v) || isCelMap(v) || isCelUint(v) || isCelType(v) || isReflectMessage(v)) return v as CelInput
  if (Array.isArray(v)) {
    const items = asSchema(schema?.items)
    return v.map((x) => toCelValue(x, items))
  }
  if (typeof v === 'object') {
    const props = asSchema(schema?.properties)
    const additional = asSchema(schema?.additionalProperties)
    // A structural object shows only its declared properties (what pruning would leave).
    const closed = props !== undefined && schema?.additionalProperties === undefined && schema?.['x-kubernetes-preserve-unknown-fields'] !== true
    const out = new Map<string, CelInput>()
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (props && Object.hasOwn(props, k)) {
        // A property with a name CEL cannot spell is not accessible, as upstream.
        const name = escapeCelName(k)
        if (name !== undefined) out.set(name, toCelValue(x, asSchema(props[k])))
      } else if (!closed) out.set(k, toCelValue(x, additional))
    }
    return out
  }
  return null
}

/** Go's Duration.String(): `1h30m0s`, `1.5s`, `300ms`, `0s`. */
export function formatGoDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s'
  const neg = nanos < 0n
  let n = neg ? -nanos : nanos
  const sign = neg ? '-' : ''
  if (n < 1_000_000_000n) {
    const [unit, div] = n < 1000n ? ['ns', 1n] : n < 1_000_000n ? ['µs', 1000n] : ['ms', 1_000_000n]
    return `${sign}${fraction(n, div)}${unit}`
  }
  const h = n / 3_600_000_000_000n
  n %= 3_600_000_000_000n
  const m = n / 60_000_000_000n
  n %= 60_000_000_000n
  return `${sign}${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${fraction(n, 1_000_000_000n)}s`
}

function fraction(n: bigint, div: bigint): string {
  const whole = n / div
  const rest = n % div
  if (rest === 0n) return String(whole)
  const digits = String(div).length - 1
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`
}

/** A CEL result as plain JSON-like data: ints become numbers, maps objects, library values their text. */
export function fromCelValue(v: CelValue): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string' || typeof v === 'number') return v
  if (typeof v === 'bigint') return Number(v)
  if (isCelUint(v)) return Number(v.value)
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64')
  if (isCelList(v)) return [...v].map(fromCelValue)
  if (isCelMap(v)) {
    const out: Record<string, unknown> = {}
    for (const [k, x] of v) out[String(isCelUint(k) ? k.value : k)] = fromCelValue(x)
    return out
  }
  if (isCelType(v)) return v.name
  const text = kubeText(v)
  if (text !== undefined) return text
  const msg = (v as { message?: { $typeName?: string } }).message
  if (msg?.$typeName === 'google.protobuf.Duration') {
    const d = msg as Duration
    return formatGoDuration(d.seconds * 1_000_000_000n + BigInt(d.nanos))
  }
  if (msg?.$typeName === 'google.protobuf.Timestamp')
    return timestampDate(msg as Timestamp)
      .toISOString()
      .replace('.000Z', 'Z')
  return String(celType(v))
}
