// Builds the web view (README "Web view") into dist/ui/: ui/src/main.ts bundled for the browser as one
// app.js, next to ui/index.html and ui/app.css. Part of `npm run build`, so a user never runs a
// build step; api/ui.ts serves these files at /kubemock/ui/.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs'
import { build } from 'esbuild'

rmSync('dist/ui', { recursive: true, force: true })
mkdirSync('dist/ui', { recursive: true })
await build({
  entryPoints: ['ui/src/main.ts'],
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  platform: 'browser',
  // Browsers of the last few years: WebSocket subprotocols, fetch streams, <dialog>, ResizeObserver.
  target: ['chrome105', 'firefox110', 'safari16'],
  outfile: 'dist/ui/app.js',
  logLevel: 'warning',
})
for (const f of ['index.html', 'app.css']) copyFileSync(`ui/${f}`, `dist/ui/${f}`)
