/** @module pod-ip: per-node pod IP allocation from the node's podCIDR, as the host-local IPAM plugin does. */

function ipToInt(ip: string): number {
  return ip.split('.').reduce((a, o) => a * 256 + Number(o), 0)
}

function intToIP(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.')
}

/**
 * Hands out addresses of one IPv4 CIDR round-robin (host-local continues after the last one it
 * gave, so a replacement pod gets a new IP), skipping the network address, the gateway (.1) and
 * the broadcast address. Owners are pod UIDs; releasing frees the address for a later lap.
 */
export class PodIPAllocator {
  private readonly first: number
  private readonly last: number
  private cursor: number
  private readonly byOwner = new Map<string, number>()
  private readonly used = new Set<number>()

  /** `cidr` like `10.244.1.0/24`; throws on anything else. */
  constructor(cidr: string) {
    const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr)
    if (!m) throw new Error(`pod CIDR must be an IPv4 CIDR like 10.244.1.0/24, got "${cidr}"`)
    const bits = Number(m[2])
    const size = 2 ** (32 - bits)
    const base = ipToInt(m[1]) - (ipToInt(m[1]) % size)
    this.first = base + 2
    this.last = base + size - 2
    this.cursor = this.first
  }

  /** The owner's address: the one it already holds, or the next free one; throws when the range is full. */
  allocate(owner: string): string {
    const held = this.byOwner.get(owner)
    if (held !== undefined) return intToIP(held)
    const span = this.last - this.first + 1
    for (let i = 0; i < span; i++) {
      const ip = this.first + ((this.cursor - this.first + i) % span)
      if (this.used.has(ip)) continue
      this.used.add(ip)
      this.byOwner.set(owner, ip)
      this.cursor = ip + 1 > this.last ? this.first : ip + 1
      return intToIP(ip)
    }
    throw new Error('failed to allocate for range 0: no IP addresses available in range set')
  }

  /** Marks an address as taken by `owner` (addresses found on pods after a restart). */
  reserve(owner: string, ip: string): void {
    if (this.byOwner.has(owner)) return
    const n = ipToInt(ip)
    if (n < this.first || n > this.last) return
    this.used.add(n)
    this.byOwner.set(owner, n)
  }

  /** Frees the owner's address. */
  release(owner: string): void {
    const ip = this.byOwner.get(owner)
    if (ip === undefined) return
    this.byOwner.delete(owner)
    this.used.delete(ip)
  }
}
