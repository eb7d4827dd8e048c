/** @module util/object-key: the `namespace/name` key an object is stored and queued under (`name` when cluster-scoped), as client-go's MetaNamespaceKeyFunc. */
import type { KubeObject } from '../types.js'

/** The key for a namespace and a name. */
export function keyOf(namespace: string, name: string): string {
  return namespace ? `${namespace}/${name}` : name
}

/** The key of an object. */
export function objectKey(obj: KubeObject): string {
  return keyOf(obj.metadata.namespace ?? '', obj.metadata.name ?? '')
}

/** Splits a key back into namespace and name. */
export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/')
  return i < 0 ? ['', key] : [key.slice(0, i), key.slice(i + 1)]
}
