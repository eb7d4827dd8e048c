/**
 * @module generated-names: the suffixes of `metadata.generateName` — random, as upstream's
 * (names.SimpleNameGenerator), or, under a scenario seed, drawn from the seed and how many names
 * were drawn before, so two runs of a seeded scenario name their pods alike.
 */
import { seededRandom } from '../util/random.js'

/** Kubernetes names its generateName suffixes from this alphabet (no vowels, no 0/1/3). */
const suffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789'

/** `n` characters of the suffix alphabet, drawn from `random`. */
export function suffixFrom(random: () => number, n = 5): string {
  let s = ''
  for (let i = 0; i < n; i++) s += suffixAlphabet[Math.floor(random() * suffixAlphabet.length)]
  return s
}

/** Draws the suffix of each generated name. */
export interface NameGenerator {
  /** The 5-character suffix of the next generated name (a retry after a taken name asks again). */
  suffix(prefix: string): string
  /** Names drawn so far (seeded generators; 0 for random ones). */
  drawn(): number
  /** Goes on after `drawn` names (a snapshot's), or from none (reset). */
  restore(drawn?: number): void
  /** Whether the names depend on a seed only. */
  readonly seeded: boolean
}

/** Upstream's: random suffixes. */
export const randomNames: NameGenerator = {
  suffix: () => suffixFrom(Math.random),
  drawn: () => 0,
  restore: () => {},
  seeded: false,
}

/**
 * Suffixes drawn from `seed` and how many names came before: the n-th generated name of a run
 * gets the same suffix on every run (the controllers' order being deterministic under a seed too,
 * see ControllerManager.deterministic), and a snapshot restore only needs the count.
 */
export function seededNames(seed: number | string): NameGenerator {
  let drawn = 0
  return {
    seeded: true,
    suffix: () => suffixFrom(seededRandom(`${seed}\u0000names\u0000${drawn++}`)),
    drawn: () => drawn,
    restore(n = 0) {
      drawn = n
    },
  }
}
