/** @module openssl-csr: PEM certificate requests made by the real openssl, for CSR tests. */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A CSR (PEM) and its private key, from `openssl req -new`. */
export interface OpensslCSR {
  csr: string
  key: string
}

/** `openssl req -new` for `subject` (e.g. `/O=system:nodes/CN=system:node:n1`), an EC P-256 key unless `rsa`, optional SAN `ext` (`DNS:a,IP:1.2.3.4`). */
export function opensslCSR(subject: string, opts: { san?: string; rsa?: boolean } = {}): OpensslCSR {
  const dir = mkdtempSync(join(tmpdir(), 'kubemock-csr-'))
  try {
    const keyArgs = opts.rsa ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1']
    const args = [
      'req',
      '-new',
      ...keyArgs,
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-subj',
      subject,
      ...(opts.san ? ['-addext', `subjectAltName=${opts.san}`] : []),
    ]
    const r = spawnSync('openssl', args, { encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr}`)
    return { csr: r.stdout, key: readFileSync(join(dir, 'key.pem'), 'utf8') }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
