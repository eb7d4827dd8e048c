#!/usr/bin/env -S node --max-semi-space-size=64
// Entry point for `npx kubemock` / `npm start`: runs the bundled CLI (one file loads far faster
// than the module tree), or the plain compiled one when no bundle was built.
// --max-semi-space-size=64 (MiB; V8's default is 16): a cluster starting thousands of pods
// allocates short-lived objects fast, and a larger young generation lets them die there instead
// of being copied and promoted; scavenges then take a third less main-thread time. Idle memory is
// unchanged (the young generation only grows under load). The same flags are in package.json's
// start script and the Dockerfile (test/e2e/cli-bundle.test.ts checks), and the benchmarks read them from here.
import { existsSync } from 'node:fs'

const bundle = new URL('../dist/bundle/server.mjs', import.meta.url)
const { main } = await import(existsSync(bundle) ? bundle.href : new URL('../dist/server.js', import.meta.url).href)

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
