#!/usr/bin/env node
// Entry point for `npx kubemock` / `npm start`: runs the compiled CLI.
import { main } from '../dist/server.js'

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
