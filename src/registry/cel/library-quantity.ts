/**
 * @module library-quantity: Kubernetes' CEL quantity library (quantity, isQuantity, sign,
 * isInteger, asInteger, asApproximateFloat, add, sub, isGreaterThan, isLessThan, compareTo) over
 * exact nano-unit arithmetic.
 * https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/cel/library/quantity.go
 */
import { celFunc, celMethod, CelScalar, type CelFunc } from '@bufbuild/cel'
import { formatQuantity, quantity, type Quantity } from '../shared/quantity-format.js'
import { kubeText, kubeTypes, kubeValue } from './kube-types.js'

const { STRING, BOOL, INT, DOUBLE } = CelScalar
const Q = kubeTypes.quantity
const nano = 1_000_000_000n
const maxInt64 = (1n << 63n) - 1n
const minInt64 = -(1n << 63n)

/** resource.ParseQuantity's error for text that is not a quantity. */
const quantityError = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"

/** The quantity a CEL value holds (library values always parse: they were checked when made). */
function q(v: unknown): Quantity {
  const parsed = quantity(kubeText(v, 'quantity') ?? '')
  if (!parsed) throw new Error(quantityError)
  return parsed
}

function make(x: Quantity) {
  return kubeValue('quantity', formatQuantity(x))
}

function cmp(a: Quantity, b: Quantity): bigint {
  return a.nanos < b.nanos ? -1n : a.nanos > b.nanos ? 1n : 0n
}

function fromInt(i: bigint): Quantity {
  return { nanos: i * nano, format: 'DecimalSI' }
}

/** The quantity library's functions. */
export const quantityLibrary: CelFunc[] = [
  celFunc('quantity', [STRING], Q, (s) => {
    if (!quantity(s)) throw new Error(quantityError)
    return kubeValue('quantity', s)
  }),
  celFunc('isQuantity', [STRING], BOOL, (s) => quantity(s) !== undefined),
  celFunc('string', [Q], STRING, (v) => formatQuantity(q(v))),
  celMethod('sign', Q, [], INT, function () {
    return cmp(q(this), { nanos: 0n, format: 'DecimalSI' })
  }),
  celMethod('isInteger', Q, [], BOOL, function () {
    const n = q(this).nanos
    return n % nano === 0n && n / nano <= maxInt64 && n / nano >= minInt64
  }),
  celMethod('asInteger', Q, [], INT, function () {
    const n = q(this).nanos
    if (n % nano !== 0n || n / nano > maxInt64 || n / nano < minInt64) throw new Error('cannot convert value to integer')
    return n / nano
  }),
  celMethod('asApproximateFloat', Q, [], DOUBLE, function () {
    return Number(q(this).nanos) / 1e9
  }),
  celMethod('add', Q, [Q], Q, function (o) {
    const a = q(this)
    return make({ nanos: a.nanos + q(o).nanos, format: a.format })
  }),
  celMethod('add', Q, [INT], Q, function (i) {
    const a = q(this)
    return make({ nanos: a.nanos + fromInt(i).nanos, format: a.format })
  }),
  celMethod('sub', Q, [Q], Q, function (o) {
    const a = q(this)
    return make({ nanos: a.nanos - q(o).nanos, format: a.format })
  }),
  celMethod('sub', Q, [INT], Q, function (i) {
    const a = q(this)
    return make({ nanos: a.nanos - fromInt(i).nanos, format: a.format })
  }),
  celMethod('isGreaterThan', Q, [Q], BOOL, function (o) {
    return cmp(q(this), q(o)) > 0n
  }),
  celMethod('isLessThan', Q, [Q], BOOL, function (o) {
    return cmp(q(this), q(o)) < 0n
  }),
  celMethod('compareTo', Q, [Q], INT, function (o) {
    return cmp(q(this), q(o))
  }),
]
