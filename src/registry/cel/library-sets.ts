/**
 * @module library-sets: CEL's sets extension (sets.contains, sets.equivalent, sets.intersects),
 * which Kubernetes enables from 1.29.
 * https://github.com/google/cel-go/blob/master/ext/sets.go
 */
import { celFunc, CelScalar, listType, type CelFunc, type CelList, type CelValue } from '@bufbuild/cel'
import { celEquals } from './cel-compare.js'

const { DYN, BOOL } = CelScalar
const LIST = listType(DYN)

function has(list: CelList, x: CelValue): boolean {
  for (const y of list) if (celEquals(x, y)) return true
  return false
}

function containsAll(a: CelList, b: CelList): boolean {
  for (const x of b) if (!has(a, x)) return false
  return true
}

/** The sets extension's functions. */
export const setsLibrary: CelFunc[] = [
  celFunc('sets.contains', [LIST, LIST], BOOL, (a, b) => containsAll(a, b)),
  celFunc('sets.equivalent', [LIST, LIST], BOOL, (a, b) => containsAll(a, b) && containsAll(b, a)),
  celFunc('sets.intersects', [LIST, LIST], BOOL, (a, b) => {
    for (const x of a) if (has(b, x)) return true
    return false
  }),
]
