/** @module service-account-key.test: service-account tokens outlive a restart of a durable cluster (--data-dir, --etcd-servers), through real kubectl. */
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startEtcd } from '../helpers/etcd.js'
import { type Kubemock, startKubemock } from '../helpers/kubemock-process.js'

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(d)
  return d
}

/** `kubectl create` of a TokenReview for `token`: what the API server says of it. */
async function review(k: Kubemock, token: string): Promise<{ authenticated?: boolean; user?: { username?: string }; error?: string }> {
  const body = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } })
  const r = await k.kubectl(['create', '-f', '-', '-o', 'jsonpath={.status}'], { input: body })
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout)
}

async function run(k: Kubemock, args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<string> {
  const r = await k.kubectl(args, opts)
  expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}\n${k.logs()}`).toBe(0)
  return r.stdout
}

const legacySecret = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'legacy', annotations: { 'kubernetes.io/service-account.name': 'default' } },
  type: 'kubernetes.io/service-account-token',
})

describe('service-account signing key', () => {
  it('with --data-dir, tokens from kubectl create token, a pod volume and a legacy Secret authenticate after a restart', async () => {
    const dataDir = tempDir('kubemock-sakey-')
    const start = () => startKubemock({ args: ['--data-dir', dataDir, '--log-level', 'warn', '--nodes', '1'] })
    const first = await start()
    let created: string, podToken: string, legacy: string
    try {
      created = (await run(first, ['create', 'token', 'default'])).trim()
      await run(first, ['run', 'tok', '--image=nginx'])
      await run(first, ['wait', '--for=condition=Ready', 'pod/tok', '--timeout=60s'], { timeoutMs: 70_000 })
      podToken = await run(first, ['exec', 'tok', '--', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/token'])
      await run(first, ['create', '-f', '-'], { input: legacySecret })
      await run(first, ['wait', '--for=jsonpath={.data.token}', 'secret/legacy', '--timeout=30s'], { timeoutMs: 40_000 })
      legacy = Buffer.from(await run(first, ['get', 'secret', 'legacy', '-o', 'jsonpath={.data.token}']), 'base64').toString()
      expect((await review(first, created)).authenticated).toBe(true)
    } finally {
      await first.stop()
    }
    // kubeadm's sa.key: the private key, readable by its owner only.
    expect(statSync(join(dataDir, 'sa.key')).mode & 0o777).toBe(0o600)

    const second = await start()
    try {
      for (const [what, token] of [
        ['kubectl create token', created],
        ['pod volume', podToken],
        ['legacy Secret', legacy],
      ]) {
        const status = await review(second, token)
        expect(status, what).toMatchObject({ authenticated: true, user: { username: 'system:serviceaccount:default:default' } })
      }
      // A request carrying the token is that service account.
      const res = await fetch(`${second.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
        method: 'POST',
        headers: { authorization: `Bearer ${created}`, 'content-type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
      })
      expect(res.status).toBe(201)
      expect(((await res.json()) as { status: { userInfo: { username: string } } }).status.userInfo.username).toBe('system:serviceaccount:default:default')
    } finally {
      await second.stop()
    }
  }, 180_000)

  it('over etcd, a token one process issued authenticates after it restarts', async () => {
    const etcd = await startEtcd()
    const start = () => startKubemock({ args: ['--etcd-servers', etcd.url, '--log-level', 'warn', '--nodes', '1'] })
    try {
      const first = await start()
      let token: string
      try {
        // The elected process seeds the default ServiceAccount's namespace objects a moment after start.
        await run(first, ['wait', '--for=create', 'serviceaccount/default', '--timeout=30s'], { timeoutMs: 40_000 })
        token = (await run(first, ['create', 'token', 'default'])).trim()
      } finally {
        await first.stop()
      }
      const second = await start()
      try {
        expect(await review(second, token)).toMatchObject({ authenticated: true, user: { username: 'system:serviceaccount:default:default' } })
      } finally {
        await second.stop()
      }
    } finally {
      await etcd.stop()
    }
  }, 120_000)

  it('--service-account-signing-key-file with an EC key signs ES256 tokens; --service-account-key-file accepts another key', async () => {
    const dir = tempDir('kubemock-sakey-flags-')
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    writeFileSync(join(dir, 'sa-ec.key'), ec.privateKey.export({ type: 'sec1', format: 'pem' }))
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
    writeFileSync(join(dir, 'other.key'), other.privateKey.export({ type: 'pkcs1', format: 'pem' }))
    writeFileSync(join(dir, 'other.pub'), other.publicKey.export({ type: 'spki', format: 'pem' }))
    const withKeys = (signing: string, ...extra: string[]) =>
      startKubemock({
        args: [
          '--service-account-signing-key-file',
          join(dir, signing),
          ...extra.flatMap((f) => ['--service-account-key-file', join(dir, f)]),
          '--service-account-issuer',
          'https://issuer.example',
          '--log-level',
          'warn',
          '--nodes',
          '0',
        ],
      })
    // Tokens signed by the other key, from a server that signs with it.
    const signer = await withKeys('other.key')
    let foreign: string
    try {
      foreign = (await run(signer, ['create', 'token', 'default'])).trim()
    } finally {
      await signer.stop()
    }
    const k = await withKeys('sa-ec.key', 'other.pub')
    try {
      const token = (await run(k, ['create', 'token', 'default'])).trim()
      const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())
      expect(header.alg).toBe('ES256')
      expect(claims.iss).toBe('https://issuer.example')
      expect(claims.aud).toEqual(['https://issuer.example'])
      expect(await review(k, token)).toMatchObject({ authenticated: true })
      // The other server's default ServiceAccount has another uid: the signature is accepted, the account is not.
      const status = await review(k, foreign)
      expect(status.authenticated).toBeUndefined()
      expect(status.error).toMatch(/^service account UID \(.+\) does not match claim/)
    } finally {
      await k.stop()
    }
  }, 120_000)

  it('a signing key file that holds no private key stops the start with a message naming it', async () => {
    const dir = tempDir('kubemock-sakey-bad-')
    writeFileSync(join(dir, 'bad.key'), 'not a key\n')
    await expect(startKubemock({ args: ['--service-account-signing-key-file', join(dir, 'bad.key')], readyTimeoutMs: 10_000 })).rejects.toThrow(
      /failed to parse service-account issuer private key from ".*bad\.key"/,
    )
  })
})
