/** @module version: the Kubernetes version the server reports (kubectl's dispatcher picks its binary by it). */

/** Patch releases bundled with the dispatcher's kubectl, by minor. */
const patchByMinor: Record<number, number> = { 27: 16, 28: 15, 29: 14, 30: 13, 31: 9, 32: 4, 33: 1 }

/** The /version body fields. */
export interface KubeVersion {
  major: string
  minor: string
  gitVersion: string
  gitCommit: string
  gitTreeState: string
  buildDate: string
  goVersion: string
  compiler: string
  platform: string
}

/** Parses `1.30`, `v1.30`, `1.30.2` into the /version body; throws a message naming valid input. */
export function kubeVersion(spec = '1.32'): KubeVersion {
  const m = /^v?1\.(\d+)(?:\.(\d+))?$/.exec(spec.trim())
  if (!m) throw new Error(`--kube-version must look like 1.32 or v1.32.4, got "${spec}"`)
  const minor = Number(m[1])
  const patch = m[2] !== undefined ? Number(m[2]) : (patchByMinor[minor] ?? 0)
  return {
    major: '1',
    minor: String(minor),
    gitVersion: `v1.${minor}.${patch}`,
    gitCommit: '4cb5f07ffa9e2b1d8d37bb2cbe7a5fd8d3d7c9a1',
    gitTreeState: 'clean',
    buildDate: '2025-04-22T16:02:27Z',
    goVersion: minor >= 33 ? 'go1.24.2' : 'go1.23.6',
    compiler: 'gc',
    platform: 'linux/amd64',
  }
}
