/** @module namespaces: the core/v1 Namespace definition (pkg/registry/core/namespace/strategy.go). */
import type { NamespaceSpec, NamespaceStatus } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { ageColumn, nameColumn } from '../shared/columns.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { invalidEach, isDNS1123Label, isDNS1123Subdomain } from '../shared/validation.js'

/** A Namespace as stored. */
export type NamespaceObject = KubeObject & { spec?: NamespaceSpec; status?: NamespaceStatus }

/** The label every namespace carries with its own name (LabelMetadataName). */
export const namespaceNameLabel = 'kubernetes.io/metadata.name'

/**
 * Namespaces the NamespaceLifecycle admission plugin never lets go (its immortalNamespaces:
 * staging/src/k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle/admission.go).
 */
export const immortalNamespaces: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public'])

/** Sets the immutable `kubernetes.io/metadata.name` label (SetDefaults_Namespace; also re-applied after generateName). */
function setNameLabel(ns: NamespaceObject): void {
  if (!ns.metadata.name) return
  ns.metadata.labels = { ...(ns.metadata.labels ?? {}), [namespaceNameLabel]: ns.metadata.name }
}

/**
 * Namespaces: cluster-scoped, no deletecollection, DNS-1123 label names, the `kubernetes`
 * finalizer and phase Active on create; status only changes through /status; deletion waits
 * for spec.finalizers to empty.
 */
export const namespaces: ResourceDefinition<NamespaceObject> = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: [
    { name: 'finalize', verbs: ['update'] },
    { name: 'status', verbs: ['get', 'patch', 'update'] },
  ],

  applyDefaults(ns) {
    setNameLabel(ns)
    if (ns.status) ns.status.phase ||= 'Active'
  },

  admitDelete: (ns) => (immortalNamespaces.has(ns.metadata.name ?? '') ? 'this namespace may not be deleted' : undefined),

  prepareForCreate(ns) {
    setNameLabel(ns)
    ns.status = { phase: 'Active' }
    const finalizers = ns.spec?.finalizers ?? []
    if (!finalizers.includes('kubernetes')) ns.spec = { ...(ns.spec ?? {}), finalizers: [...finalizers, 'kubernetes'] }
  },

  prepareForUpdate(ns, old) {
    setNameLabel(ns)
    // Upstream also pins spec.finalizers here (only /finalize may change them). kubemock's
    // namespace controller removes the finalizer with a plain update, and hooks cannot tell
    // the two apart, so spec.finalizers stay writable until /finalize has its own update path.
    ns.status = structuredClone(old.status)
  },

  prepareForStatusUpdate(ns, old) {
    ns.spec = structuredClone(old.spec)
  },

  validate(ns) {
    // Namespace names are DNS-1123 labels (ValidateNamespaceName). The registry's ObjectMeta
    // check already reports names that are not even subdomains, so only the stricter label
    // rule is added here (avoids reporting the same bad name twice).
    const name = ns.metadata.name ?? ''
    if (!name || isDNS1123Subdomain(name).length > 0) return []
    return invalidEach('metadata.name', name, isDNS1123Label(name))
  },

  // A namespace stays until the namespace controller has emptied it and removed the
  // `kubernetes` spec finalizer through /finalize (pkg/registry/core/namespace/storage).
  holdsDeletion: (ns) => (ns.spec?.finalizers ?? []).length > 0,
  prepareForDeletion(ns) {
    ns.status = { ...(ns.status ?? {}), phase: 'Terminating' }
  },
  returnDeletedObject: true,

  // "name" is a historical alias upstream keeps for compatibility.
  selectableFields: (ns) => ({ 'status.phase': ns.status?.phase ?? '', name: ns.metadata.name ?? '' }),

  columns: [nameColumn, { name: 'Status', type: 'string', description: 'The status of the namespace' }, ageColumn],
  row: (ns, now) => [ns.metadata.name ?? '', ns.status?.phase ?? '', translateTimestampSince(ns.metadata.creationTimestamp as string | undefined, now)],
}
