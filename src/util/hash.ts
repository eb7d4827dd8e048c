/** @module hash: the hashing helpers Kubernetes controllers name things with (FNV-32, SafeEncodeString, canonical JSON). */

/** utilrand's alphabet: no vowels (no words), no 0/1/3 (no confusion). */
const alphanums = 'bcdfghjklmnpqrstvwxz2456789'

/** rand.SafeEncodeString: each character mapped through the alphabet by its code modulo 27. */
export function safeEncodeString(s: string): string {
  let out = ''
  for (const ch of s) out += alphanums[ch.codePointAt(0)! % alphanums.length]
  return out
}

/** FNV-1a, 32 bit, over bytes (hash/fnv New32a); `seed` continues an earlier hash. */
export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0
  for (const b of bytes) {
    h ^= b
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

/** FNV-1 (New32, as HashControllerRevision uses) or FNV-1a (New32a) over a string's UTF-8 bytes. */
export function fnv32(text: string, variant: '1' | '1a' = '1a'): number {
  const bytes = Buffer.from(text, 'utf8')
  if (variant === '1a') return fnv32a(bytes)
  let h = 0x811c9dc5
  for (const b of bytes) {
    h = Math.imul(h, 0x01000193) >>> 0
    h ^= b
  }
  return h >>> 0
}

/** JSON with object keys sorted at every level (as Go marshals a map), so equal values print the same text. */
export function canonicalJSON(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null'
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`
  const o = v as Record<string, unknown>
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(o[k])}`).join(',')}}`
}
