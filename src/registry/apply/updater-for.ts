/**
 * @module updater-for: the Updater of a resource definition: built-ins by their generated
 * definition, custom resources by their served version's openAPIV3Schema. Cached per kind (and
 * per schema object, so a CRD update that replaces the schema gets a fresh one).
 */
import { zeroObject } from '../../openapi/zero-object.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { createUpdater } from './create-updater.js'
import { builtinSchema, customResourceSchema, DEDUCED } from './schema.js'
import type { Updater } from './updater.js'

const builtins = new Map<string, Updater>()
const custom = new WeakMap<object, Updater>()

/** The Updater for objects of `def` (any version it serves: objects are compared as given). */
export function updaterFor(def: Pick<ResourceDefinition, 'group' | 'version' | 'kind' | 'schema'>): Updater {
  const schema = def.schema?.()
  if (schema) {
    let u = custom.get(schema)
    if (!u) {
      // A custom object's zero value is an Unstructured with only its type set.
      u = createUpdater(customResourceSchema(schema), { emptyObject: (apiVersion) => ({ apiVersion, kind: def.kind }) })
      custom.set(schema, u)
    }
    return u
  }
  const key = `${def.group}/${def.version}/${def.kind}`
  let u = builtins.get(key)
  if (!u) {
    const atom = builtinSchema(def) ?? DEDUCED
    u = createUpdater(atom, { emptyObject: (apiVersion) => zeroObject(apiVersion, def.kind) ?? { apiVersion, kind: def.kind } })
    builtins.set(key, u)
  }
  return u
}
