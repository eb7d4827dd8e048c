/** @module tag-table: builds tag → size tables and resolves moving tags (`16` → `16.10`) from a list of releases. */

/** Releases of one image, newest patch last per line; `aliases` are moving tags (`latest`, `lts`) → a release. */
export interface ReleaseLine {
  /** Full versions, e.g. `['16.0', …, '16.10']`. */
  releases: string[]
  /** Variant suffixes published for each tag (`alpine`, `bookworm`) with their size delta in bytes. */
  variants?: Record<string, number>
  /** Compressed size of the default variant. */
  size: number
}

/** `16.0 … 16.10`: versions `prefix.from` to `prefix.to`. */
export function patches(prefix: string, from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `${prefix}.${from + i}`)
}

/** Compares dotted versions numerically (`16.10` > `16.9`). */
export function compareVersions(a: string, b: string): number {
  const x = a.split(/[.\-_]/).map((n) => Number.parseInt(n, 10) || 0)
  const y = b.split(/[.\-_]/).map((n) => Number.parseInt(n, 10) || 0)
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0)
  return 0
}

/**
 * The tags of a set of release lines, as the official images publish them: every full version,
 * every prefix (`16`, `16.10`; `1.6` for three-part versions) pointing at its newest release,
 * each also with every variant suffix; plus `aliases` (with variants too).
 */
export function tagTable(lines: ReleaseLine[], aliases: Record<string, string>, extra: Record<string, number> = {}): Record<string, number> {
  const out: Record<string, number> = {}
  const add = (tag: string, line: ReleaseLine) => {
    out[tag] = line.size
    for (const [v, delta] of Object.entries(line.variants ?? {})) out[tag === 'latest' ? v : `${tag}-${v}`] = Math.max(800_000, line.size + delta)
  }
  for (const line of lines) {
    for (const r of line.releases) {
      const parts = r.split('.')
      for (let i = 1; i <= parts.length; i++) add(parts.slice(0, i).join('.'), line)
    }
  }
  for (const [alias, target] of Object.entries(aliases)) {
    const line = lines.find((l) => l.releases.includes(target)) ?? lines[0]
    add(alias, line)
  }
  return { ...out, ...extra }
}

/**
 * The release a tag runs: variant suffixes dropped, aliases followed, a prefix resolved to its
 * newest release; a variant-only tag (`alpine`) runs `latest`.
 */
export function resolveVersion(tag: string, releases: string[], aliases: Record<string, string>, variant: RegExp): string {
  const base = tag.replace(variant, '')
  if (aliases[base]) return aliases[base]
  if (!/^v?\d/.test(base)) return aliases.latest ?? base
  const matches = releases.filter((r) => r === base || r.startsWith(`${base}.`)).sort(compareVersions)
  return matches.at(-1) ?? base
}
