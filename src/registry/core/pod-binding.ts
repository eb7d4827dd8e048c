/** @module pod-binding: what a pods/binding write does to the pod (pkg/registry/core/pod/storage/storage.go setPodHostAndAnnotations). */
import { StatusError } from '../../errors.js'
import type { ResourceStore } from '../generic-registry.js'
import type { StoredObject } from '../../store/object-store.js'
import { rfc3339 } from '../../util/time.js'
import type { PodObject as Pod } from './pods.js'

/**
 * Binds `namespace/name` to `node` the way the binding subresource does: refuses a pod that is being
 * deleted or already bound (409, the upstream texts), sets spec.nodeName (trusted: the binding
 * REST writes storage directly, past validation), merges `annotations`, then records
 * `PodScheduled=True` in status, all in one write as upstream's assignPod. Returns the stored pod.
 */
export async function bindPod(
  pods: ResourceStore,
  namespace: string,
  name: string,
  node: string,
  nowMs: number,
  annotations?: Record<string, string>,
): Promise<StoredObject> {
  const ref = { group: '', resource: 'pods/binding' }
  return await pods.guaranteedUpdate(
    namespace,
    name,
    (obj) => {
      const pod = obj as Pod
      const spec = pod.spec ?? { containers: [] }
      if (pod.metadata.deletionTimestamp) throw StatusError.conflict(ref, name, `pod ${name} is being deleted, cannot be assigned to a host`)
      if (spec.nodeName) throw StatusError.conflict(ref, name, `pod ${name} is already assigned to node "${spec.nodeName}"`)
      // A shallow draft: replace what changes, never mutate the stored version's values.
      pod.spec = { ...spec, nodeName: node }
      if (annotations) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...annotations }
      const status = pod.status ?? {}
      pod.status = { ...status, conditions: [...(status.conditions ?? [])] }
      setPodCondition(pod, { type: 'PodScheduled', status: 'True' }, nowMs)
      return obj
    },
    { direct: true, shallow: true },
  )
}

/** A core/v1 Binding body as it arrives. */
export interface BindingBody {
  metadata?: { name?: string; annotations?: Record<string, string> }
  target?: { kind?: string; name?: string }
}

/**
 * BindingREST.Create (pods/binding and the legacy `bindings` resource): ValidatePodBinding — a target
 * name, a target kind of Node or "" — then bindPod. `name` is the pod's name.
 */
export async function bindFromBinding(pods: ResourceStore, namespace: string, name: string, body: BindingBody, nowMs: number): Promise<StoredObject> {
  const node = body?.target?.name
  if (!node) throw StatusError.invalid('Binding', '', name, [{ type: 'FieldValueRequired', field: 'target.name', detail: '' }])
  if (body.target?.kind && body.target.kind !== 'Node') {
    throw StatusError.invalid('Binding', '', name, [
      { type: 'FieldValueNotSupported', field: 'target.kind', badValue: body.target.kind, detail: 'supported values: "Node", ""' },
    ])
  }
  return await bindPod(pods, namespace, name, node, nowMs, body.metadata?.annotations)
}

/** The Status a successful binding answers with (201). */
export const bindingSuccess = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }

/** A pod condition as UpdatePodCondition takes it (reason/message optional). */
export interface PodConditionInput {
  type: string
  status: string
  reason?: string
  message?: string
}

/**
 * podutil.UpdatePodCondition: replaces or appends the condition of that type, keeping
 * lastTransitionTime when the status did not change. Returns false when nothing changed. Mutates `pod`.
 */
export function setPodCondition(pod: Pod, c: PodConditionInput, nowMs: number): boolean {
  const status = (pod.status ??= {})
  const list = (status.conditions ??= [])
  const i = list.findIndex((x) => x.type === c.type)
  const old = i >= 0 ? list[i] : undefined
  const next = {
    type: c.type,
    status: c.status,
    lastProbeTime: null,
    lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : rfc3339(nowMs),
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.message ? { message: c.message } : {}),
  } as unknown as (typeof list)[number]
  if (old && old.status === next.status && (old.reason ?? '') === (c.reason ?? '') && (old.message ?? '') === (c.message ?? '')) return false
  if (i >= 0) list[i] = next
  else list.push(next)
  return true
}
