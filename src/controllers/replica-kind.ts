/**
 * @module replica-kind: what differs between the kinds the ReplicaSet controller keeps replicas
 * for. Upstream runs the same controller over ReplicationControllers by converting them to
 * ReplicaSets (pkg/controller/replication/replication_controller.go, conversion.go); here the
 * controller is parameterised by one of these descriptions instead.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js'
import type { KubeObject } from '../types.js'

/** One kind whose objects keep `spec.replicas` pods from `spec.template`, selected by `spec.selector`. */
export interface ReplicaKind {
  /** The controller's name (in the manager and logs). */
  name: string
  group: string
  plural: string
  /** apiVersion and kind of the controller references it sets on its pods. */
  apiVersion: string
  kind: string
  /** The event source component (`replicaset-controller`, `replication-controller`). */
  component: string
  /** The selector as a LabelSelector: a ReplicationController's label map becomes matchLabels. */
  selector(obj: KubeObject): LabelSelector | undefined
}

/** apps/v1 ReplicaSets. */
export const replicaSetKind: ReplicaKind = {
  name: 'replicaset',
  group: 'apps',
  plural: 'replicasets',
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  component: 'replicaset-controller',
  selector: (obj) => (obj.spec as { selector?: LabelSelector } | undefined)?.selector,
}

/** core/v1 ReplicationControllers (NewReplicationManager: event source `replication-controller`). */
export const replicationControllerKind: ReplicaKind = {
  name: 'replicationcontroller',
  group: '',
  plural: 'replicationcontrollers',
  apiVersion: 'v1',
  kind: 'ReplicationController',
  component: 'replication-controller',
  selector: (obj) => {
    const sel = (obj.spec as { selector?: Record<string, string> } | undefined)?.selector
    return sel ? { matchLabels: sel } : undefined
  },
}

/** True when `ref` points at an object of `kind` (same kind, same API group). */
export function refersTo(kind: ReplicaKind, ref: { apiVersion?: string; kind?: string } | undefined): boolean {
  if (!ref || ref.kind !== kind.kind) return false
  const av = ref.apiVersion ?? ''
  const group = av.includes('/') ? av.slice(0, av.indexOf('/')) : ''
  return group === kind.group
}
