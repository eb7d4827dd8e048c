/** @module registry: all served resources over one store; the client the API and controllers share. */
import { StatusError, type ResourceRef } from '../errors.js'
import type { ObjectStore } from '../store/object-store.js'
import type { Clock } from '../sim/clock.js'
import type { KubeObject } from '../types.js'
import { normalizeGoJSON } from '../openapi/go-json.js'
import { randomSuffix, ResourceStore, type AnyResourceStore, type RegistryContext } from './generic-registry.js'
import { randomNames, type NameGenerator } from './generated-names.js'
import type { AnyResourceDefinition, HookContext } from './resource-definition.js'
import { ResourceVersionView } from './version-view.js'
import { AdmissionChain, type AdmissionPlugin } from './admission.js'
import { defaultAdmissionPlugins } from './admission-plugins.js'
import type { WebhookTransport } from './admissionregistration/webhook-client.js'
import { alwaysAllow, type Authorizer } from './authorization/authorizer.js'
import type { TokenAuthenticator } from './authentication/authenticator.js'
import { ServiceAccountTokens } from './authentication/service-account-tokens.js'

/** A request to the API server from inside the simulated cluster. */
export interface InClusterRequest {
  method: string
  /** Path and query. */
  path: string
  headers: Record<string, string>
  body?: string
}

/** The API server's answer to an {@link InClusterRequest}. */
export interface InClusterResponse {
  status: number
  headers: Record<string, string>
  body: string
}

export interface RegistryOptions {
  store: ObjectStore
  clock: Clock
  definitions: AnyResourceDefinition[]
  /** Service cluster IP range base, e.g. 10.96.0.0/12 → first usable 10.96.0.1. */
  serviceCIDR?: string
  /** The admission plugins, in order (default: defaultAdmissionPlugins). */
  admission?: ((registry: Registry) => AdmissionPlugin)[]
  /** The HTTPS client admission and conversion webhooks are called with (none: every call fails). */
  webhookTransport?: WebhookTransport
  /** Where a webhook Service runs on this machine: `namespace/name` (or `namespace/name:port`) → `https://host:port`. */
  webhookServiceURLs?: Record<string, string>
  /** The authorizer requests and in-storage checks ask (default: alwaysAllow). */
  authorizer?: Authorizer
  /** Draws generateName suffixes (default: random, as upstream; a scenario seed makes them seeded). */
  names?: NameGenerator
}

/**
 * Holds one ResourceStore per definition. Definitions are checked at construction, so a wiring
 * mistake fails at boot with a message that names the fix.
 */
export class Registry {
  readonly store: ObjectStore
  readonly clock: Clock
  private readonly byPath = new Map<string, AnyResourceStore>()
  private readonly byGVK = new Map<string, AnyResourceStore>()
  readonly resources: AnyResourceStore[] = []
  /**
   * The further served versions of multi-version kinds (ResourceDefinition.servedVersions), in
   * definition order. Not in `resources`: they hold no objects of their own.
   */
  readonly versionViews: AnyResourceStore[] = []
  private readonly byVersion = new Map<string, AnyResourceStore>()
  /** The admission chain every untrusted write passes (plugins look their resources up lazily). */
  readonly admission: AdmissionChain
  /** See RegistryOptions.webhookTransport. */
  readonly webhookTransport?: WebhookTransport
  /** See RegistryOptions.webhookServiceURLs. */
  readonly webhookServiceURLs?: Record<string, string>
  /** See RegistryOptions.names: snapshots save and restore its counters, reset starts them over. */
  readonly names: NameGenerator
  /** See RegistryOptions.authorizer. Settable: the RBAC authorizer reads this registry's roles. */
  authorizer: Authorizer
  /** Signs and checks service-account tokens (TokenRequest, the request authenticator, TokenReview). */
  readonly serviceAccountTokens: ServiceAccountTokens
  /**
   * The bearer-token authenticators in kube-apiserver's order, which TokenReview asks: the
   * service-account tokens alone by default; the HTTP layer puts the static tokens first.
   */
  tokenAuthenticator: TokenAuthenticator
  /**
   * How clients inside the simulated cluster (curl in a pod, through the `kubernetes` Service)
   * reach the API server: set by the HTTP layer; absent when nothing serves HTTP.
   */
  apiServerTransport?: (req: InClusterRequest) => Promise<InClusterResponse>

  constructor(opts: RegistryOptions) {
    this.store = opts.store
    this.clock = opts.clock
    this.webhookTransport = opts.webhookTransport
    this.webhookServiceURLs = opts.webhookServiceURLs
    this.authorizer = opts.authorizer ?? alwaysAllow
    this.names = opts.names ?? randomNames
    this.serviceAccountTokens = new ServiceAccountTokens(this)
    this.tokenAuthenticator = this.serviceAccountTokens
    const ctx: RegistryContext = {
      store: opts.store,
      now: () => opts.clock.now(),
      hookContext: () => this.hookContext(),
      normalize: (obj, only, prev) => normalizeGoJSON(obj, only, prev as Record<string, unknown> | undefined),
      checkNamespace: (ns, ref, name, verb) => this.checkNamespace(ns, ref, name, verb),
      registry: this,
      names: this.names,
    }
    this.admission = new AdmissionChain((opts.admission ?? defaultAdmissionPlugins).map((f) => f(this)))
    ctx.admission = this.admission
    this.ctx = ctx
    for (const def of opts.definitions) this.register(def)
  }

  private readonly ctx: RegistryContext
  private readonly changeListeners = new Set<() => void>()
  /** Bumped whenever a definition is added or removed at run time: caches of discovery and OpenAPI key on it. */
  generation = 0

  private register(def: AnyResourceDefinition): AnyResourceStore {
    checkDefinition(def)
    const path = `${def.group}/${def.plural}`
    if (this.byPath.has(path))
      throw new Error(
        `resource definition ${def.kind}: plural "${def.plural}" is already registered in group "${def.group}"; give each definition a unique plural`,
      )
    const rs = new ResourceStore(def, this.ctx)
    this.byPath.set(path, rs)
    this.byGVK.set(`${rs.apiVersion}/${def.kind}`, rs)
    this.resources.push(rs)
    for (const conv of def.servedVersions ?? []) {
      const view = new ResourceVersionView(rs, conv, this.ctx)
      this.byVersion.set(`${def.group}/${conv.version}/${def.plural}`, view)
      this.byGVK.set(`${view.apiVersion}/${def.kind}`, view)
      this.versionViews.push(view)
    }
    return rs
  }

  /**
   * Serves a definition from now on (custom resources: one per established CRD). A definition of
   * the same group and plural is replaced, as a CRD update replaces its serving handler; the
   * stored objects stay (they live in the store under the same key).
   */
  addDefinition(def: AnyResourceDefinition): AnyResourceStore {
    if (this.byPath.has(`${def.group}/${def.plural}`)) this.unregister(def.group, def.plural)
    const rs = this.register(def)
    this.changed()
    return rs
  }

  /** Stops serving group + plural (its objects stay in the store). False when it was not served. */
  removeDefinition(group: string, plural: string): boolean {
    if (!this.unregister(group, plural)) return false
    this.changed()
    return true
  }

  /** Calls `listener` after every addDefinition/removeDefinition; returns the unsubscribe function. */
  onDefinitionsChanged(listener: () => void): () => void {
    this.changeListeners.add(listener)
    return () => this.changeListeners.delete(listener)
  }

  private changed(): void {
    this.generation++
    for (const l of this.changeListeners) l()
  }

  private unregister(group: string, plural: string): boolean {
    const rs = this.byPath.get(`${group}/${plural}`)
    if (!rs) return false
    this.byPath.delete(`${group}/${plural}`)
    for (const [k, v] of this.byGVK) if (v === rs || (v instanceof ResourceVersionView && v.parent === rs)) this.byGVK.delete(k)
    for (const [k, v] of this.byVersion) if (v instanceof ResourceVersionView && v.parent === rs) this.byVersion.delete(k)
    this.resources.splice(this.resources.indexOf(rs), 1)
    for (let i = this.versionViews.length - 1; i >= 0; i--) {
      const v = this.versionViews[i]
      if (v instanceof ResourceVersionView && v.parent === rs) this.versionViews.splice(i, 1)
    }
    return true
  }

  /** The resource store for group + plural (core group is ""), or undefined. */
  find(group: string, plural: string): AnyResourceStore | undefined {
    return this.byPath.get(`${group}/${plural}`)
  }

  /**
   * The store serving group + plural at `version`: the resource's own when that is its storage
   * version, else a conversion view (ResourceDefinition.servedVersions), else undefined.
   */
  findVersion(group: string, version: string, plural: string): AnyResourceStore | undefined {
    const rs = this.byPath.get(`${group}/${plural}`)
    if (rs && rs.def.version === version) return rs.def.storageVersionServed === false ? undefined : rs
    return this.byVersion.get(`${group}/${version}/${plural}`)
  }

  /**
   * Every store the API serves, for discovery and OpenAPI: the storage versions that are served
   * (ResourceDefinition.storageVersionServed), then every further served version.
   */
  servedStores(): AnyResourceStore[] {
    return [...this.resources.filter((rs) => rs.def.storageVersionServed !== false), ...this.versionViews]
  }

  /** Like find, but for code that knows the resource exists. */
  resource<T extends KubeObject = KubeObject>(group: string, plural: string): ResourceStore<T> {
    const rs = this.byPath.get(`${group}/${plural}`)
    if (!rs) throw new Error(`no resource ${plural} in group "${group}" is registered`)
    return rs
  }

  /** The resource store serving apiVersion + kind. */
  forKind(apiVersion: string, kind: string): AnyResourceStore | undefined {
    return this.byGVK.get(`${apiVersion}/${kind}`)
  }

  hookContext(): HookContext {
    return {
      now: new Date(this.clock.now()),
      randomSuffix,
      allocateClusterIP: () => this.allocateClusterIP(),
    }
  }

  private checkNamespace(ns: string, ref: ResourceRef, name: string, verb: 'create' | 'update'): void {
    const namespaces = this.find('', 'namespaces')
    if (!namespaces) return
    const s = namespaces.getStored('', ns)
    if (!s) throw StatusError.notFound({ group: '', resource: 'namespaces' }, ns)
    if (verb === 'create' && s.obj.metadata.deletionTimestamp) {
      const err = StatusError.forbidden(ref, name, `unable to create new content in namespace ${ns} because it is being terminated`)
      err.status.details = {
        ...err.status.details,
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }],
      }
      throw err
    }
  }

  /** Picks the next free address in 10.96.0.0/12 (10.96.0.1 goes to the `kubernetes` service). */
  private allocateClusterIP(): string {
    const used = new Set<string>()
    const services = this.find('', 'services')
    if (services) {
      for (const s of this.store.list(services.key)) {
        const spec = (s.obj as { spec?: { clusterIP?: string } }).spec
        if (spec?.clusterIP) used.add(spec.clusterIP)
      }
    }
    for (let tries = 0; tries < 10_000; tries++) {
      const n = tries < 2 ? tries + 1 : 2 + Math.floor(Math.random() * ((1 << 20) - 4))
      const ip = `10.${96 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`
      if (!used.has(ip) && ip !== '10.96.0.10') return ip
    }
    throw StatusError.internal('failed to allocate a serviceIP: range is full')
  }
}

function checkDefinition(def: AnyResourceDefinition): void {
  // metrics-server's kinds declare an empty singular name (GetSingularName returns ""), as discovery shows.
  const missing = (['kind', 'plural', 'singular', 'version'] as const).filter((k) => !def[k] && !(k === 'singular' && def.computed && def.singular === ''))
  if (missing.length)
    throw new Error(`resource definition ${def.kind ?? def.plural ?? '?'} is missing ${missing.join(', ')}; set them in its file under src/registry/`)
  if (def.group === undefined) throw new Error(`resource definition ${def.kind} has no group; use "" for the core group`)
  if (def.columns && !def.row) throw new Error(`resource definition ${def.kind} declares columns but no row(); add row() or drop the columns`)
}
