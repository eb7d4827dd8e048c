/** @module deployment-hash: pod-template-hash and template equality (pkg/controller/controller_utils.go ComputeHash, pkg/controller/deployment/util/deployment_util.go EqualIgnoreHash, apimachinery util/rand SafeEncodeString). */
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js'
import { deepEqual } from '../util/deep-equal.js'

/** The label Deployments add to their ReplicaSets, RS selectors, RS templates and pods. */
export const podTemplateHashLabel = 'pod-template-hash'

/** utilrand's alphabet: no vowels (no words), no 0/1/3 (no confusion). */
const alphanums = 'bcdfghjklmnpqrstvwxz2456789'

/** FNV-1a, 32 bit, over bytes. */
export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0
  for (const b of bytes) {
    h ^= b
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

/** SafeEncodeString: each character mapped through the alphabet by its code modulo 27 (digits → 4…f). */
export function safeEncodeString(s: string): string {
  let out = ''
  for (const ch of s) out += alphanums[ch.codePointAt(0)! % alphanums.length]
  return out
}

/** JSON with object keys sorted, so equal templates print the same text whatever their key order. */
export function canonicalJSON(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null'
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`
  const o = v as Record<string, unknown>
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(o[k])}`).join(',')}}`
}

/**
 * ComputeHash: FNV-32a over the template's printed form, then (when collisionCount is set) the count as
 * a little-endian uint32 padded to 8 bytes, printed in decimal and SafeEncoded.
 *
 * Difference from upstream: Go prints the typed struct with DeepHashObject (a spew-style dump that cannot
 * be reproduced outside Go); we hash the canonical JSON (sorted keys) of the stored, defaulted template.
 * The result has the upstream shape (1–10 chars of 4-9,b,c,d,f) and is deterministic across restarts,
 * but differs from the value a real cluster prints for the same template.
 */
export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJSON(template)))
  if (collisionCount !== undefined && collisionCount !== null) {
    const extra = new Uint8Array(8)
    new DataView(extra.buffer).setUint32(0, collisionCount >>> 0, true)
    h = fnv32a(extra, h)
  }
  return safeEncodeString(String(h))
}

/** Drops nil/empty maps and slices, which apimachinery's semantic DeepEqual treats as equal to absent. */
function semantic(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(semantic) : undefined
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) {
      const s = semantic(x)
      if (s !== undefined && s !== null) out[k] = s
    }
    return Object.keys(out).length ? out : undefined
  }
  return v
}

/** A copy of the template without the pod-template-hash label. */
export function withoutHashLabel(t: PodTemplateSpec | undefined): PodTemplateSpec {
  const copy = JSON.parse(JSON.stringify(t ?? {})) as PodTemplateSpec
  if (copy.metadata?.labels) delete copy.metadata.labels[podTemplateHashLabel]
  return copy
}

/** EqualIgnoreHash: the templates are semantically equal once the pod-template-hash label is removed from both. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return deepEqual(semantic(withoutHashLabel(a)), semantic(withoutHashLabel(b)))
}
