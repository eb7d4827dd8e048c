/**
 * @module library-optional: CEL optional values as functions (`optional.of(x)`, `optional.none()`,
 * `optional.ofNonZeroValue(x)`, `.hasValue()`, `.value()`, `.orValue(y)`), which `optionalOldSelf`
 * rules need for `oldSelf`. The `?.`/`[?` syntax is not available: @bufbuild/cel's parser lacks it.
 */
import { celFunc, celMethod, CelScalar, isCelList, isCelMap, type CelFunc, type CelValue } from '@bufbuild/cel'
import type { ReflectMessage } from '@bufbuild/protobuf/reflect'
import { kubeText, kubeTypes, kubeValue } from './kube-types.js'

const { DYN, BOOL } = CelScalar
const OPT = kubeTypes.optional

/** The value each optional holds; a library value carries only text, so the payload lives beside it. */
const payloads = new WeakMap<object, CelValue>()

/** An optional holding `v`. */
export function optionalOf(v: CelValue): ReflectMessage {
  const m = kubeValue('optional', 'some')
  payloads.set(m, v)
  return m
}

/** The empty optional. */
export function optionalNone(): ReflectMessage {
  return kubeValue('optional', 'none')
}

function payload(v: unknown): CelValue | undefined {
  return kubeText(v, 'optional') === 'some' ? payloads.get(v as object) : undefined
}

function isZero(v: CelValue): boolean {
  if (v === null || v === false || v === '' || v === 0 || v === 0n) return true
  if (v instanceof Uint8Array) return v.length === 0
  if (isCelList(v) || isCelMap(v)) return v.size === 0
  return false
}

/** The optional library's functions. */
export const optionalLibrary: CelFunc[] = [
  celFunc('optional.of', [DYN], OPT, (v) => optionalOf(v)),
  celFunc('optional.none', [], OPT, () => optionalNone()),
  celFunc('optional.ofNonZeroValue', [DYN], OPT, (v) => (isZero(v) ? optionalNone() : optionalOf(v))),
  celMethod('hasValue', OPT, [], BOOL, function () {
    return payload(this) !== undefined
  }),
  celMethod('value', OPT, [], DYN, function () {
    const v = payload(this)
    if (v === undefined) throw new Error('optional.none() dereference')
    return v
  }),
  celMethod('orValue', OPT, [DYN], DYN, function (other) {
    return payload(this) ?? other
  }),
]
