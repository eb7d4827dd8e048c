/**
 * @module custom-resource-definition: turns a CustomResourceDefinition into the ResourceDefinition
 * the generic registry serves its objects with, as the apiextensions-apiserver's crdHandler builds
 * one serving info per CRD (staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/customresource_handler.go,
 * pkg/registry/customresource/strategy.go, pkg/registry/customresource/tableconvertor).
 */
import { StatusError } from '../../errors.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { Cell, ColumnDef, ResourceDefinition, SubresourceDef, VersionConversion } from '../resource-definition.js'
import { nameColumn, creationTimestampDescription } from '../shared/columns.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { labelSelectorAsString } from '../../store/selectors.js'
import type { CRDPrinterColumn, CRDVersion, CustomResourceDefinition } from './crd-types.js'
import { findJSONPath } from './json-path.js'
import { getAtPath } from './simple-json-path.js'
import type { ObjectConverter } from './webhook-converter.js'
import { cel, loadCel } from '../cel/load-cel.js'
import { applySchemaDefaults, pruneUnknownFields, validateCustomObject } from './schema/index.js'

/** Without additionalPrinterColumns a version prints Name and Age (serveDefaultColumnsIfEmpty). */
const defaultColumns: CRDPrinterColumn[] = [{ name: 'Age', type: 'date', description: creationTimestampDescription, jsonPath: '.metadata.creationTimestamp' }]

/** One cell of a printer column: the first value its JSONPath finds (null when none), dates as ages. */
function cellOf(obj: KubeObject, col: CRDPrinterColumn, now: Date): Cell {
  const v = findJSONPath(obj, col.jsonPath ?? '')[0]
  if (v === undefined || v === null) return null
  if (col.type === 'date' && typeof v === 'string') return translateTimestampSince(v, now)
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v
  return JSON.stringify(v)
}

/** The selectable value of a field: strings as they are, numbers and booleans printed, anything else empty. */
function fieldValue(v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return ''
}

/** What the hooks see of everything but metadata (and status, when it is a subresource): what generation tracks. */
function generationFieldsOf(withStatus: boolean) {
  return (obj: KubeObject) => {
    const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = obj as Record<string, unknown>
    if (withStatus) delete rest.status
    return rest
  }
}

/** The parts of a definition that differ per version (columns, subresources, schema, selectable fields, warning). */
function versionParts(crd: CustomResourceDefinition, v: CRDVersion): Partial<ResourceDefinition> {
  const group = crd.spec?.group ?? ''
  const withStatus = !!v.subresources?.status
  const scale = v.subresources?.scale
  const subresources: SubresourceDef[] = []
  if (withStatus) subresources.push({ name: 'status', verbs: ['get', 'patch', 'update'] })
  if (scale) subresources.push({ name: 'scale', verbs: ['get', 'patch', 'update'], kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' } })
  const printer = v.additionalPrinterColumns?.length ? v.additionalPrinterColumns : defaultColumns
  const columns: ColumnDef[] = [
    nameColumn,
    ...printer.map((c) => ({
      name: c.name ?? '',
      type: (c.type ?? 'string') as ColumnDef['type'],
      ...(c.format ? { format: c.format } : {}),
      description: c.description ?? '',
      priority: c.priority ?? 0,
    })),
  ]
  const selectable = (v.selectableFields ?? []).map((f) => f.jsonPath ?? '').filter(Boolean)
  const schema = v.schema?.openAPIV3Schema ?? {}
  const parts: Partial<ResourceDefinition> = {
    subresources,
    hasGeneration: true,
    generationFields: generationFieldsOf(withStatus),
    schema: () => schema,
    columns,
    row: (obj, now) => [obj.metadata.name ?? '', ...printer.map((c) => cellOf(obj, c, now))],
    // metadata.name and metadata.namespace come generically; unknown labels get upstream's "field label not supported".
    selectableFields: (obj) => Object.fromEntries(selectable.map((p) => [p.slice(1), fieldValue(getAtPath(obj, p))])),
    deprecationWarning: v.deprecated ? (v.deprecationWarning ?? `${group}/${v.name} ${crd.spec?.names?.kind} is deprecated`) : undefined,
    scalePaths: scale
      ? { specReplicas: scale.specReplicasPath ?? '.spec.replicas', statusReplicas: scale.statusReplicasPath ?? '.status.replicas' }
      : undefined,
    scaleSelector: scale
      ? (obj) => {
          const sel = scale.labelSelectorPath ? getAtPath(obj, scale.labelSelectorPath) : undefined
          if (typeof sel === 'string') return sel
          return sel && typeof sel === 'object' ? labelSelectorAsString(sel as never, { empty: '' }) : ''
        }
      : undefined,
  }
  return parts
}

/** Storage-side hooks: status handling, and the schema checks owned by crd-schema and cel-vap. */
function storageHooks(withStatus: boolean, schema: Record<string, unknown>): Partial<ResourceDefinition> {
  // Only a schema with x-kubernetes-validations needs CEL (loaded before the kind's first write).
  const rules = JSON.stringify(schema).includes('"x-kubernetes-validations"')
  const ruleErrors = (obj: unknown, old: unknown) => (rules ? cel().validateRules(schema, obj, old) : [])
  return {
    ...(rules ? { load: loadCel } : {}),
    prepareForCreate(obj) {
      // With the status subresource, a create cannot set status (customResourceStrategy.PrepareForCreate).
      if (withStatus) delete (obj as Record<string, unknown>).status
    },
    prepareForUpdate(obj, old) {
      if (withStatus) {
        const o = obj as Record<string, unknown>
        if ((old as Record<string, unknown>).status === undefined) delete o.status
        else o.status = (old as Record<string, unknown>).status
      }
    },
    // No prepareForStatusUpdate: the generic /status write takes everything but status from the
    // stored object, metadata included, which is customResourceStatusStrategy.PrepareForUpdate.
    applyDefaults(obj) {
      // Defaults first, then pruning: defaults are pruned too, as the decoder does upstream.
      applySchemaDefaults(obj as unknown as Record<string, unknown>, schema)
      pruneUnknownFields(obj as unknown as Record<string, unknown>, schema)
    },
    validate(obj): FieldError[] {
      return withRules(validateCustomObject(obj as unknown as Record<string, unknown>, schema), () => ruleErrors(obj, undefined))
    },
    validateUpdate(obj, old): FieldError[] {
      // Ratcheted rule errors are dropped (the hooks have no warnings channel yet).
      return withRules(validateCustomObject(obj as unknown as Record<string, unknown>, schema), () => ruleErrors(obj, old))
    },
  }
}

/** What serving a CRD needs to know of its live state, beyond the snapshot it is built from. */
export interface CustomResourceServing {
  /** Whether the CRD is Terminating now (its condition changes without the definition being rebuilt). */
  terminating?: () => boolean
  /** The webhook converter of a CRD with `conversion.strategy: Webhook` (see webhook-converter.ts). */
  convert?: ObjectConverter
}

/**
 * The ResourceDefinition serving `crd`: the storage version is the definition's own version, the
 * other served versions are views with `conversion: None` (only apiVersion changes), or, given
 * `convert` (strategy Webhook, see webhook-converter.ts), views converting through it. Pure; call
 * it again after the CRD changes and register the result in its place.
 */
export function customResourceDefinitionFor(crd: CustomResourceDefinition, opts: CustomResourceServing = {}): ResourceDefinition {
  const { convert } = opts
  const spec = crd.spec ?? {}
  const names = crd.status?.acceptedNames?.plural ? crd.status.acceptedNames : (spec.names ?? {})
  const group = spec.group ?? ''
  const versions = (spec.versions ?? []).filter((v) => v.served)
  const storage = (spec.versions ?? []).find((v) => v.storage) ?? versions[0]
  const storageAPIVersion = `${group}/${storage.name}`
  const withApiVersion = (obj: KubeObject, apiVersion: string): KubeObject => ({ ...obj, apiVersion })
  const servedVersions: VersionConversion[] = sortVersions(versions.filter((v) => v !== storage)).map((v) => ({
    version: v.name ?? '',
    fromStorage: (obj) => withApiVersion(obj, `${group}/${v.name}`),
    toStorage: (obj) => withApiVersion(obj, storageAPIVersion),
    overrides: versionParts(crd, v),
    ...(convert ? { convert } : {}),
  }))
  const storageParts = versionParts(crd, storage)
  const hooks = storageHooks(!!storage.subresources?.status, storage.schema?.openAPIV3Schema ?? {})
  const { terminating } = opts
  const prepareForCreate: ResourceDefinition['prepareForCreate'] = terminating
    ? (obj, ctx) => {
        // crdHandler: creates are refused while the CRD's objects are being deleted, so none outlives it.
        if (terminating()) throw new StatusError(405, 'MethodNotAllowed', 'create not allowed while custom resource definition is terminating')
        hooks.prepareForCreate?.(obj, ctx)
      }
    : hooks.prepareForCreate
  return {
    group,
    version: storage.name ?? '',
    kind: names.kind ?? '',
    plural: names.plural ?? '',
    singular: names.singular || (names.kind ?? '').toLowerCase(),
    namespaced: spec.scope === 'Namespaced',
    ...(names.shortNames?.length ? { shortNames: names.shortNames } : {}),
    ...(names.categories?.length ? { categories: names.categories } : {}),
    storagePrefix: `${group}/${names.plural}`,
    servedVersions,
    // A storage version with served: false stores the objects; only the served versions serve them
    // (crdHandler answers a request for an unserved version with the delegate's 404).
    ...(storage.served ? {} : { storageVersionServed: false }),
    ...hooks,
    ...(prepareForCreate ? { prepareForCreate } : {}),
    ...storageParts,
  }
}

/** Kube-aware version priority (GA > beta > alpha > other, higher numbers first), as version.CompareKubeAwareVersionStrings. */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v)
    if (!m) return { rank: 0, major: 0, minor: 0, name: v }
    return { rank: m[2] === 'alpha' ? 1 : m[2] === 'beta' ? 2 : 3, major: Number(m[1]), minor: Number(m[3] ?? 0), name: v }
  }
  const x = parse(a)
  const y = parse(b)
  if (x.rank !== y.rank) return y.rank - x.rank
  if (x.rank === 0) return x.name < y.name ? -1 : x.name > y.name ? 1 : 0
  if (x.major !== y.major) return y.major - x.major
  return y.minor - x.minor
}

/** Versions sorted by kube-aware priority, highest first. */
export function sortVersions<T extends { name?: string }>(versions: T[]): T[] {
  return [...versions].sort((a, b) => compareKubeVersions(a.name ?? '', b.name ?? ''))
}

/**
 * Schema errors, then the CEL rules unless a value has the wrong type (upstream's hasBlockingErr:
 * rules cannot be evaluated against a value the schema already refused as of another type).
 */
function withRules(schemaErrors: FieldError[], rules: () => FieldError[]): FieldError[] {
  if (schemaErrors.some((e) => e.type === 'FieldValueTypeInvalid' || e.detail?.includes(' must be of type '))) return schemaErrors
  return [...schemaErrors, ...rules()]
}
