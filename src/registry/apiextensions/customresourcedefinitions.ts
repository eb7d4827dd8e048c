/**
 * @module customresourcedefinitions: the apiextensions.k8s.io/v1 CustomResourceDefinition kind
 * (staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresourcedefinition/strategy.go).
 */
import type { ResourceDefinition } from '../resource-definition.js'
import { statusSubresource } from '../apps/deployments.js'
import { crdCleanupFinalizer, storageVersionOf, type CustomResourceDefinition } from './crd-types.js'
import { loadCel } from '../cel/load-cel.js'
import { validateCRD, validateCRDName, validateCRDNames, validateCRDUpdate, validateStoredVersions } from './crd-validation.js'

/** Adds the storage version to status.storedVersions when it is new (the strategy's PrepareForCreate/Update). */
function recordStorageVersion(crd: CustomResourceDefinition): void {
  const storage = storageVersionOf(crd)?.name
  if (!storage) return
  const status = (crd.status ??= {})
  const stored = status.storedVersions ?? []
  if (!stored.includes(storage)) status.storedVersions = [...stored, storage]
}

/** CustomResourceDefinitions: cluster-scoped, `crd`/`crds`, status subresource, the cleanup finalizer on first delete. */
export const customResourceDefinitions: ResourceDefinition<CustomResourceDefinition> = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  singular: 'customresourcedefinition',
  namespaced: false,
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  storagePrefix: 'apiextensions.k8s.io/customresourcedefinitions',
  subresources: [statusSubresource],
  hasGeneration: true,
  // SetDefaults_CustomResourceDefinitionSpec (pkg/apis/apiextensions/v1/defaults.go).
  applyDefaults(obj) {
    const spec = (obj.spec ??= {})
    const names = (spec.names ??= {})
    if (!names.singular && names.kind) names.singular = names.kind.toLowerCase()
    if (!names.listKind && names.kind) names.listKind = `${names.kind}List`
    spec.conversion ??= { strategy: 'None' }
    const svc = (spec.conversion.webhook as { clientConfig?: { service?: { port?: number } } } | undefined)?.clientConfig?.service
    if (svc && svc.port === undefined) svc.port = 443
  },
  prepareForCreate(obj) {
    obj.status = { storedVersions: [] }
    recordStorageVersion(obj)
  },
  prepareForUpdate(obj, old) {
    obj.status = old.status ? structuredClone(old.status) : {}
    recordStorageVersion(obj)
  },
  prepareForStatusUpdate(obj, old) {
    obj.spec = old.spec
    obj.metadata.labels = old.metadata.labels
    obj.metadata.annotations = old.metadata.annotations
  },
  // The first DELETE only marks the CRD: upstream's etcd.go Delete adds the cleanup finalizer and
  // the Terminating condition in the same write, and the finalizer controller takes it from there.
  holdsDeletion: (obj) => !obj.metadata.deletionTimestamp,
  prepareForDeletion(obj) {
    const fins = obj.metadata.finalizers ?? []
    if (!fins.includes(crdCleanupFinalizer)) obj.metadata.finalizers = [...fins, crdCleanupFinalizer]
    const conditions = (obj.status?.conditions ?? []).filter((c) => c.type !== 'Terminating')
    conditions.push({
      type: 'Terminating',
      status: 'True',
      lastTransitionTime: obj.metadata.deletionTimestamp,
      reason: 'InstanceDeletionPending',
      message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon',
    })
    obj.status = { ...(obj.status ?? {}), conditions }
  },
  validateName: (name, obj) => validateCRDName(name, obj),
  validate: validateCRD,
  load: loadCel,
  validateUpdate: validateCRDUpdate,
  validateStatusUpdate: (obj) => [...validateCRDNames(obj.status?.acceptedNames, 'status.acceptedNames'), ...validateStoredVersions(obj)],
}
