/**
 * @module library-lists: Kubernetes' CEL list library (isSorted, sum, min, max, indexOf,
 * lastIndexOf), as k8s.io/apiserver/pkg/cel/library/lists.go.
 * https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/cel/library/lists.go
 */
import { celMethod, CelScalar, listType, type CelFunc, type CelList, type CelValue } from '@bufbuild/cel'
import { celCompare, celEquals } from './cel-compare.js'

const { DYN, BOOL, INT } = CelScalar
const LIST = listType(DYN)

function compareOrThrow(a: CelValue, b: CelValue): number {
  const c = celCompare(a, b)
  if (c === undefined) throw new Error('no such overload')
  return c
}

function extreme(list: CelList, name: 'min' | 'max'): CelValue {
  if (list.size === 0) throw new Error(`${name} called on empty list`)
  let best = list.get(0) as CelValue
  for (const v of list) {
    const c = compareOrThrow(v, best)
    if ((name === 'min' && c < 0) || (name === 'max' && c > 0)) best = v
  }
  return best
}

function sum(list: CelList): CelValue {
  let acc: CelValue = 0n
  let first = true
  for (const v of list) {
    if (first) acc = v
    else if (typeof acc === 'bigint' && typeof v === 'bigint') acc = acc + v
    else if (typeof acc === 'number' && typeof v === 'number') acc = acc + v
    else throw new Error('no such overload')
    first = false
  }
  if (!first && typeof acc !== 'bigint' && typeof acc !== 'number') throw new Error('no such overload')
  return acc
}

function indexOf(list: CelList, x: CelValue, last: boolean): bigint {
  let found = -1
  for (let i = 0; i < list.size; i++) {
    if (celEquals(list.get(i) as CelValue, x)) {
      found = i
      if (!last) break
    }
  }
  return BigInt(found)
}

/** The list library's functions. */
export const listsLibrary: CelFunc[] = [
  celMethod('isSorted', LIST, [], BOOL, function () {
    for (let i = 1; i < this.size; i++) if (compareOrThrow(this.get(i - 1) as CelValue, this.get(i) as CelValue) > 0) return false
    return true
  }),
  celMethod('sum', LIST, [], DYN, function () {
    return sum(this)
  }),
  celMethod('min', LIST, [], DYN, function () {
    return extreme(this, 'min')
  }),
  celMethod('max', LIST, [], DYN, function () {
    return extreme(this, 'max')
  }),
  celMethod('indexOf', LIST, [DYN], INT, function (x) {
    return indexOf(this, x, false)
  }),
  celMethod('lastIndexOf', LIST, [DYN], INT, function (x) {
    return indexOf(this, x, true)
  }),
]
