/**
 * @module program-usage: how what a container's program does changes its usage (a busy loop
 * takes a core, `stress --vm-bytes 250M` holds 250M), as data read from its command line.
 */
import { parseQuantity } from '../../registry/shared/quantity.js'

/** What a program adds to (or replaces in) the image's idle usage. */
export interface ProgramUsage {
  /** Cores the program keeps busy (a spinning loop: 1). */
  busyCores?: number
  /** Bytes the program allocates and holds. */
  heldBytes?: number
}

/** A busy shell loop: `while true; do …; done` (or `while :`) whose body never sleeps or blocks. */
const busyLoop = /\bwhile\s+(?:true|:|\[\s*1\s*\])\s*;?\s*do\b([\s\S]*?)\bdone\b/
/** Commands that spin a core each: `yes`, `dd if=/dev/zero of=/dev/null`, `sha1sum /dev/zero`, `md5sum /dev/zero`. */
const spinners = [/(?:^|[\s;&|(])yes(?:\s|$|>)/, /\bdd\s+if=\/dev\/(?:zero|urandom)\s+of=\/dev\/null\b/, /\b(?:sha1sum|md5sum|sha256sum)\s+\/dev\/zero\b/]
/** A body that waits instead of spinning. */
const blocking = /\b(?:sleep|read|wait|nc|tail\s+-f|wget|curl)\b/

/**
 * The usage the program of a container line (`command` + `args`, joined by spaces) adds. Knows
 * `stress` (polinux/stress, progrium/stress: `--cpu N`, `--vm N --vm-bytes B`) and busy shell
 * loops. Pure.
 */
export function programUsage(commandLine: string): ProgramUsage {
  const out: ProgramUsage = {}
  if (/\bstress(?:-ng)?\b/.test(commandLine)) {
    const cpu = /--cpu\s+(\d+)/.exec(commandLine)
    if (cpu) out.busyCores = Number(cpu[1])
    const vm = /--vm\s+(\d+)/.exec(commandLine)
    if (vm) {
      // Each worker allocates --vm-bytes (stress's default 256M) and keeps dirtying it: a core and that much memory.
      out.heldBytes = Number(vm[1]) * stressBytes(/--vm-bytes\s+(\S+)/.exec(commandLine)?.[1] ?? '256M')
      out.busyCores = (out.busyCores ?? 0) + Number(vm[1])
    }
    return out
  }
  const loop = busyLoop.exec(commandLine)
  if ((loop && !blocking.test(loop[1])) || spinners.some((r) => r.test(commandLine))) out.busyCores = 1
  return out
}

/** stress reads sizes with B/K/M/G suffixes in powers of 1024 (`250M` = 250 MiB). */
function stressBytes(text: string): number {
  const m = /^(\d+)([bBkKmMgG]?)$/.exec(text)
  if (!m) return parseQuantity(text) ?? 256 * 2 ** 20
  const unit = { '': 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 }[m[2].toLowerCase() as '' | 'b' | 'k' | 'm' | 'g']
  return Number(m[1]) * unit
}
