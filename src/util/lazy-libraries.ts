/** @module lazy-libraries: Ajv and the YAML library, loaded on first use instead of at start-up. */
import { createRequire } from 'node:module'
import type { Ajv } from 'ajv'

/** What kubemock uses of the `ajv` package. */
export interface AjvLibrary {
  Ajv: typeof Ajv
}
/** The `yaml` package as `import('yaml')` sees it. */
export type YAMLLibrary = typeof import('yaml')

// Together they are about a sixth of the bundled CLI and nothing a server needs until a request
// carries a body (field validation, YAML bodies) or a kubeconfig, scenario or snapshot is written
// or read. Loading them before listening cost every start-up their evaluation; as dynamic imports
// the CLI bundle keeps them in chunks of their own that are not even parsed until then.
let ajv: AjvLibrary | undefined
let yaml: YAMLLibrary | undefined
let loading: Promise<void> | undefined
let requireHere: NodeJS.Require | undefined

/**
 * Loads both libraries; resolves once {@link ajvLibrary} and {@link yamlLibrary} return at once.
 * Call it (and await it) before synchronous code that needs them, where waiting is possible.
 */
export function loadLazyLibraries(): Promise<void> {
  if (ajv && yaml) return Promise.resolve()
  loading ??= Promise.all([import('ajv'), import('yaml')]).then(
    ([a, y]) => {
      ajv ??= moduleExports(a)
      yaml ??= moduleExports(y)
    },
    (err: unknown) => {
      loading = undefined
      throw err
    },
  )
  return loading
}

/** Whether {@link loadLazyLibraries} has finished (then nothing is left to wait for). */
export function lazyLibrariesLoaded(): boolean {
  return ajv !== undefined && yaml !== undefined
}

/** The Ajv package; loaded synchronously (from node_modules) if {@link loadLazyLibraries} has not run yet. */
export function ajvLibrary(): AjvLibrary {
  ajv ??= requireSync('ajv') as AjvLibrary
  return ajv
}

/** The YAML package; loaded synchronously (from node_modules) if {@link loadLazyLibraries} has not run yet. */
export function yamlLibrary(): YAMLLibrary {
  yaml ??= requireSync('yaml') as YAMLLibrary
  return yaml
}

/**
 * A CommonJS package's `module.exports` from its import() namespace: Node adds the named exports
 * it detects beside `default`, a bundled chunk has `default` only.
 */
function moduleExports<T>(namespace: T): T {
  return (namespace as { default?: T }).default ?? namespace
}

/** Both packages ship CommonJS, so a caller that cannot wait still gets them, only more slowly. */
function requireSync(id: string): unknown {
  requireHere ??= createRequire(import.meta.url)
  return requireHere(id)
}
