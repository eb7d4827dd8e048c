/** @module service-account-key.test: the data directory's sa.key is made once, 0600, and read back unchanged. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { dataDirSigningKey } from '../src/service-account-key.js'

let dir: string
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('dataDirSigningKey', () => {
  it('creates sa.key (an RSA PEM, mode 0600) on first use and returns the same key afterwards', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubemock-sakey-unit-'))
    const first = await dataDirSigningKey(dir)
    const path = join(dir, 'sa.key')
    expect(readFileSync(path, 'utf8')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(first.alg).toBe('RS256')
    const again = await dataDirSigningKey(dir)
    expect(again.kid).toBe(first.kid)
  })

  it('two starts racing on an empty directory end up with one key', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubemock-sakey-unit-'))
    const [a, b] = await Promise.all([dataDirSigningKey(dir), dataDirSigningKey(dir)])
    expect(a.kid).toBe(b.kid)
  })

  it('a sa.key that holds no private key is an error naming the file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubemock-sakey-unit-'))
    writeFileSync(join(dir, 'sa.key'), 'garbage')
    await expect(dataDirSigningKey(dir)).rejects.toThrow(`failed to parse service-account issuer private key from "${join(dir, 'sa.key')}"`)
  })
})
