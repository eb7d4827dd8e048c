/**
 * @module pod-admission: what the default admission chain adds to a new pod: ServiceAccount
 * (plugin/pkg/admission/serviceaccount/admission.go) and DefaultTolerationSeconds (Priority is
 * an admission plugin of its own: registry/scheduling/priority-admission.ts).
 */
import type { PodSpec, Toleration, Volume } from 'kubernetes-types/core/v1.js'

/** Where the ServiceAccount plugin mounts the API token (DefaultAPITokenMountPath). */
export const apiTokenMountPath = '/var/run/secrets/kubernetes.io/serviceaccount'

/** The projected volume the ServiceAccount plugin adds (TokenVolumeSource). */
function tokenVolume(name: string): Volume {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  }
}

/** The two tolerations DefaultTolerationSeconds adds (300 s each). */
const defaultTolerations: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
]

/**
 * Mutates a pod spec on create as the default admission plugins do. `randomSuffix(5)` names
 * the `kube-api-access-xxxxx` volume. Runs on create only: on update these fields are
 * immutable and an admission re-run would change them.
 */
export function admitPod(spec: PodSpec, randomSuffix: (n: number) => string): void {
  // ServiceAccount plugin.
  spec.serviceAccountName ||= 'default'
  spec.serviceAccount = spec.serviceAccountName
  if (spec.automountServiceAccountToken !== false) mountServiceAccountToken(spec, randomSuffix)
  // DefaultTolerationSeconds: an existing NoExecute (or any-effect) toleration for the key, or a
  // key-less one, already covers it.
  for (const t of defaultTolerations) {
    const covered = (spec.tolerations ?? []).some((x) => (x.key === t.key || !x.key) && (x.effect === 'NoExecute' || !x.effect))
    if (!covered) (spec.tolerations ??= []).push({ ...t })
  }
}

function mountServiceAccountToken(spec: PodSpec, randomSuffix: (n: number) => string): void {
  const existing = (spec.volumes ?? []).find((v) => v.name.startsWith('kube-api-access-'))
  const name = existing?.name ?? `kube-api-access-${randomSuffix(5)}`
  let needsVolume = false
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    // An existing mount at the token path keeps that container as it is.
    if ((c.volumeMounts ?? []).some((m) => m.mountPath === apiTokenMountPath)) continue
    ;(c.volumeMounts ??= []).push({ name, readOnly: true, mountPath: apiTokenMountPath })
    needsVolume = true
  }
  if (!existing && needsVolume) (spec.volumes ??= []).push(tokenVolume(name))
}
