/**
 * @module library-regex: Kubernetes' CEL regex library (`find`, `findAll`), as
 * k8s.io/apiserver/pkg/cel/library/regex.go; patterns are RE2, run here as JavaScript RegExps.
 * https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/cel/library/regex.go
 */
import { celList, celMethod, CelScalar, listType, type CelFunc } from '@bufbuild/cel'

const { STRING, INT } = CelScalar

const cache = new Map<string, RegExp>()

/** Compiles an RE2 pattern; the subset CEL users write (classes, groups, anchors, (?i)) means the same in JavaScript. */
export function compileRegex(pattern: string): RegExp {
  let re = cache.get(pattern)
  if (re) return re
  let source = pattern
  let flags = 'gu'
  // RE2's leading flag group; JavaScript takes flags separately.
  const lead = /^\(\?([imsU]+)\)/.exec(source)
  if (lead) {
    source = source.slice(lead[0].length)
    for (const f of lead[1]) if (f === 'i' || f === 'm' || f === 's') flags += f
  }
  try {
    re = new RegExp(source, flags)
  } catch (e) {
    throw new Error(`error parsing regexp: ${(e as Error).message}`)
  }
  if (cache.size > 500) cache.clear()
  cache.set(pattern, re)
  return re
}

function findAll(s: string, pattern: string, limit: number): string[] {
  if (limit === 0) return []
  const out: string[] = []
  for (const m of s.matchAll(compileRegex(pattern))) {
    out.push(m[0])
    if (limit > 0 && out.length >= limit) break
  }
  return out
}

/** The regex library's functions. */
export const regexLibrary: CelFunc[] = [
  celMethod('find', STRING, [STRING], STRING, function (pattern) {
    return findAll(this, pattern, 1)[0] ?? ''
  }),
  celMethod('findAll', STRING, [STRING], listType(STRING), function (pattern) {
    return celList(findAll(this, pattern, -1))
  }),
  celMethod('findAll', STRING, [STRING, INT], listType(STRING), function (pattern, limit) {
    return celList(findAll(this, pattern, Number(limit)))
  }),
]
