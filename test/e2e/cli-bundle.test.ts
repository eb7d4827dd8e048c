/** @module cli-bundle.test: what the CLI bundle loads at start-up, and what it leaves to chunks loaded on first use. */
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const bundleDir = fileURLToPath(new URL('../../dist/bundle/', import.meta.url))

/** Text that only the named library's (or module's) code contains, as it survives minification. */
const markers: Record<string, string> = {
  'the YAML library': 'yaml.alias',
  Ajv: 'schema with key or id',
  // An @peculiar/asn1-x509 error text: OIDs are no marker, the CSR signing policy names usages by OID.
  'the X.509 library': 'Cannot get time from CHOICE object',
  'the simulated shell': 'command not found',
}

/** The files `file` imports statically (`from"./chunk-X.mjs"`), transitively, itself included. */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen
  seen.add(file)
  const text = readFileSync(bundleDir + file, 'utf8')
  for (const m of text.matchAll(/(?:from|import)\s*"\.\/(chunk-[\w-]+\.mjs)"/g)) staticClosure(m[1], seen)
  return seen
}

/** The chunks that `files` load with import(), with what those import statically, minus `files`. */
function onDemand(files: Set<string>): Set<string> {
  const out = new Set<string>()
  for (const f of files)
    for (const m of readFileSync(bundleDir + f, 'utf8').matchAll(/import\(\s*"\.\/(chunk-[\w-]+\.mjs)"\s*\)/g))
      for (const c of staticClosure(m[1])) if (!files.has(c)) out.add(c)
  return out
}

describe('the CLI bundle', () => {
  it.skipIf(!existsSync(`${bundleDir}server.mjs`))('loads neither YAML, Ajv, X.509 nor the shell at start-up, and has each in a chunk loaded on demand', () => {
    const startup = staticClosure('server.mjs')
    const lazy = onDemand(startup)
    const startupText = [...startup].map((f) => readFileSync(bundleDir + f, 'utf8'))
    const lazyText = [...lazy].map((f) => readFileSync(bundleDir + f, 'utf8'))
    for (const [what, marker] of Object.entries(markers)) {
      expect(
        startupText.some((t) => t.includes(marker)),
        `${what} is loaded at start-up`,
      ).toBe(false)
      expect(
        lazyText.some((t) => t.includes(marker)),
        `${what} is in no chunk loaded on demand`,
      ).toBe(true)
    }
  })
})
