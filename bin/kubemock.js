#!/usr/bin/env node
// Entry point for `npx kubemock` / `npm start`: runs the bundled CLI (one file loads far faster
// than the module tree), or the plain compiled one when no bundle was built.
import { existsSync } from 'node:fs'

const bundle = new URL('../dist/bundle/server.mjs', import.meta.url)
const { main } = await import(existsSync(bundle) ? bundle.href : new URL('../dist/server.js', import.meta.url).href)

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
