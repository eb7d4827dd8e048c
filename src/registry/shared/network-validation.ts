/**
 * @module network-validation: the path-segment, wildcard-DNS, IP and CIDR validators of
 * k8s.io/apimachinery/pkg/api/validation/path and pkg/util/validation, with upstream's messages.
 */
import { isIP } from 'node:net'
import type { FieldError } from '../../types.js'
import { invalid } from './field-errors.js'
import { maxLenError, regexError } from './validation.js'

/** path.IsValidPathSegmentName: names that can be a URL path segment. */
export function isValidPathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`]
  const errs: string[] = []
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`)
  return errs
}

const wildcardFmt = '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'
const wildcardRe = new RegExp(`^${wildcardFmt}$`)

/** IsWildcardDNS1123Subdomain: `*.` followed by a DNS subdomain. */
export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = []
  if (value.length > 253) errs.push(maxLenError(253))
  if (!wildcardRe.test(value))
    errs.push(
      regexError(
        "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
        wildcardFmt,
        '*.example.com',
      ),
    )
  return errs
}

/** netutils.ParseIPSloppy succeeds (leading zeros in IPv4 octets are accepted). */
export function isIPAddress(s: string): boolean {
  if (isIP(s)) return true
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s) && s.split('.').every((o) => Number(o) <= 255)
}

/** validation.IsValidIP. */
export function validateIP(path: string, value: string): FieldError[] {
  return isIPAddress(value) ? [] : [invalid(path, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')]
}

/** A parsed CIDR: address family, prefix length and the network address as a bigint. */
export interface ParsedCIDR {
  bits: 32 | 128
  prefix: number
  network: bigint
}

function ipToBigInt(ip: string): bigint {
  if (isIP(ip) === 4 || /^\d+(\.\d+){3}$/.test(ip)) return ip.split('.').reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n)
  const [head, tail = ''] = ip.split('::')
  const h = head ? head.split(':') : []
  const t = ip.includes('::') ? (tail ? tail.split(':') : []) : []
  const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h
  return groups.reduce((a, g) => (a << 16n) | BigInt(Number.parseInt(g || '0', 16)), 0n)
}

/** netutils.ParseCIDRSloppy, or undefined when `s` is not a CIDR. */
export function parseCIDR(s: string): ParsedCIDR | undefined {
  const slash = s.indexOf('/')
  if (slash < 0) return undefined
  const ip = s.slice(0, slash)
  const p = s.slice(slash + 1)
  if (!isIPAddress(ip) || !/^\d+$/.test(p)) return undefined
  const bits = ip.includes(':') ? 128 : 32
  const prefix = Number(p)
  if (prefix > bits) return undefined
  const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n)
  return { bits, prefix, network: ipToBigInt(ip) & mask }
}

/** validation.IsValidCIDR. */
export function validateCIDR(path: string, value: string): FieldError[] {
  return parseCIDR(value) ? [] : [invalid(path, value, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')]
}

/** Whether `inner` lies inside `outer` (same family, network address within outer's range). */
export function cidrContains(outer: ParsedCIDR, inner: ParsedCIDR): boolean {
  if (outer.bits !== inner.bits) return false
  const shift = BigInt(outer.bits - outer.prefix)
  return inner.network >> shift === outer.network >> shift
}
