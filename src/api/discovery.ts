/** @module discovery: /api, /apis and per-group-version documents, all generated from the registry. */
import { createHash } from 'node:crypto'
import type { Registry } from '../registry/registry.js'
import type { ResourceStore } from '../registry/generic-registry.js'
import type { ResourceDefinition, SubresourceDef } from '../registry/resource-definition.js'
import { ResourceVersionView } from '../registry/version-view.js'
import { compareKubeVersions } from '../registry/apiextensions/custom-resource-definition.js'

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']

/** The body kind a subresource answers with, when it is not the parent kind (as upstream registers them). */
const subresourceKinds: Record<string, { group: string; version: string; kind: string }> = {
  scale: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  eviction: { group: 'policy', version: 'v1', kind: 'Eviction' },
  binding: { group: '', version: 'v1', kind: 'Binding' },
  exec: { group: '', version: 'v1', kind: 'PodExecOptions' },
  attach: { group: '', version: 'v1', kind: 'PodAttachOptions' },
  portforward: { group: '', version: 'v1', kind: 'PodPortForwardOptions' },
}

function proxyKind(def: ResourceDefinition): { group: string; version: string; kind: string } {
  return { group: '', version: 'v1', kind: `${def.kind}ProxyOptions` }
}

function subKind(def: ResourceDefinition, sub: SubresourceDef) {
  if (sub.kind) return sub.kind
  if (sub.name === 'proxy') return proxyKind(def)
  return subresourceKinds[sub.name] ?? { group: def.group, version: def.version, kind: def.kind }
}

/** storageVersionHash: an opaque 8-byte hash of the storage GVK, base64 (as upstream computes it); the same at every served version. */
function storageVersionHash(rs: ResourceStore): string {
  const def = rs.def
  const version = rs instanceof ResourceVersionView ? rs.storageVersion : def.version
  return createHash('sha256').update(`${def.group}/${version}/${def.kind}`).digest().subarray(0, 8).toString('base64')
}

interface GroupVersion {
  group: string
  version: string
  resources: ResourceStore[]
}

/** Builds (once) and serves every discovery document. */
export class Discovery {
  private groupList: GroupVersion[] = []
  private cache = new Map<string, string>()
  /** The registry generation the documents were built at: definitions added at run time (CRDs) rebuild them. */
  private builtAt = -1

  constructor(private readonly registry: Registry) {}

  private get groups(): GroupVersion[] {
    if (this.builtAt !== this.registry.generation) this.build()
    return this.groupList
  }

  private build(): void {
    const groups: GroupVersion[] = []
    // Further served versions come after every storage version, so a group's preferred version is its storage one.
    for (const rs of this.registry.servedStores()) {
      let gv = groups.find((g) => g.group === rs.def.group && g.version === rs.def.version)
      if (!gv) {
        gv = { group: rs.def.group, version: rs.def.version, resources: [] }
        groups.push(gv)
      }
      gv.resources.push(rs)
    }
    // Within a group, versions go by kube-aware priority (v2 > v1 > v1beta1 > v1alpha1), as the
    // apiextensions-apiserver orders a CRD's versions; the sort is stable for the rest.
    const firstIndex = new Map<string, number>()
    for (const [i, g] of groups.entries()) if (!firstIndex.has(g.group)) firstIndex.set(g.group, i)
    groups.sort((a, b) => firstIndex.get(a.group)! - firstIndex.get(b.group)! || (a.group === b.group ? compareKubeVersions(a.version, b.version) : 0))
    this.groupList = groups
    this.cache = new Map()
    this.builtAt = this.registry.generation
  }

  private memo(key: string, build: () => object): string {
    if (this.builtAt !== this.registry.generation) this.build()
    let s = this.cache.get(key)
    if (s === undefined) {
      s = JSON.stringify(build())
      this.cache.set(key, s)
    }
    return s
  }

  /** Group names with a served version, non-core, in registration order. */
  apiGroupNames(): string[] {
    return [...new Set(this.groups.filter((g) => g.group).map((g) => g.group))]
  }

  /** `GET /api` or `/apis` as aggregated discovery (apidiscovery.k8s.io/v2 or v2beta1). */
  aggregated(core: boolean, version: 'v2' | 'v2beta1'): string {
    return this.memo(`agg:${core}:${version}`, () => ({
      kind: 'APIGroupDiscoveryList',
      apiVersion: `apidiscovery.k8s.io/${version}`,
      metadata: {},
      items: (core ? [''] : this.apiGroupNames()).map((group) => ({
        metadata: group ? { name: group, creationTimestamp: null } : { creationTimestamp: null },
        versions: this.groups
          .filter((g) => g.group === group)
          .map((g) => ({ version: g.version, resources: g.resources.map((rs) => this.aggregatedResource(rs.def)), freshness: 'Current' })),
      })),
    }))
  }

  private aggregatedResource(def: ResourceDefinition) {
    const subs = def.subresources ?? []
    return {
      resource: def.plural,
      responseKind: { group: def.group, version: def.version, kind: def.kind },
      scope: def.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: def.singular,
      verbs: def.verbs ?? allVerbs,
      ...(def.shortNames?.length ? { shortNames: def.shortNames } : {}),
      ...(def.categories?.length ? { categories: def.categories } : {}),
      ...(subs.length ? { subresources: subs.map((s) => ({ subresource: s.name, responseKind: subKind(def, s), verbs: s.verbs })) } : {}),
    }
  }

  /** Legacy `GET /api`. */
  apiVersions(serverAddress: string): string {
    return JSON.stringify({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] })
  }

  private apiGroup(name: string) {
    const versions = this.groups.filter((g) => g.group === name).map((g) => ({ groupVersion: `${name}/${g.version}`, version: g.version }))
    return { name, versions, preferredVersion: versions[0] }
  }

  /** Legacy `GET /apis`. */
  apiGroupList(): string {
    return this.memo('groups', () => ({ kind: 'APIGroupList', apiVersion: 'v1', groups: this.apiGroupNames().map((g) => this.apiGroup(g)) }))
  }

  /** Legacy `GET /apis/<group>`, or undefined for an unknown group. */
  apiGroupDoc(group: string): string | undefined {
    if (!this.apiGroupNames().includes(group)) return undefined
    return this.memo(`group:${group}`, () => ({ kind: 'APIGroup', apiVersion: 'v1', ...this.apiGroup(group) }))
  }

  /** `GET /api/v1` or `/apis/<group>/<version>` (APIResourceList), or undefined. */
  resourceList(group: string, version: string): string | undefined {
    const gv = this.groups.find((g) => g.group === group && g.version === version)
    if (!gv) return undefined
    return this.memo(`rl:${group}/${version}`, () => ({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group ? `${group}/${version}` : version,
      resources: gv.resources.flatMap((rs) => {
        const def = rs.def
        const main = {
          name: def.plural,
          singularName: def.singular,
          namespaced: def.namespaced,
          kind: def.kind,
          verbs: def.verbs ?? allVerbs,
          ...(def.shortNames?.length ? { shortNames: def.shortNames } : {}),
          ...(def.categories?.length ? { categories: def.categories } : {}),
          // Only storage-backed kinds have one (REST storages without StorageVersionProvider: componentstatuses, bindings, metrics).
          ...(def.computed || def.restCreate ? {} : { storageVersionHash: storageVersionHash(rs) }),
        }
        const subs = (def.subresources ?? []).map((s) => {
          const k = subKind(def, s)
          const foreign = k.group !== def.group || k.version !== def.version
          return {
            name: `${def.plural}/${s.name}`,
            singularName: '',
            namespaced: def.namespaced,
            ...(foreign ? { group: k.group, version: k.version } : {}),
            kind: k.kind,
            verbs: s.verbs,
          }
        })
        return [main, ...subs]
      }),
    }))
  }

  /** True when group/version is served. */
  hasGroupVersion(group: string, version: string): boolean {
    return this.groups.some((g) => g.group === group && g.version === version)
  }
}
