/** @module access-modes: PersistentVolume access modes — validation shared by PVs and claims, and their short printed form. */
import type { FieldError } from '../../types.js'
import { forbidden, notSupported } from './field-errors.js'

/** supportedAccessModes as sets.List prints it: sorted. */
export const supportedAccessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod']

/** The access-mode rules of ValidatePersistentVolumeSpec / ValidatePersistentVolumeClaimSpec (the required check stays with the caller). */
export function validateAccessModes(modes: string[], path: string): FieldError[] {
  const errs: FieldError[] = []
  let rwop = false
  let other = false
  for (const m of modes) {
    if (!supportedAccessModes.includes(m)) errs.push(notSupported(path, m, supportedAccessModes))
    else if (m === 'ReadWriteOncePod') rwop = true
    else other = true
  }
  if (rwop && other) errs.push(forbidden(path, 'may not use ReadWriteOncePod with other access modes'))
  return errs
}

const short: [string, string][] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
]

/** helper.GetAccessModesAsString: `RWO,ROX,RWX,RWOP` in that fixed order, duplicates dropped. */
export function accessModesAsString(modes: string[] | undefined): string {
  const set = new Set(modes ?? [])
  return short
    .filter(([m]) => set.has(m))
    .map(([, s]) => s)
    .join(',')
}

/** The beta annotation that named a class before spec.storageClassName existed. */
export const betaStorageClassAnnotation = 'volume.beta.kubernetes.io/storage-class'

/**
 * helper.GetPersistentVolumeClass / GetPersistentVolumeClaimClass: the beta annotation wins, then
 * spec.storageClassName, else "".
 */
export function storageClassOf(obj: { metadata: { annotations?: Record<string, string> }; spec?: { storageClassName?: string | null } }): string {
  return obj.metadata.annotations?.[betaStorageClassAnnotation] ?? obj.spec?.storageClassName ?? ''
}
