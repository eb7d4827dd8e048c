/** @module arena: the store's serialized versions, packed into large buffers. */

/** What lives in an arena: one version's bytes, which move when its arena is compacted. */
export interface ArenaTenant {
  /** The tenant's bytes now (a view into its arena). */
  readonly line: Buffer
  /** Takes the new view after a compaction copied the bytes there. */
  relocate(view: Buffer, arena: Arena, slot: number): void
}

/** One large buffer, filled front to back. */
export class Arena {
  used = 0
  /** Bytes of the tenants still registered (the current versions). */
  live = 0
  /** Current tenants by slot; a version that stops being current leaves its slot empty. */
  tenants: (ArenaTenant | undefined)[] = []
  constructor(
    readonly buf: Buffer,
    private readonly owner: ArenaAllocator,
  ) {}

  /** `tenant`, in `slot`, is no longer current: its bytes may be left behind. */
  release(tenant: ArenaTenant, slot: number): void {
    if (this.tenants[slot] !== tenant) return
    this.tenants[slot] = undefined
    this.live -= tenant.line.length
    if (this.live === 0) this.owner.retire(this)
  }

  /** `tenant`, in `slot`, is current again (a checkpoint restored it). */
  retain(tenant: ArenaTenant, slot: number): void {
    if (this.tenants[slot] === tenant || slot >= this.tenants.length) return
    this.tenants[slot] = tenant
    this.live += tenant.line.length
  }
}

/**
 * The share of an arena's bytes that must still be current for it to stay where it is. A half,
 * as a copying collector's semispaces give, left the arenas of 300 default clusters booted one
 * after another at 53 % live: a cluster's boot replaces about half the bytes it writes (pods
 * bound, then started; Deployments and ReplicaSets given their status). Three quarters copies
 * three bytes for each byte let go instead of one, a few milliseconds a second at 10 MB/s of writes.
 */
const minLiveShare = 0.75

/**
 * Hands out byte ranges of 1 MiB buffers instead of one ArrayBuffer per version. Every
 * ArrayBuffer has a backing store V8 tracks and sweeps, so at 100,000 pods a per-version
 * allocation cost about 10 µs (most of it in garbage collection), more than serializing the
 * object. A version that stops being current leaves its arena; once less than three quarters of
 * an arena holds current versions ({@link minLiveShare}), they are copied into the active arena,
 * and the old buffer goes when the last view of it (a response still being written) is gone. So
 * memory stays within about 4/3 of the current versions, for about three bytes copied per byte
 * let go.
 */
export class ArenaAllocator {
  /** Opened by the first allocation: a store that holds nothing (the Events one, often) takes no buffer. */
  private active: Arena | undefined
  private sealed = new Set<Arena>()
  private compacting = false
  /** Size of the first arenas (or `arenaSize` when that is smaller). */
  private readonly firstSize: number

  constructor(
    private readonly arenaSize = 1 << 20,
    /** A request at least this large gets a buffer of its own. */
    private readonly ownAbove = 1 << 18,
  ) {
    this.firstSize = Math.min(arenaSize, 1 << 14)
  }

  /**
   * `size` bytes, registered as current in the returned slot: the caller fills them and puts its
   * tenant there ({@link Arena.tenants}). A big request gets its own buffer and no arena.
   */
  allocate(size: number): { view: Buffer; arena: Arena | undefined; slot: number } {
    if (size >= this.ownAbove) return { view: Buffer.allocUnsafeSlow(size), arena: undefined, slot: -1 }
    if (!this.active) this.active = this.open(size)
    else if (this.active.used + size > this.active.buf.length) {
      this.rotate(size)
      // The versions the rotation moved may have filled the new arena: this request gets one with room.
      if (this.active!.used + size > this.active!.buf.length) {
        this.sealed.add(this.active!)
        this.active = this.open(size)
      }
    }
    const a = this.active!
    const view = a.buf.subarray(a.used, a.used + size)
    a.used += size
    a.live += size
    a.tenants.push(undefined)
    return { view, arena: a, slot: a.tenants.length - 1 }
  }

  /**
   * `arena` holds no current version any more: a sealed one is let go at once (a mass delete
   * writes too little to reach the next compaction, and would keep every emptied arena).
   */
  retire(arena: Arena): void {
    if (arena === this.active) return
    this.sealed.delete(arena)
    arena.tenants = []
  }

  /** Bytes of the arenas in use, filled or not (for tests and metrics). */
  capacity(): number {
    let bytes = this.active?.buf.length ?? 0
    for (const a of this.sealed) bytes += a.buf.length
    return bytes
  }

  /** Arenas in use and the bytes of current versions in them (for tests and metrics). */
  stats(): { arenas: number; liveBytes: number; usedBytes: number } {
    let liveBytes = 0
    let usedBytes = 0
    for (const a of this.active ? [...this.sealed, this.active] : this.sealed) {
      liveBytes += a.live
      usedBytes += a.used
    }
    return { arenas: this.sealed.size + (this.active ? 1 : 0), liveBytes, usedBytes }
  }

  /**
   * A new arena with room for at least `size` bytes: a quarter of what the arenas in use hold,
   * from 16 KiB up to `arenaSize`. Growing by a quarter, not by doubling, keeps the unfilled
   * tail of the active arena within a fifth of the store: a default cluster's ~250 KB of
   * versions took 64 + 128 + 256 KiB when each arena was twice the last (300 clusters in a
   * process, 80 MB of it empty), while a store of 100,000 pods reaches 1 MiB arenas after a
   * few megabytes.
   */
  private open(size: number): Arena {
    const want = Math.min(this.arenaSize, Math.max(this.firstSize, Math.ceil(this.capacity() / 4)))
    return new Arena(Buffer.allocUnsafeSlow(Math.max(want, size)), this)
  }

  private rotate(size: number): void {
    this.sealed.add(this.active!)
    this.active = this.open(size)
    if (this.compacting) return
    this.compacting = true
    try {
      const sparse: Arena[] = []
      for (const a of this.sealed) if (a.live < a.used * minLiveShare) sparse.push(a)
      for (const a of sparse) {
        this.sealed.delete(a)
        this.evacuate(a)
      }
    } finally {
      this.compacting = false
    }
  }

  /** Copies the current tenants of `from` into the active arena. */
  private evacuate(from: Arena): void {
    const tenants = from.tenants
    // Nothing keeps the tenants through the old arena from now on.
    from.tenants = []
    from.live = 0
    for (const t of tenants) {
      if (!t) continue
      const old = t.line
      const { view, arena, slot } = this.allocate(old.length)
      old.copy(view)
      ;(arena as Arena).tenants[slot] = t
      t.relocate(view, arena as Arena, slot)
    }
  }
}
