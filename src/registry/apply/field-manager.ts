/**
 * @module field-manager: metadata.managedFields on writes, after
 * k8s.io/apimachinery/pkg/util/managedfields/internal (fieldmanager.go and the managers
 * NewDefaultFieldManager stacks: versionCheck → lastAppliedUpdater → lastAppliedManager →
 * skipNonApplied → capManagers → buildManagerInfo → managedFieldsUpdater → stripMeta →
 * structuredMerge). Update operations (create, update, non-apply patch) record what changed under
 * the writer's name; Apply merges a configuration through the Updater and reports conflicts.
 */
import { StatusError } from '../../errors.js'
import type { KubeObject } from '../../types.js'
import { FieldPathSet } from './field-set.js'
import { TypedValueError } from './list-items.js'
import { decodeManagedFields, emptyManaged, encodeManagedFields, type Managed, ManagedFieldsError, managerKey, printManager } from './managed-fields.js'
import { fieldElement } from './path-element.js'
import { goJSON } from './value.js'
import { ApplyConflicts, type Conflict, type FieldSet, type Managers, type Updater } from './updater.js'

/** What one endpoint (a kind's main resource or one of its subresources) tracks fields with. */
export interface FieldManagerScope {
  updater: Updater
  /** The objects' `group/version` (`apps/v1`, `v1`). */
  apiVersion: string
  kind: string
  /** `status`, `scale`, …; undefined for the main resource. */
  subresource?: string
  /** Fields this endpoint resets (the strategy's GetResetFields): nobody owns changes to them here. */
  ignored?: FieldSet
  /** The current time as RFC 3339 (seconds), for the entries' `time`. */
  now(): string
}

/** DefaultMaxUpdateManagers. */
const maxUpdateManagers = 10
const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration'

// stripMetaManager's set: never part of anyone's fields.
const stripSet = FieldPathSet.of([
  [fieldElement('apiVersion')],
  [fieldElement('kind')],
  [fieldElement('metadata')],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map((f) => [
    fieldElement('metadata'),
    fieldElement(f),
  ]),
])

/**
 * FieldManager.UpdateNoErrors: records `manager`'s Update of `live` (undefined on create) into
 * `next` (whose metadata it replaces the managedFields of). Never throws: when the fields cannot
 * be computed, `next` keeps the live object's managedFields.
 */
export function trackUpdate(scope: FieldManagerScope, live: KubeObject | undefined, next: KubeObject, manager: string): void {
  const liveFields = live?.metadata.managedFields
  try {
    const managed = scope.subresource ? decodedOrEmpty(liveFields) : decodeLiveOrNew(liveFields, next.metadata.managedFields)
    delete next.metadata.managedFields
    // skipNonAppliedManager: an object nobody tracked stays untracked until its first apply (creates are tracked).
    if (managed.fields.size === 0 && live?.metadata.uid) return
    const key = updateKey(scope, manager)
    const out = updateManaged(scope, stripManagedFields(live), next, managed, key)
    setManagedFields(next, encodeManagedFields(capUpdateManagers(out)))
  } catch (err) {
    if (!(err instanceof TypedValueError || err instanceof ManagedFieldsError)) throw err
    setManagedFields(next, liveFields as unknown[] | undefined)
  }
}

/**
 * FieldManager.Apply: `patch` (the apply configuration) merged into `live` (undefined: the
 * object is created) as `manager`'s; returns the new object with its managedFields. Throws
 * StatusError: 409 with the conflicts unless `force`, 400 for a configuration of another kind,
 * a reason-less 500 for one that does not fit the schema (as upstream).
 */
export function applyPatch(
  scope: FieldManagerScope,
  live: KubeObject | undefined,
  patch: Record<string, unknown>,
  manager: string,
  force: boolean,
  where: { namespace: string; name: string },
): KubeObject {
  checkAppliedType(scope, patch)
  const meta = patch.metadata as { managedFields?: unknown } | undefined
  if (meta && typeof meta === 'object' && meta.managedFields !== undefined) throw StatusError.badRequest('metadata.managedFields must be nil')
  let managed: Managed
  try {
    managed = decodeManagedFields(live?.metadata.managedFields)
  } catch (err) {
    throw StatusError.badRequest(`failed to decode managed fields: ${(err as Error).message}`)
  }
  const liveObj = stripManagedFields(live)
  let result: KubeObject
  try {
    try {
      result = applyManaged(scope, liveObj, patch, managed, manager, force)
    } catch (err) {
      // lastAppliedManager: kubectl's first server-side apply over a client-side one may take
      // the fields its last-applied configuration shows it set.
      if (!(err instanceof ApplyConflicts) || manager !== 'kubectl' || !liveObj) throw err
      const allowed = allowedFromLastApplied(scope, liveObj)
      if (!allowed) throw err
      const remaining = err.conflicts.filter((c) => !allowed.has(c.path))
      if (remaining.length) throw new ApplyConflicts(remaining)
      result = applyManaged(scope, liveObj, patch, managed, manager, true)
    }
  } catch (err) {
    if (err instanceof ApplyConflicts) throw conflictError(err.conflicts)
    // structuredMergeManager.Apply returns a plain fmt.Errorf here, which the apiserver answers
    // as a reason-less 500 (kubernetes/kubernetes#118877, #122480 are still open).
    if (err instanceof TypedValueError) throw typedPatchError(scope, where, err)
    throw err
  }
  // lastAppliedUpdater: kubectl keeps a client-side apply's annotation in step with what it applies.
  const annotations = result.metadata.annotations
  if (manager === 'kubectl' && annotations?.[lastAppliedAnnotation]) {
    const { [lastAppliedAnnotation]: _, ...rest } = ((patch.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {}) as Record<
      string,
      string
    >
    const config: Record<string, unknown> = { ...patch, metadata: { ...(patch.metadata as object) } }
    const configMeta = config.metadata as Record<string, unknown>
    if (Object.keys(rest).length) configMeta.annotations = rest
    else delete configMeta.annotations
    result.metadata.annotations = { ...annotations, [lastAppliedAnnotation]: `${goJSON(config)}\n` }
  }
  return result
}

/** versionCheckManager: an apply configuration must be of the endpoint's kind and version. */
export function checkAppliedType(scope: Pick<FieldManagerScope, 'apiVersion' | 'kind'>, patch: Record<string, unknown>): void {
  if (patch.apiVersion !== scope.apiVersion || patch.kind !== scope.kind) {
    throw StatusError.badRequest(`invalid object type: ${gvkString(patch.apiVersion, patch.kind)}`)
  }
}

/**
 * The typed conversion of an apply configuration, which upstream runs before the request's field
 * validation: a value that does not fit the schema, a repeated list key or an undeclared field
 * is the reason-less 500 `failed to create typed patch object (…)`.
 */
export function checkApplyConfig(
  scope: Pick<FieldManagerScope, 'updater' | 'apiVersion' | 'kind'>,
  patch: Record<string, unknown>,
  where: { namespace: string; name: string },
): void {
  checkAppliedType(scope, patch)
  try {
    scope.updater.validate(patch)
  } catch (err) {
    if (err instanceof TypedValueError) throw typedPatchError(scope, where, err)
    throw err
  }
}

// structuredMergeManager.Apply returns a plain fmt.Errorf here, which the apiserver answers as a
// reason-less 500 (kubernetes/kubernetes#118877, #122480 are still open).
function typedPatchError(scope: Pick<FieldManagerScope, 'apiVersion' | 'kind'>, where: { namespace: string; name: string }, err: TypedValueError): StatusError {
  return StatusError.untranslated(
    `failed to create typed patch object (${where.namespace}/${where.name}; ${gvkString(scope.apiVersion, scope.kind)}): ${err.message}`,
  )
}

/** The 409 of merge.Conflicts (NewConflictError). */
export function conflictError(conflicts: Conflict[]): StatusError {
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.manager)}`, field: c.path }))
  let message: string
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0]!.manager)}: ${conflicts[0]!.path}`
  } else {
    const byManager = new Map<string, string[]>()
    for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.path])
    const lines: string[] = []
    for (const m of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${printManager(m)}:`)
      for (const p of byManager.get(m)!) lines.push(`- ${p}`)
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`
  }
  return new StatusError(409, 'Conflict', message, { causes })
}

// --- the managers ------------------------------------------------------------------------------

function updateKey(scope: FieldManagerScope, manager: string): string {
  return managerKey({ manager: manager || 'unknown', operation: 'Update', apiVersion: scope.apiVersion, subresource: scope.subresource })
}

// managedFieldsUpdater over stripMeta over structuredMerge, for an Update by `key`.
function updateManaged(scope: FieldManagerScope, live: KubeObject | undefined, next: KubeObject, managed: Managed, key: string): Managed {
  const self = 'current-operation'
  const fields = scope.updater.update(live, next, scope.apiVersion, managed.fields, self, scope.ignored)
  strip(fields, self)
  const times = new Map(managed.times)
  const vs = fields.get(self)
  if (vs) {
    // The write changed something: it joins the manager's earlier fields and dates the entry.
    fields.delete(self)
    const prev = fields.get(key)
    fields.set(key, prev ? { set: vs.set.union(prev.set), apiVersion: vs.apiVersion, applied: vs.applied } : vs)
    times.set(key, scope.now())
  }
  return { fields, times }
}

// skipNonApplied → capManagers → buildManagerInfo → managedFieldsUpdater → stripMeta → structuredMerge, for an Apply.
function applyManaged(
  scope: FieldManagerScope,
  live: KubeObject | undefined,
  patch: Record<string, unknown>,
  managed: Managed,
  manager: string,
  force: boolean,
): KubeObject {
  // An object nobody tracked yet: what it holds becomes "before-first-apply"'s.
  if (managed.fields.size === 0 && live) managed = capUpdateManagers(updateManaged(scope, undefined, live, managed, updateKey(scope, 'before-first-apply')))
  const key = managerKey({ manager: manager || 'unknown', operation: 'Apply', subresource: scope.subresource })
  const r = scope.updater.apply(live, patch, scope.apiVersion, managed.fields, key, force, scope.ignored)
  strip(r.managers, key)
  const times = new Map(managed.times)
  let object: KubeObject
  if (r.unchanged && live) object = { ...live, metadata: { ...live.metadata } }
  else {
    object = r.object as KubeObject
    object.metadata = { ...(object.metadata ?? {}) }
    times.set(key, scope.now())
  }
  setManagedFields(object, encodeManagedFields({ fields: r.managers, times }))
  return object
}

// stripMetaManager.stripFields
function strip(fields: Managers, key: string): void {
  const vs = fields.get(key)
  if (!vs) return
  const set = vs.set.difference(stripSet)
  if (set.isEmpty()) fields.delete(key)
  else fields.set(key, { ...vs, set })
}

// capManagersManager.capUpdateManagers: the oldest Update entries beyond ten merge into "ancient-changes" per version.
function capUpdateManagers(managed: Managed): Managed {
  const updaters = [...managed.fields].filter(([, vs]) => !vs.applied).map(([k]) => k)
  if (updaters.length <= maxUpdateManagers) return managed
  const seconds = (k: string) => {
    const t = managed.times.get(k)
    return t ? Math.floor(Date.parse(t) / 1000) : 0
  }
  updaters.sort((a, b) => seconds(a) - seconds(b) || (a < b ? -1 : a > b ? 1 : 0))
  const fields = new Map(managed.fields)
  const times = new Map(managed.times)
  const firstOfVersion = new Map<string, string>()
  let length = updaters.length
  for (let i = 0; i < updaters.length && length > maxUpdateManagers; i++) {
    const manager = updaters[i]!
    const vs = fields.get(manager)!
    const bucket = managerKey({ manager: 'ancient-changes', operation: 'Update', apiVersion: vs.apiVersion })
    const first = firstOfVersion.get(vs.apiVersion)
    if (first === undefined) {
      firstOfVersion.set(vs.apiVersion, manager)
      continue
    }
    if (!fields.has(bucket)) {
      fields.set(bucket, fields.get(first)!)
      fields.delete(first)
    }
    fields.set(bucket, { set: vs.set.union(fields.get(bucket)!.set), apiVersion: vs.apiVersion, applied: vs.applied })
    fields.delete(manager)
    length--
    times.set(bucket, times.get(manager))
  }
  return { fields, times }
}

// lastAppliedManager.allowedConflictsFromLastApplied: the last-applied fields whose value the live object still has.
function allowedFromLastApplied(scope: FieldManagerScope, live: KubeObject): FieldSet | undefined {
  const text = live.metadata.annotations?.[lastAppliedAnnotation]
  if (!text) return undefined
  let last: unknown
  try {
    last = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!last || typeof last !== 'object' || (last as { apiVersion?: unknown }).apiVersion !== scope.apiVersion) return undefined
  try {
    // The fields kubectl applied whose value the live object still has (Update by a fresh
    // manager over the last-applied object shows which differ).
    const set = scope.updater.update(undefined, last as object, scope.apiVersion, new Map(), 'last-applied').get('last-applied')?.set
    if (!set) return undefined
    const changed = scope.updater.update(
      last as object,
      live,
      scope.apiVersion,
      new Map([['last', { set, apiVersion: scope.apiVersion, applied: false }]]),
      'live',
    )
    return changed.get('last')?.set
  } catch {
    return undefined
  }
}

// --- helpers -----------------------------------------------------------------------------------

// decodeLiveOrNew for the main resource: the request's managedFields when it sets any (a reset
// when it sends an empty list), else the live object's.
function decodeLiveOrNew(liveFields: unknown, newFields: unknown): Managed {
  if (Array.isArray(newFields) && (newFields.length === 0 || (newFields.length === 1 && isEmptyEntry(newFields[0])))) return emptyManaged()
  try {
    const managed = decodeManagedFields(newFields)
    if (managed.fields.size > 0) return managed
  } catch (err) {
    if (!(err instanceof ManagedFieldsError)) throw err
  }
  return decodedOrEmpty(liveFields)
}

function decodedOrEmpty(fields: unknown): Managed {
  try {
    return decodeManagedFields(fields)
  } catch (err) {
    if (err instanceof ManagedFieldsError) return emptyManaged()
    throw err
  }
}

function isEmptyEntry(e: unknown): boolean {
  return !!e && typeof e === 'object' && Object.keys(e).length === 0
}

function stripManagedFields(o: KubeObject | undefined): KubeObject | undefined {
  if (!o?.metadata || o.metadata.managedFields === undefined) return o
  const { managedFields: _, ...metadata } = o.metadata
  return { ...o, metadata }
}

function setManagedFields(o: KubeObject, fields: unknown[] | undefined): void {
  if (fields?.length) o.metadata.managedFields = fields as KubeObject['metadata']['managedFields']
  else delete o.metadata.managedFields
}

// GroupVersionKind.String(): `apps/v1, Kind=Deployment`, `/v1, Kind=Pod`.
function gvkString(apiVersion: unknown, kind: unknown): string {
  const av = typeof apiVersion === 'string' ? apiVersion : ''
  const slash = av.indexOf('/')
  const [group, version] = slash < 0 ? ['', av] : [av.slice(0, slash), av.slice(slash + 1)]
  return `${group}/${version}, Kind=${typeof kind === 'string' ? kind : ''}`
}
