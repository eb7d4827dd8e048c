#!/usr/bin/env node
// `npm run lint`: Biome (format and lint rules, layer rules) and check-promises (dropped promises,
// which need types) side by side. The second builds a TypeScript program of ~1,800 files and takes
// most of the time; run one after the other, the two passed 20 s on a busy machine.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const run = (cmd, args) =>
  new Promise((resolve) => {
    const chunks = []
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.on('data', (d) => chunks.push(d))
    child.stderr.on('data', (d) => chunks.push(d))
    child.on('error', (err) => resolve({ code: 1, out: `${cmd}: ${err.message}\n` }))
    child.on('close', (code) => resolve({ code: code ?? 1, out: Buffer.concat(chunks).toString() }))
  })

const results = await Promise.all([
  run(process.execPath, [fileURLToPath(new URL('../node_modules/@biomejs/biome/bin/biome', import.meta.url)), 'check', '.']),
  run(process.execPath, [fileURLToPath(new URL('./check-promises.mjs', import.meta.url))]),
])
// Printed in a fixed order, whole, so the two outputs never interleave.
for (const r of results) process.stdout.write(r.out)
process.exit(results.some((r) => r.code !== 0) ? 1 : 0)
