/** @module resource-definition: the per-kind "strategy" the generic registry runs in a fixed hook order. */
import type { FieldError, KubeObject } from '../types.js'
import type { ResourceStore } from './generic-registry.js'
import type { Registry } from './registry.js'
import type { Authorizer } from './authorization/authorizer.js'

/** One Table column as metav1.TableColumnDefinition. `priority: 1` columns show only with `-o wide`. */
export interface ColumnDef {
  name: string
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date'
  format?: string
  description?: string
  priority?: number
}

/** A Table cell: strings, numbers (integer columns) or null. */
export type Cell = string | number | boolean | null

/** A subresource served under the parent (`status`, `scale`, `binding`, `eviction`, …). */
export interface SubresourceDef {
  name: string
  /** Verbs advertised in discovery. */
  verbs: string[]
  /** GVK of the subresource's body when not the parent kind (Scale → autoscaling/v1). */
  kind?: { group: string; version: string; kind: string }
}

/** What a restCreate hook gets: the request's namespace, the cluster's stores and time. */
export interface RestCreateContext {
  namespace: string
  nowMs: number
  dryRun: boolean
  /** Who asked (absent for in-process callers): the review kinds answer about this user. */
  user?: RequestUser
  /** The cluster's authorizer (Registry.authorizer): SubjectAccessReviews ask it. */
  authorizer: Authorizer
  /** Another kind's registry (core group is ""). */
  resource(group: string, plural: string): ResourceStore
  /** The cluster's registry (its authenticators and authorizer, for the review kinds). */
  registry?: Registry
}

/** What a computed kind's hooks get: the request's namespace (undefined: every namespace) and the cluster's registry. */
export interface ComputedContext {
  namespace?: string
  registry: Registry
}

/** Context handed to hooks: the simulated clock's now and helpers that need the cluster. */
export interface HookContext {
  now: Date
  /** Allocates a cluster IP for a Service (stateful, owned by the registry). */
  allocateClusterIP?: () => string
  /** Random 5-char suffix from the generateName alphabet. */
  randomSuffix: (n: number) => string
  /** The user a create request came from (absent for in-process writers): CSRs record it in spec.username & co. */
  user?: RequestUser
}

/** The authenticated user of a request, as user.Info (name, uid, groups, extra). */
export interface RequestUser {
  username: string
  uid: string
  groups: string[]
  extra?: Record<string, string[]>
}

/** The update strategy of a writable subresource other than status (certificatesigningrequests/approval). */
export interface SubresourceStrategy<T extends KubeObject = KubeObject> {
  /** Keeps what the subresource may not change (PrepareForUpdate of its strategy). */
  prepareForUpdate(obj: T, old: T, ctx: HookContext): void
  /** Its ValidateUpdate. */
  validateUpdate?(obj: T, old: T): FieldError[]
}

/**
 * Another version a kind is served at (autoscaling/v1 for the v2 HorizontalPodAutoscaler), with
 * the pair of conversions upstream's conversion.go defines. Objects stay in the storage
 * version; the API converts request bodies in and responses, list items and watch events out.
 */
export interface VersionConversion {
  version: string
  /** The stored object (storage version) as this version shows it; must not mutate `obj`. */
  fromStorage(obj: KubeObject): KubeObject
  /** An object of this version in the storage version; must not mutate `obj`. */
  toStorage(obj: KubeObject): KubeObject
  /**
   * What this version serves differently from the storage version (custom resources: its own
   * columns, schema, subresources and deprecation warning); hooks here see this version's objects.
   */
  overrides?: Partial<ResourceDefinition>
  /**
   * Set when converting calls out (a CRD's conversion webhook): objects of the kind in
   * `desiredAPIVersion`, in order. The view then converts every request, response, list item and
   * watch event with it, and `fromStorage`/`toStorage` only rename the apiVersion (for rows and
   * in-process reads that cannot wait).
   */
  convert?: (objs: KubeObject[], desiredAPIVersion: string) => Promise<KubeObject[]>
}

/**
 * Everything that differs between kinds. The generic registry holds every shared rule; a
 * definition only supplies these hooks (after Kubernetes' rest.RESTCreateStrategy & co.).
 * Hooks may mutate `obj` (the request's copy) but must never mutate `old`.
 */
export interface ResourceDefinition<T extends KubeObject = KubeObject> {
  group: string
  version: string
  kind: string
  /** Plural resource name used in URLs. */
  plural: string
  singular: string
  namespaced: boolean
  shortNames?: string[]
  categories?: string[]
  /** Further served versions, after `version` (which is the storage and preferred one). */
  servedVersions?: VersionConversion[]
  /**
   * False when `version` only stores the objects and is not served (a CRD storage version with
   * `served: false`): its paths 404 and it is absent from discovery and OpenAPI, while the
   * servedVersions serve the objects. Default true.
   */
  storageVersionServed?: boolean
  /** Verbs, default all eight; namespaces have no deletecollection. */
  verbs?: string[]
  subresources?: SubresourceDef[]
  /** Kind has metadata.generation (spec/status kinds). */
  hasGeneration?: boolean
  /**
   * The kind's OpenAPI v3 schema when it is not one of the generated built-in definitions
   * (custom resources: the served version's `openAPIV3Schema`). Server-side apply reads list and
   * map types from it; built-ins leave it unset and use src/openapi/definitions.ts.
   */
  schema?: () => Record<string, unknown>
  /**
   * Loads what the kind's synchronous hooks need and the process has not loaded at start (CEL for
   * CRDs, admission policies and webhook configurations): the first create or update of the kind
   * in a registry waits for it.
   */
  load?: () => Promise<unknown>
  /** Fields whose change bumps generation (default: `spec`). Deployments add metadata.annotations. */
  generationFields?: (obj: T) => unknown
  /**
   * The store keeps only the serialized form of each version and parses it when read (see
   * StoreWriteOptions.compact): for kinds written far more often than read, such as Events.
   */
  compactStorage?: boolean
  /**
   * The store keeps only the parsed object of each version and serializes it when a read asks
   * (see StoreWriteOptions.parsed): for kinds every cluster boots with many of, read mostly by
   * its own components (the bootstrap RBAC policy, APF configuration, APIServices).
   */
  parsedStorage?: boolean
  /**
   * The etcd key prefix under /registry/ (`--etcd-servers`), as upstream's storage for the kind
   * names it (`services/specs`, `minions`); default the plural.
   */
  storagePrefix?: string

  /**
   * Objects computed on every read, never stored (componentstatuses): get and list serve these;
   * the definition's verbs must then leave out the writes and watch.
   */
  computed?(now: Date, ctx: ComputedContext): KubeObject[]
  /**
   * A computed kind's GET of one object (default: the computed() object of that name); may throw
   * its own NotFound (metrics.k8s.io: `pods "x" not found` before `podmetrics… "ns/x" not found`).
   */
  computedGet?(now: Date, ctx: ComputedContext, name: string): KubeObject | undefined
  /**
   * A create served by the kind's own REST storage instead of the generic store (legacy `bindings`
   * binds a pod): returns the response body (a Status). The verbs must be ['create'].
   */
  restCreate?(ctx: RestCreateContext, obj: KubeObject): Promise<KubeObject>
  /** The Warning the server sends on every request for a deprecated kind (`v1 ComponentStatus is deprecated in v1.19+`). */
  deprecationWarning?: string
  /** Apply the API defaults (SetDefaults_*). Called on create and on update, before prepare. */
  applyDefaults?(obj: T, ctx: HookContext): void
  /** Clear status etc. on create (PrepareForCreate). */
  prepareForCreate?(obj: T, ctx: HookContext): void
  /** Keep status on update of the main resource (PrepareForUpdate). */
  prepareForUpdate?(obj: T, old: T, ctx: HookContext): void
  /** The /status variant: keep everything but status (and sometimes metadata parts). */
  prepareForStatusUpdate?(obj: T, old: T, ctx: HookContext): void
  /**
   * metadata.name's validator when it is not NameIsDNSSubdomain (APIServices: path segment names
   * of the form `<version>.<group>`); returns the messages, as a ValidateNameFunc does.
   */
  validateName?(name: string, obj: T): string[]
  /** Update strategies of writable subresources besides status, by subresource name. */
  subresourceStrategies?: Record<string, SubresourceStrategy<T>>
  /** Pure create-time validation (ValidateX). */
  validate?(obj: T): FieldError[]
  /** Create-only rules after `validate` (ValidatePodCreate: no ephemeral containers on create). */
  validateCreate?(obj: T): FieldError[]
  /** Update validation: immutables such as the selector (ValidateXUpdate). */
  validateUpdate?(obj: T, old: T): FieldError[]
  /** Validation of a /status write (spec cannot change there, so the spec rules do not run). */
  validateStatusUpdate?(obj: T, old: T): FieldError[]
  /** Exactly the extra fields ToSelectableFields supports (metadata.name/namespace are added generically). */
  selectableFields?(obj: T): Record<string, string>
  /**
   * Legacy field labels the v1 field-label conversion renames before selecting (pods:
   * `spec.host` → `spec.nodeName`), as AddFieldLabelConversionFunc does.
   */
  fieldLabelAliases?: Record<string, string>
  /**
   * The scale subresource's `status.selector` (default: spec.selector as a LabelSelector).
   * ReplicationControllers select with a plain label map (labels.SelectorFromSet).
   */
  scaleSelector?(obj: T): string
  /**
   * Where the scale subresource reads and writes replicas when not `.spec.replicas` and
   * `.status.replicas` (custom resources: the CRD's specReplicasPath and statusReplicasPath).
   */
  scalePaths?: { specReplicas: string; statusReplicas: string }
  /** Table columns; empty or absent means the default Name / Created At convertor. */
  columns?: ColumnDef[]
  /** One row of cells, one per column. */
  row?(obj: T, now: Date): Cell[]
  /** Row conditions (pods: Completed). */
  rowConditions?(obj: T): { type: string; status: string; reason?: string; message?: string }[] | undefined
  /**
   * Graceful deletion: the grace period to use for `requested` (undefined when the client gave
   * none); return undefined/0 for immediate deletion. Only pods are graceful.
   */
  gracePeriod?(obj: T, requested: number | undefined): number
  /**
   * Extra reasons an object stays after DELETE beyond metadata.finalizers (namespaces wait for
   * spec.finalizers). Pure.
   */
  holdsDeletion?(obj: T): boolean
  /**
   * Admission for DELETE, before anything changes (dry runs included): return why this object may
   * not be deleted (a 403 Forbidden `<resource> "<name>" is forbidden: <why>`), or undefined.
   */
  admitDelete?(obj: T): string | undefined
  /** Runs when DELETE first marks the object (namespaces: status.phase = Terminating). */
  prepareForDeletion?(obj: T): void
  /** DELETE answers with the object (pods, services) instead of a Success Status. */
  returnDeletedObject?: boolean
  /** Called after an object was created in storage (e.g. namespaces → default service account). */
  afterCreate?(obj: T): void
}

/**
 * A definition of any object type, for lists that hold many kinds (each definition is checked
 * against its own type where it is declared).
 */
// biome-ignore lint/suspicious/noExplicitAny: hook parameters are contravariant, so a list of kinds needs any.
export type AnyResourceDefinition = ResourceDefinition<any>
