/** @module random: random identifiers from the operating system's CSPRNG (pooled blocks), and a seeded PRNG for reproducible simulations. */
import { randomFillSync } from 'node:crypto'

/** One randomFillSync call serves this many bytes: a call per 32-byte ID cost more than the rest of a container start. */
const poolSize = 8192
const pool = Buffer.allocUnsafe(poolSize)
let offset = poolSize

/** `bytes` random bytes as lowercase hex (a containerd container ID is 32 bytes: 64 hex digits). */
export function randomHex(bytes: number): string {
  if (bytes > poolSize) return randomFillSync(Buffer.allocUnsafe(bytes)).toString('hex')
  if (offset + bytes > poolSize) {
    randomFillSync(pool)
    offset = 0
  }
  const out = pool.toString('hex', offset, offset + bytes)
  offset += bytes
  return out
}

/** A seeded generator: each call gives the next number in [0, 1); `state` is where it is (see {@link seededRandom}). */
export interface SeededRandom {
  (): number
  /** The generator's 32-bit state: `seededRandom(seed, state)` continues from exactly here. */
  readonly state: number
}

/**
 * A seeded generator of numbers in [0, 1) (mulberry32): the same seed gives the same sequence on
 * every run and platform. A string seed is hashed first (FNV-1a), so `seed: busy` works as well as
 * `seed: 42`. `state` (a generator's earlier `state`) resumes a sequence where it was. Not for secrets.
 */
export function seededRandom(seed: number | string, state?: number): SeededRandom {
  let a = state !== undefined ? state >>> 0 : seedState(seed)
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return Object.defineProperty(next, 'state', { get: () => a }) as SeededRandom
}

/** The 32-bit start state of a seed: a number as it is, a string hashed. */
export function seedState(seed: number | string): number {
  return typeof seed === 'number' ? Math.trunc(seed) >>> 0 : fnv1a(seed)
}

/** 32-bit FNV-1a of a string's UTF-16 code units. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0
  return h
}
