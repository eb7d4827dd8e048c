// Bundles the CLI into one file: resolving ~300 modules one by one costs more than half of
// kubemock's start-up time, and start-up is one of the things we promise (see README).
import { build } from 'esbuild'

await build({
  entryPoints: ['dist/server.js'],
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // dist/bundle/ sits two levels below the package root, like dist/<dir>/, so the
  // `new URL('../../openapi/', import.meta.url)` lookups keep working.
  outfile: 'dist/bundle/server.mjs',
  // Loaded only when a client asks for /openapi/v2 as protobuf (a dynamic import): keeping it out
  // of the bundle keeps its ~130 kB out of every start-up. It is a runtime dependency, so it is there.
  external: ['protobufjs', 'protobufjs/*'],
  banner: { js: "import { createRequire as __kubemockRequire } from 'node:module'; const require = __kubemockRequire(import.meta.url);" },
  logLevel: 'warning',
})
