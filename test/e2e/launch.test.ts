/** @module launch.test: every way of starting the server (npx's shebang, npm start, Docker) runs Node.js with the same flags. */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { nodeFlags } from '../../bench/launch.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const cli = `${root}bin/kubemock.js`

/** The flags between `node` and `bin/kubemock.js` in a command line. */
function flagsIn(command: string): string[] {
  const m = /\bnode((?:\s+--[\w-]+(?:=\S+)?)*)\s+bin\/kubemock\.js/.exec(command)
  if (!m) throw new Error(`no "node … bin/kubemock.js" in: ${command}`)
  return m[1].trim().split(/\s+/).filter(Boolean)
}

describe('launching the server', () => {
  it('uses the shebang flags in the npm start script and the Docker entrypoint too', () => {
    const flags = nodeFlags(cli)
    expect(flags).toContain('--max-semi-space-size=64')
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> }
    expect(flagsIn(pkg.scripts.start)).toEqual(flags)
    const entrypoint =
      readFileSync(`${root}Dockerfile`, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('ENTRYPOINT')) ?? ''
    expect(flagsIn(entrypoint)).toEqual(flags)
  })

  it('runs: this Node.js accepts the flags, and the shebang line starts the CLI', () => {
    const viaNode = spawnSync(process.execPath, [...nodeFlags(cli), cli, '--help'], { encoding: 'utf8', timeout: 15_000 })
    expect(viaNode.stderr).toBe('')
    expect(viaNode.stdout).toContain('Usage: kubemock')
    // As npx runs it: the kernel reads the shebang (env -S splits the flags).
    const direct = spawnSync(cli, ['--help'], { encoding: 'utf8', timeout: 15_000 })
    expect(direct.stdout).toContain('Usage: kubemock')
  })
})
