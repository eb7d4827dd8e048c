/**
 * @module ip-address: IPv4/IPv6 address and prefix parsing, canonical text and classification, as
 * Go's net/netip (which the CEL ip and cidr libraries build on).
 */

/** An address as its bytes (4 or 16). */
export type IPBytes = number[]

function parseV4(s: string): IPBytes | undefined {
  const parts = s.split('.')
  if (parts.length !== 4) return undefined
  const out: number[] = []
  for (const p of parts) {
    // netip rejects leading zeros ("010"): they read as octal elsewhere.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined
    out.push(Number(p))
  }
  return out
}

function parseV6(s: string): IPBytes | undefined {
  const halves = s.split('::')
  if (halves.length > 2) return undefined
  const groups = (h: string): number[] | undefined => {
    if (h === '') return []
    const out: number[] = []
    const parts = h.split(':')
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseV4(p)
        if (!v4) return undefined
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3])
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(Number.parseInt(p, 16))
      else return undefined
    }
    return out
  }
  const head = groups(halves[0])
  const tail = halves.length === 2 ? groups(halves[1]) : []
  if (!head || !tail) return undefined
  const missing = 8 - head.length - tail.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined
  const all = [...head, ...Array(halves.length === 2 ? missing : 0).fill(0), ...tail]
  return all.flatMap((g) => [g >> 8, g & 0xff])
}

/** Parses an address; the error is netip's text (`ParseAddr("x"): unable to parse IP`) or upstream CEL's refusals. */
export function parseIP(s: string): { ip: IPBytes } | { error: string } {
  if (s.includes('%')) return { error: 'IP address with zone value is not allowed' }
  const ip = s.includes(':') ? parseV6(s) : parseV4(s)
  if (!ip) return { error: `ParseAddr(${JSON.stringify(s)}): unable to parse IP` }
  if (ip.length === 16 && ip.slice(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff)
    return { error: 'IPv4-mapped IPv6 address is not allowed' }
  return { ip }
}

/** netip.Addr.String(): dotted IPv4, RFC 5952 IPv6 (lower case, the longest zero run as `::`). */
export function formatIP(ip: IPBytes): string {
  if (ip.length === 4) return ip.join('.')
  const g: number[] = []
  for (let i = 0; i < 16; i += 2) g.push((ip[i] << 8) | ip[i + 1])
  let best = -1
  let bestLen = 1
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && g[j] === 0) j++
    if (j - i > bestLen) {
      best = i
      bestLen = j - i
    }
    i = j
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':')
  if (best < 0) return hex(g)
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`
}

/** A prefix: its address as written and its length. */
export interface IPPrefix {
  ip: IPBytes
  bits: number
}

/** netip.ParsePrefix. */
export function parsePrefix(s: string): { prefix: IPPrefix } | { error: string } {
  const slash = s.lastIndexOf('/')
  if (slash < 0) return { error: `netip.ParsePrefix(${JSON.stringify(s)}): no '/'` }
  const addr = parseIP(s.slice(0, slash))
  if ('error' in addr) return { error: `netip.ParsePrefix(${JSON.stringify(s)}): ${addr.error}` }
  const bitsText = s.slice(slash + 1)
  const max = addr.ip.length * 8
  if (!/^(0|[1-9][0-9]*)$/.test(bitsText) || Number(bitsText) > max)
    return { error: `netip.ParsePrefix(${JSON.stringify(s)}): bad bits after slash: ${JSON.stringify(bitsText)}` }
  return { prefix: { ip: addr.ip, bits: Number(bitsText) } }
}

/** The prefix's network address (host bits cleared). */
export function maskIP(ip: IPBytes, bits: number): IPBytes {
  return ip.map((b, i) => {
    const keep = Math.max(0, Math.min(8, bits - i * 8))
    return b & ((0xff << (8 - keep)) & 0xff)
  })
}

/** Whether `prefix` contains address `ip` (same family). */
export function prefixContains(prefix: IPPrefix, ip: IPBytes): boolean {
  if (ip.length !== prefix.ip.length) return false
  const a = maskIP(prefix.ip, prefix.bits)
  const b = maskIP(ip, prefix.bits)
  return a.every((x, i) => x === b[i])
}

/** netip's classifications. */
export const ipClass = {
  unspecified: (ip: IPBytes) => ip.every((b) => b === 0),
  loopback: (ip: IPBytes) => (ip.length === 4 ? ip[0] === 127 : ip.slice(0, 15).every((b) => b === 0) && ip[15] === 1),
  multicast: (ip: IPBytes) => (ip.length === 4 ? (ip[0] & 0xf0) === 0xe0 : ip[0] === 0xff),
  linkLocalMulticast: (ip: IPBytes) => (ip.length === 4 ? ip[0] === 224 && ip[1] === 0 && ip[2] === 0 : ip[0] === 0xff && (ip[1] & 0x0f) === 0x02),
  linkLocalUnicast: (ip: IPBytes) => (ip.length === 4 ? ip[0] === 169 && ip[1] === 254 : ip[0] === 0xfe && (ip[1] & 0xc0) === 0x80),
  globalUnicast: (ip: IPBytes) =>
    !ipClass.unspecified(ip) &&
    !ipClass.loopback(ip) &&
    !ipClass.multicast(ip) &&
    !ipClass.linkLocalUnicast(ip) &&
    !(ip.length === 4 && ip.every((b) => b === 255)),
}
