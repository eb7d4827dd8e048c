/** @module deployment-hash: pod-template-hash and template equality (pkg/controller/controller_utils.go ComputeHash, pkg/controller/deployment/util/deployment_util.go EqualIgnoreHash, apimachinery util/rand SafeEncodeString). */
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js'
import { deepEqual } from '../util/deep-equal.js'
import { canonicalJSON, fnv32a, safeEncodeString } from '../util/hash.js'

/** The label Deployments add to their ReplicaSets, RS selectors, RS templates and pods. */
export const podTemplateHashLabel = 'pod-template-hash'

export { canonicalJSON, fnv32a, safeEncodeString }

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
