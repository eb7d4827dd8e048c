// `npm pack` (prepack) builds from an empty dist/: a file whose source was deleted or renamed
// since the last build must not end up in the package.
import { rmSync } from 'node:fs'

rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true })
