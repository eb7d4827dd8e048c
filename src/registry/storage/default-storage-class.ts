/** @module default-storage-class: the DefaultStorageClass admission plugin (plugin/pkg/admission/storage/storageclass/setdefault) and the default-class annotations. */
import type { KubeObject } from '../../types.js'
import { type AdmissionPlugin, admissionLister, isResource } from '../admission.js'
import type { Registry } from '../registry.js'
import { betaStorageClassAnnotation } from '../shared/access-modes.js'

/** The annotation that marks a StorageClass as the cluster default. */
export const isDefaultClassAnnotation = 'storageclass.kubernetes.io/is-default-class'
const betaIsDefaultClassAnnotation = 'storageclass.beta.kubernetes.io/is-default-class'

/** storageutil.IsDefaultAnnotation: either annotation set to "true". */
export function isDefaultStorageClass(sc: KubeObject): boolean {
  const a = sc.metadata.annotations ?? {}
  return a[isDefaultClassAnnotation] === 'true' || a[betaIsDefaultClassAnnotation] === 'true'
}

/** GetDefaultClass: of several default classes the newest wins, then the first by name. */
export function defaultStorageClass(classes: readonly KubeObject[]): KubeObject | undefined {
  const defaults = classes.filter(isDefaultStorageClass)
  defaults.sort((a, b) => {
    const ta = a.metadata.creationTimestamp ?? ''
    const tb = b.metadata.creationTimestamp ?? ''
    if (ta !== tb) return ta > tb ? -1 : 1
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1
  })
  return defaults[0]
}

/**
 * Admit a new claim: one without spec.storageClassName (nil, not "") and without the beta
 * annotation gets the default class's name. Mutates `claim`.
 */
export function admitDefaultStorageClass(claim: KubeObject & { spec?: { storageClassName?: string | null } }, classes: readonly KubeObject[]): void {
  if (claim.spec?.storageClassName != null) return
  if (claim.metadata.annotations?.[betaStorageClassAnnotation] !== undefined) return
  const def = defaultStorageClass(classes)
  if (def) claim.spec = { ...claim.spec, storageClassName: def.metadata.name }
}

/** The plugin of the admission chain: new claims get the default class. */
export function createDefaultStorageClassAdmission(registry: Registry): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    admit(a) {
      if (a.operation !== 'CREATE' || !isResource(a, '', 'persistentvolumeclaims')) return
      admitDefaultStorageClass(a.obj, admissionLister(registry, 'storage.k8s.io', 'storageclasses').list())
    },
  }
}
