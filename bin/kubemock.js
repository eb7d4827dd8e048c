#!/usr/bin/env node
// Entry point for `npx kubemock` / `npm start`: runs the bundled CLI (one file loads far faster
// than the module tree), or the plain compiled one when no bundle was built.
import { existsSync } from 'node:fs'

const bundle = new URL('../dist/bundle/server.mjs', import.meta.url)
const { main } = await import(existsSync(bundle) ? bundle.href : new URL('../dist/server.js', import.meta.url).href)

// A command line that does not parse (UsageError: unknown flag, missing value) exits 2, as Go's
// flag package does; anything else that stops the start (a bad value, a bad file) exits 1.
main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(err?.exitCode === 2 ? 2 : 1)
})
