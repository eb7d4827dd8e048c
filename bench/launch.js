// How the benchmarks start the server: as `npx kubemock` does, with the Node.js flags of the CLI's
// shebang line (bin/kubemock.js), so a benchmark measures the process users run.
import { readFileSync } from 'node:fs'

/** The Node.js flags on `cli`'s `#!/usr/bin/env -S node …` line (none when it has no such line). */
export function nodeFlags(cli) {
  const first = readFileSync(cli, 'utf8').split('\n', 1)[0]
  const m = /^#!.*\bnode\b(.*)$/.exec(first)
  return m ? m[1].trim().split(/\s+/).filter(Boolean) : []
}

/** The argument list for spawn(process.execPath, …) that runs `cli` with `args`. */
export function serverArgs(cli, args) {
  return [...nodeFlags(cli), cli, ...args]
}
