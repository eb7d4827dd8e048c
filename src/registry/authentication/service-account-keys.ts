/**
 * @module service-account-keys: the service-account token keys — a signing key (RSA → RS256, EC
 * → ES256/ES384/ES512 by curve, as pkg/serviceaccount/jwt.go's signerFromPrivateKey picks) and the
 * public keys tokens are verified with (`--service-account-signing-key-file`,
 * `--service-account-key-file`), parsed from PEM.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'

/** The JWS algorithms service-account tokens are signed with. */
export type TokenAlgorithm = 'RS256' | 'ES256' | 'ES384' | 'ES512'

/** A key tokens are verified with: its algorithm and key id. */
export interface VerificationKey {
  publicKey: KeyObject
  alg: TokenAlgorithm
  kid: string
}

/** The key tokens are signed with, and its public half. */
export interface SigningKey extends VerificationKey {
  privateKey: KeyObject
}

/** The digest each algorithm signs (the curve's size for ECDSA). */
export const digestOf: Record<TokenAlgorithm, string> = { RS256: 'sha256', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' }

const curveAlgorithms: Record<string, TokenAlgorithm> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' }

/** The algorithm for `key` (public or private); throws for key types upstream cannot sign with either. */
export function algorithmOf(key: KeyObject): TokenAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RS256'
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? ''
    const alg = curveAlgorithms[curve]
    if (alg) return alg
    throw new Error(`unknown private key curve, must be 256, 384, or 521, got ${curve || 'none'}`)
  }
  throw new Error(`unknown private key type ${key.asymmetricKeyType ?? ''}, must be *rsa.PrivateKey or *ecdsa.PrivateKey`)
}

/** keyIDFromPublicKey: base64url(sha256(DER PKIX public key)). */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url')
}

/** A verification key for `publicKey`. */
export function verificationKey(publicKey: KeyObject): VerificationKey {
  return { publicKey, alg: algorithmOf(publicKey), kid: keyIdOf(publicKey) }
}

/** A signing key for `privateKey`. */
export function signingKey(privateKey: KeyObject): SigningKey {
  return { privateKey, ...verificationKey(createPublicKey(privateKey)) }
}

const pemBlock = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g

/** The first private key in `pem` (PKCS#1 `RSA PRIVATE KEY`, SEC1 `EC PRIVATE KEY` or PKCS#8); `source` names the file in errors. */
export function parseSigningKeyPEM(pem: string, source: string): SigningKey {
  for (const m of pem.matchAll(pemBlock)) {
    if (!/PRIVATE KEY$/.test(m[1])) continue
    try {
      return signingKey(createPrivateKey(m[0]))
    } catch (err) {
      throw new Error(`failed to parse service-account issuer private key from "${source}": ${(err as Error).message}`)
    }
  }
  throw new Error(`failed to parse service-account issuer private key from "${source}": data does not contain a valid RSA or ECDSA private key`)
}

/**
 * Every public key in `pem` (keyutil.PublicKeysFromFile): `PUBLIC KEY` and `RSA PUBLIC KEY` blocks
 * and certificates; a file holding only a private key gives its public half.
 */
export function parseVerificationKeysPEM(pem: string, source: string): VerificationKey[] {
  const keys: VerificationKey[] = []
  const fail = (err: unknown) => new Error(`failed to parse key file "${source}": ${(err as Error).message}`)
  for (const m of pem.matchAll(pemBlock)) {
    if (!/PUBLIC KEY$|^CERTIFICATE$/.test(m[1])) continue
    try {
      keys.push(verificationKey(createPublicKey(m[0])))
    } catch (err) {
      throw fail(err)
    }
  }
  if (keys.length) return keys
  try {
    return [verificationKey(parseSigningKeyPEM(pem, source).publicKey)]
  } catch {
    throw fail(new Error('data does not contain any valid RSA or ECDSA public keys'))
  }
}
