/**
 * @module load-cel: CEL (`@bufbuild/cel`, its protobuf runtime and re2) is loaded on first use.
 * Loading it takes ~16 MB of RSS and a quarter of the start-up bundle, and a cluster uses it only
 * for CRDs, ValidatingAdmissionPolicies and webhook configurations, so their definitions name
 * {@link loadCel} as their `load` (the registry awaits it before the first write of the kind) and
 * the admission plugins await it before they evaluate. The synchronous hooks then call {@link cel}.
 */
export type Cel = typeof import('./cel-api.js')

let loaded: Cel | undefined
let loading: Promise<Cel> | undefined

/** Loads CEL (once per process); resolves to it. */
export function loadCel(): Promise<Cel> {
  loading ??= import('./cel-api.js').then((m) => (loaded = m))
  return loading
}

/** Whether {@link loadCel} finished. */
export function celLoaded(): boolean {
  return loaded !== undefined
}

/** CEL, once {@link loadCel} finished; before that a programming error (a hook ran without its definition's `load`). */
export function cel(): Cel {
  if (!loaded) throw new Error('CEL is used before loadCel() finished: give the definition `load: loadCel`')
  return loaded
}
