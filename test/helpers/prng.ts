/** @module prng: mulberry32, a small seeded PRNG, so a failing randomised sequence can be replayed from its seed. */

import { seededRandom } from '../../src/util/random.js'

/** A generator of numbers in [0, 1), the same sequence for the same seed (src/util/random.ts's mulberry32). */
export function prng(seed: number): () => number {
  return seededRandom(seed)
}
