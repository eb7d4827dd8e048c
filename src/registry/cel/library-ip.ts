/**
 * @module library-ip: Kubernetes' CEL ip and cidr libraries (ip, isIP, ip.isCanonical, family,
 * isLoopback, …; cidr, isCIDR, containsIP, containsCIDR, ip, masked, prefixLength).
 * https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/cel/library/ip.go
 * https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/cel/library/cidr.go
 */
import { celFunc, celMethod, CelScalar, type CelFunc } from '@bufbuild/cel'
import { formatIP, ipClass, maskIP, parseIP, parsePrefix, prefixContains, type IPBytes, type IPPrefix } from './ip-address.js'
import { kubeText, kubeTypes, kubeValue } from './kube-types.js'

const { STRING, BOOL, INT } = CelScalar
const IP = kubeTypes.ip
const CIDR = kubeTypes.cidr

function ipOf(s: string): IPBytes {
  const r = parseIP(s)
  if ('error' in r) throw new Error(`IP Address ${JSON.stringify(s)} parse error during conversion from string: ${r.error}`)
  return r.ip
}

function cidrOf(s: string): IPPrefix {
  const r = parsePrefix(s)
  if ('error' in r) throw new Error(`network address ${JSON.stringify(s)} parse error during conversion from string: ${r.error}`)
  return r.prefix
}

const ipBytes = (v: unknown) => ipOf(kubeText(v, 'ip') ?? '')
const prefix = (v: unknown) => cidrOf(kubeText(v, 'cidr') ?? '')
const makeIP = (ip: IPBytes) => kubeValue('ip', formatIP(ip))
const makeCIDR = (p: IPPrefix) => kubeValue('cidr', `${formatIP(p.ip)}/${p.bits}`)

function containsCIDR(outer: IPPrefix, inner: IPPrefix): boolean {
  return outer.ip.length === inner.ip.length && inner.bits >= outer.bits && prefixContains(outer, inner.ip)
}

const classify = (name: string, test: (ip: IPBytes) => boolean) =>
  celMethod(name, IP, [], BOOL, function () {
    return test(ipBytes(this))
  })

/** The ip and cidr libraries' functions. */
export const ipLibrary: CelFunc[] = [
  celFunc('ip', [STRING], IP, (s) => makeIP(ipOf(s))),
  celFunc('isIP', [STRING], BOOL, (s) => 'ip' in parseIP(s)),
  celFunc('ip.isCanonical', [STRING], BOOL, (s) => formatIP(ipOf(s)) === s),
  celFunc('string', [IP], STRING, (v) => formatIP(ipBytes(v))),
  celMethod('family', IP, [], INT, function () {
    return ipBytes(this).length === 4 ? 4n : 6n
  }),
  classify('isUnspecified', ipClass.unspecified),
  classify('isLoopback', ipClass.loopback),
  classify('isLinkLocalMulticast', ipClass.linkLocalMulticast),
  classify('isLinkLocalUnicast', ipClass.linkLocalUnicast),
  classify('isGlobalUnicast', ipClass.globalUnicast),
  celFunc('cidr', [STRING], CIDR, (s) => makeCIDR(cidrOf(s))),
  celFunc('isCIDR', [STRING], BOOL, (s) => 'prefix' in parsePrefix(s)),
  celFunc('string', [CIDR], STRING, (v) => {
    const p = prefix(v)
    return `${formatIP(p.ip)}/${p.bits}`
  }),
  celMethod('containsIP', CIDR, [IP], BOOL, function (ip) {
    return prefixContains(prefix(this), ipBytes(ip))
  }),
  celMethod('containsIP', CIDR, [STRING], BOOL, function (s) {
    return prefixContains(prefix(this), ipOf(s))
  }),
  celMethod('containsCIDR', CIDR, [CIDR], BOOL, function (c) {
    return containsCIDR(prefix(this), prefix(c))
  }),
  celMethod('containsCIDR', CIDR, [STRING], BOOL, function (s) {
    return containsCIDR(prefix(this), cidrOf(s))
  }),
  celMethod('ip', CIDR, [], IP, function () {
    return makeIP(prefix(this).ip)
  }),
  celMethod('masked', CIDR, [], CIDR, function () {
    const p = prefix(this)
    return makeCIDR({ ip: maskIP(p.ip, p.bits), bits: p.bits })
  }),
  celMethod('prefixLength', CIDR, [], INT, function () {
    return BigInt(prefix(this).bits)
  }),
]
