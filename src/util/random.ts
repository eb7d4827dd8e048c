/** @module random: random identifiers, drawn from the operating system's CSPRNG in pooled blocks. */
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
