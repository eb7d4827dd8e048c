/** @module request-context: what one resource request addresses, parsed from its path and query. */
import { StatusError } from '../errors.js'
import type { Registry } from '../registry/registry.js'
import type { ResourceStore } from '../registry/generic-registry.js'
import { notFoundResource } from './errors.js'

/** A parsed `/api/v1/...` or `/apis/<g>/<v>/...` path. */
export type Target =
  | { type: 'root'; core: boolean }
  | { type: 'group'; group: string }
  | { type: 'groupVersion'; group: string; version: string }
  | {
      type: 'resource'
      rs: ResourceStore
      /** Namespace from the path ('' for cluster-scoped or all-namespaces requests). */
      namespace: string
      name?: string
      subresource?: string
      /** Remainder after a proxy subresource (`pods/x/proxy/<subpath>`). */
      subpath?: string
      /** The deprecated `/watch/` path prefix. */
      watchPrefix: boolean
    }

/** Splits a path into decoded segments. */
function segments(path: string): string[] {
  const out: string[] = []
  // A scan rather than split('/'): split runs in V8's runtime, and this is on every request.
  for (let i = 0; i < path.length; ) {
    let end = path.indexOf('/', i)
    if (end < 0) end = path.length
    const s = path.slice(i, end)
    i = end + 1
    if (s.length === 0) continue
    if (!s.includes('%')) out.push(s)
    else {
      try {
        out.push(decodeURIComponent(s))
      } catch {
        throw StatusError.badRequest(`invalid path segment: ${s}`)
      }
    }
  }
  return out
}

/**
 * Resolves a request path against the registry. Unknown resources are the generic 404
 * ("the server could not find the requested resource").
 */
export function parseTarget(registry: Registry, pathname: string, servesGroupVersion: (g: string, v: string) => boolean): Target {
  const seg = segments(pathname)
  let group: string
  let version: string
  let rest: string[]
  if (seg[0] === 'api') {
    if (seg.length === 1) return { type: 'root', core: true }
    group = ''
    version = seg[1]
    rest = seg.slice(2)
  } else if (seg[0] === 'apis') {
    if (seg.length === 1) return { type: 'root', core: false }
    if (seg.length === 2) return { type: 'group', group: seg[1] }
    group = seg[1]
    version = seg[2]
    rest = seg.slice(3)
  } else {
    throw notFoundResource()
  }
  if (!servesGroupVersion(group, version)) throw notFoundResource()
  if (rest.length === 0) return { type: 'groupVersion', group, version }
  let watchPrefix = false
  if (rest[0] === 'watch') {
    watchPrefix = true
    rest = rest.slice(1)
  }
  const find = (plural: string) => registry.findVersion(group, version, plural)
  // /namespaces/<ns>/<plural>/... is a namespaced resource; /namespaces/<name>[/<sub>] is the namespace itself.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const nsd = find(rest[2])
    if (nsd?.def.namespaced) {
      return {
        type: 'resource',
        rs: nsd,
        namespace: rest[1],
        name: rest[3],
        subresource: rest[4],
        subpath: rest.length > 5 ? rest.slice(5).join('/') : undefined,
        watchPrefix,
      }
    }
  }
  const rs = find(rest[0])
  if (!rs) throw notFoundResource()
  if (rs.def.namespaced && rest.length > 1) throw notFoundResource()
  return {
    type: 'resource',
    rs,
    namespace: '',
    name: rest[1],
    subresource: rest[2],
    subpath: rest.length > 3 ? rest.slice(3).join('/') : undefined,
    watchPrefix,
  }
}
