/** @module check-promises.test: the lint step that finds dropped promises (scripts/check-promises.mjs), on a sample with known answers. */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const script = fileURLToPath(new URL('../../scripts/check-promises.mjs', import.meta.url))
const sample = fileURLToPath(new URL('../fixtures/check-promises/tsconfig.json', import.meta.url))

it('reports a dropped promise and async functions where void is expected, and nothing else', async () => {
  const err = (await promisify(execFile)(process.execPath, [script, sample]).catch((e: unknown) => e)) as { code: number; stderr: string }
  expect(err.code).toBe(1)
  const lines = err.stderr.trim().split('\n')
  expect(lines.slice(0, -1).map((l) => l.replace(/^sample\.ts:(\d+):\d+: .*?(dropped|expected).*$/, '$1 $2'))).toEqual([
    '6 expected',
    '11 dropped',
    '15 expected',
    '20 dropped',
  ])
  expect(lines.at(-1)).toBe('check-promises: 4 problem(s)')
}, 60_000)
