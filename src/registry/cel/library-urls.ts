/**
 * @module library-urls: Kubernetes' CEL URL library (url, isURL, getScheme, getHost, getHostname,
 * getPort, getEscapedPath, getQuery), parsing as Go's url.ParseRequestURI does.
 * https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/cel/library/urls.go
 */
import { celFunc, celList, celMap, celMethod, CelScalar, listType, mapType, type CelFunc } from '@bufbuild/cel'
import { kubeText, kubeTypes, kubeValue } from './kube-types.js'

const { STRING, BOOL } = CelScalar
const URL_T = kubeTypes.url

/** The parts of a request URI, as net/url.URL holds them. */
export interface ParsedURL {
  scheme: string
  opaque: string
  host: string
  path: string
  rawQuery: string
}

/** url.ParseRequestURI: an absolute URI or an absolute path; throws Go's error text. */
export function parseRequestURI(raw: string): ParsedURL {
  const fail = (why: string): never => {
    throw new Error(`parse ${JSON.stringify(raw)}: ${why}`)
  }
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i)
    if (c < 0x20 || c === 0x7f) fail('net/url: invalid control character in URL')
  }
  let rest = raw
  let scheme = ''
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest)
  if (m) {
    scheme = m[1].toLowerCase()
    rest = rest.slice(m[0].length)
  } else if (!rest.startsWith('/')) fail('invalid URI for request')
  let rawQuery = ''
  const q = rest.indexOf('?')
  if (q >= 0) {
    rawQuery = rest.slice(q + 1)
    rest = rest.slice(0, q)
  }
  if (scheme && !rest.startsWith('/')) return { scheme, opaque: rest, host: '', path: '', rawQuery }
  let host = ''
  if (scheme && rest.startsWith('//')) {
    const end = rest.indexOf('/', 2)
    let authority = end < 0 ? rest.slice(2) : rest.slice(2, end)
    rest = end < 0 ? '' : rest.slice(end)
    const at = authority.lastIndexOf('@')
    if (at >= 0) authority = authority.slice(at + 1)
    if (authority.startsWith('[') && !authority.includes(']')) fail("missing ']' in host")
    host = authority
  }
  let path: string
  try {
    path = decodeURIComponent(rest)
  } catch {
    return fail(`invalid URL escape ${JSON.stringify(rest.slice(rest.indexOf('%'), rest.indexOf('%') + 3))}`)
  }
  return { scheme, opaque: '', host, path, rawQuery }
}

function parsed(v: unknown): ParsedURL {
  return parseRequestURI(kubeText(v, 'url') ?? '')
}

/** u.Hostname(): the host without port and IPv6 brackets. */
function hostname(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'))
  const colon = host.lastIndexOf(':')
  return colon >= 0 ? host.slice(0, colon) : host
}

/** u.Port(): the digits after the host's last colon, or "". */
function port(host: string): string {
  const close = host.lastIndexOf(']')
  const colon = host.lastIndexOf(':')
  if (colon < 0 || colon < close) return ''
  const p = host.slice(colon + 1)
  return /^[0-9]*$/.test(p) ? p : ''
}

/** u.EscapedPath(): the path with the characters that need it percent-encoded. */
function escapedPath(path: string): string {
  return encodeURI(path).replace(/%5B/g, '[').replace(/%5D/g, ']')
}

/** u.Query(): each key's values, in order; keys and values are form-decoded. */
function query(rawQuery: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  if (!rawQuery) return out
  for (const part of rawQuery.split('&')) {
    if (!part || part.includes(';')) continue
    const eq = part.indexOf('=')
    const dec = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '))
      } catch {
        return undefined
      }
    }
    const k = dec(eq < 0 ? part : part.slice(0, eq))
    const v = dec(eq < 0 ? '' : part.slice(eq + 1))
    if (k === undefined || v === undefined) continue
    out.set(k, [...(out.get(k) ?? []), v])
  }
  return out
}

/** The URL library's functions. */
export const urlsLibrary: CelFunc[] = [
  celFunc('url', [STRING], URL_T, (s) => {
    try {
      parseRequestURI(s)
    } catch (e) {
      throw new Error(`URL parse error during conversion from string: ${(e as Error).message}`)
    }
    return kubeValue('url', s)
  }),
  celFunc('isURL', [STRING], BOOL, (s) => {
    try {
      parseRequestURI(s)
      return true
    } catch {
      return false
    }
  }),
  celFunc('string', [URL_T], STRING, (u) => kubeText(u, 'url') ?? ''),
  celMethod('getScheme', URL_T, [], STRING, function () {
    return parsed(this).scheme
  }),
  celMethod('getHost', URL_T, [], STRING, function () {
    return parsed(this).host
  }),
  celMethod('getHostname', URL_T, [], STRING, function () {
    return hostname(parsed(this).host)
  }),
  celMethod('getPort', URL_T, [], STRING, function () {
    return port(parsed(this).host)
  }),
  celMethod('getEscapedPath', URL_T, [], STRING, function () {
    return escapedPath(parsed(this).path)
  }),
  celMethod('getQuery', URL_T, [], mapType(STRING, listType(STRING)), function () {
    const m = new Map<string, ReturnType<typeof celList>>()
    for (const [k, vs] of query(parsed(this).rawQuery)) m.set(k, celList(vs))
    return celMap(m)
  }),
]
