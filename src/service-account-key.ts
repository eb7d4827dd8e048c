/**
 * @module service-account-key: the durable service-account signing key of a cluster kept on disk
 * (`--data-dir`: `<dir>/sa.key`, kubeadm's name) or in etcd, made on first start, so that tokens
 * outlive a restart as kube-apiserver's `--service-account-signing-key-file` makes them.
 */
import { generateKeyPair } from 'node:crypto'
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { parseSigningKeyPEM, type SigningKey } from './registry/authentication/service-account-keys.js'
import type { EtcdStore } from './store/etcd-store.js'

/** The key file's name in a data directory. */
export const dataDirKeyFile = 'sa.key'

/** The etcd key (under /kubemock/) the key is kept in. */
export const etcdKeyName = 'service-account-key'

/** A new RSA-2048 private key as PKCS#1 PEM (`RSA PRIVATE KEY`, as kubeadm writes sa.key), made off the event loop. */
export function newSigningKeyPEM(): Promise<string> {
  return new Promise((resolve, reject) =>
    generateKeyPair(
      'rsa',
      { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } },
      (err, _pub, priv) => (err ? reject(err) : resolve(priv)),
    ),
  )
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined
    throw err
  }
}

/**
 * The signing key in `<dir>/sa.key`, created (mode 0600) when missing: written whole to a
 * temporary file and synced, then linked into place, which fails rather than replaces when the
 * file appeared meanwhile, so a reader never sees half a key and the first key made wins.
 */
export async function dataDirSigningKey(dir: string): Promise<SigningKey> {
  const path = join(dir, dataDirKeyFile)
  const existing = readIfExists(path)
  if (existing !== undefined) return parseSigningKeyPEM(existing, path)
  const pem = await newSigningKeyPEM()
  const tmp = `${path}.${process.pid}.tmp`
  const fd = openSync(tmp, 'w', 0o600)
  try {
    writeSync(fd, pem)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  try {
    linkSync(tmp, path)
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw err
  } finally {
    rmSync(tmp, { force: true })
  }
  // The directory entry too, so a crash right after start keeps the key the tokens were signed with.
  const dirFd = openSync(dir, 'r')
  try {
    fsyncSync(dirFd)
  } finally {
    closeSync(dirFd)
  }
  return parseSigningKeyPEM(readFileSync(path, 'utf8'), path)
}

/** The signing key every process sharing the etcd uses, made by the first of them. */
export async function etcdSigningKey(store: EtcdStore): Promise<SigningKey> {
  return parseSigningKeyPEM(await store.sharedValue(etcdKeyName, newSigningKeyPEM), `etcd key /kubemock/${etcdKeyName}`)
}
