/** @module bindings: the legacy core/v1 `bindings` resource (pkg/registry/core/pod/storage LegacyBindingREST): POST binds the named pod, as pods/binding does. */
import { StatusError } from '../../errors.js'
import type { KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { type BindingBody, bindFromBinding, bindingSuccess } from './pod-binding.js'

/** Create-only: `POST /api/v1/namespaces/NS/bindings` with the pod's name in metadata.name. */
export const bindings: ResourceDefinition<KubeObject> = {
  group: '',
  version: 'v1',
  kind: 'Binding',
  plural: 'bindings',
  singular: 'binding',
  namespaced: true,
  verbs: ['create'],
  async restCreate(ctx, obj) {
    const name = obj.metadata?.name ?? ''
    if (obj.metadata?.namespace && obj.metadata.namespace !== ctx.namespace)
      throw StatusError.badRequest('the namespace of the provided object does not match the namespace sent on the request')
    if (!name)
      throw StatusError.invalid('Binding', '', '', [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }])
    if (!ctx.dryRun) await bindFromBinding(ctx.resource('', 'pods'), ctx.namespace, name, obj as BindingBody, ctx.nowMs)
    return bindingSuccess as unknown as KubeObject
  },
}
