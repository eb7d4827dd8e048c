/** @module documents: the OpenAPI v3 index and per-group-version documents served under /openapi/v3. */
import { createHash } from 'node:crypto'
import { definitionForKind, loadDefinitions, referenceClosure, SCHEMA_REF_PREFIX, type SchemaObject } from './definitions.js'

/** A resource as the OpenAPI documents describe it (the integrator maps ResourceDefinitions onto this). */
export interface ServedResource {
  group: string
  version: string
  kind: string
  plural: string
  namespaced: boolean
  /** Discovery verbs: get, list, watch, create, update, patch, delete, deletecollection. */
  verbs: string[]
  /** `kind` names the body's GVK when it is not the parent's (scale -> autoscaling/v1 Scale). */
  subresources: { name: string; verbs: string[]; kind?: GVK }[]
}

/** Group, version, kind; the core group is `''`. */
export interface GVK {
  group: string
  version: string
  kind: string
}

/** The served documents. Both methods build lazily and cache, so they are cheap after the first call. */
export interface OpenAPIDocuments {
  /** Body of `GET /openapi/v3`: `{"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=…"}, …}}`. */
  index(): { paths: Record<string, { serverRelativeURL: string }> }
  /**
   * The document for a path key of the index (`api/v1`, `apis/apps/v1`, `api`, `apis`, `apis/apps`):
   * its JSON text and its hash (upper-case hex SHA-512 of the text, as kube-openapi computes it).
   * Undefined for unknown paths (the caller answers 404).
   */
  document(gvPath: string): { body: string; hash: string } | undefined
}

// Sub-resources that stream or upgrade: upstream marks them `connect` and accepts GET and POST.
const connectSubresources = new Set(['exec', 'attach', 'portforward', 'proxy'])

/**
 * Builds the documents for `resources`. Nothing is read or computed until the first call to
 * index() or document(); the caller must not mutate `resources` afterwards.
 * Shapes follow kube-apiserver's installer (staging/src/k8s.io/apiserver/pkg/endpoints/installer.go)
 * as published in kubernetes/kubernetes api/openapi-spec/v3. PATCH carries no requestBody on purpose
 * (protocol-core.md §2.2: kubectl then builds apply patches from its compiled-in types).
 */
export function createOpenAPIDocuments(resources: ServedResource[], version: { gitVersion: string }): OpenAPIDocuments {
  const cache = new Map<string, { body: string; hash: string }>()
  let keys: string[] | undefined

  const gvKeys = (): string[] => {
    if (keys) return keys
    const set = new Set<string>(['api', 'apis'])
    for (const r of resources) {
      if (r.group) set.add(`apis/${r.group}`)
      set.add(gvPathOf(r))
    }
    keys = [...set].sort()
    return keys
  }

  const document = (gvPath: string): { body: string; hash: string } | undefined => {
    const hit = cache.get(gvPath)
    if (hit) return hit
    if (!gvKeys().includes(gvPath)) return undefined
    const doc = buildDocument(gvPath, resources, version.gitVersion)
    const body = JSON.stringify(sortKeys(doc))
    const built = { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() }
    cache.set(gvPath, built)
    return built
  }

  return {
    index() {
      const paths: Record<string, { serverRelativeURL: string }> = {}
      for (const k of gvKeys()) paths[k] = { serverRelativeURL: `/openapi/v3/${k}?hash=${document(k)!.hash}` }
      return { paths }
    },
    document,
  }
}

function gvPathOf(r: { group: string; version: string }): string {
  return r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`
}

type Operation = Record<string, unknown>
type PathItem = Record<string, unknown>

function buildDocument(gvPath: string, resources: ServedResource[], gitVersion: string): object {
  const paths: Record<string, PathItem> = {}
  const roots = new Set<string>()
  const parts = gvPath.split('/')
  if (gvPath === 'api') {
    paths['/api/'] = { get: discoveryGet('get available API versions', 'getCoreAPIVersions', `${meta}APIVersions`, 'core') }
  } else if (gvPath === 'apis') {
    paths['/apis/'] = { get: discoveryGet('get available API versions', 'getAPIVersions', `${meta}APIGroupList`, 'apis') }
  } else if (parts.length === 2 && parts[0] === 'apis') {
    const id = groupId(parts[1])
    paths[`/apis/${parts[1]}/`] = { get: discoveryGet('get information of a group', `get${id}APIGroup`, `${meta}APIGroup`, tagGroup(parts[1])) }
  } else {
    const served = resources.filter((r) => gvPathOf(r) === gvPath)
    const [group, ver] = parts[0] === 'api' ? ['', parts[1]] : [parts[1], parts[2]]
    paths[`/${gvPath}/`] = { get: discoveryGet('get available resources', `get${groupId(group)}${cap(ver)}APIResources`, `${meta}APIResourceList`, `${tagGroup(group)}_${ver}`) }
    for (const r of served) addResourcePaths(paths, r)
  }
  collectRefs(paths, roots)
  const defs = loadDefinitions()
  const schemas: Record<string, SchemaObject> = {}
  for (const name of [...referenceClosure(roots, defs)].sort()) schemas[name] = defs[name]
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: gitVersion },
    paths,
    components: {
      schemas,
      securitySchemes: { BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } },
    },
    security: [{ BearerToken: [] }],
  }
}

/** `apps` -> `Apps`, `events.k8s.io` -> `Events`, `rbac.authorization.k8s.io` -> `RbacAuthorization`, `` -> `Core`. */
function groupId(group: string): string {
  if (!group) return 'Core'
  return group.replace(/\.k8s\.io$/, '').split('.').map(cap).join('')
}

/** Operation tag: `core`, `apps`, `events`, `rbacAuthorization`. */
function tagGroup(group: string): string {
  const id = groupId(group)
  return id[0].toLowerCase() + id.slice(1)
}

function cap(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s
}

const mediaTypes = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/cbor']

function content(defName: string): Record<string, { schema: { $ref: string } }> {
  const out: Record<string, { schema: { $ref: string } }> = {}
  for (const m of mediaTypes) out[m] = { schema: { $ref: SCHEMA_REF_PREFIX + defName } }
  return out
}

function discoveryGet(description: string, operationId: string, defName: string, tag: string): Operation {
  return {
    description,
    operationId,
    responses: { 200: { description: 'OK', content: content(defName) }, 401: { description: 'Unauthorized' } },
    tags: [tag],
  }
}

function param(name: string, type: string, description: string, where: 'query' | 'path' = 'query'): object {
  return { name, in: where, description, ...(where === 'path' ? { required: true } : {}), schema: { type, uniqueItems: true } }
}

const p = {
  pretty: param('pretty', 'string', "If 'true', then the output is pretty printed."),
  dryRun: param('dryRun', 'string', 'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: param('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  fieldValidation: param('fieldValidation', 'string', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn (default) - Strict'),
  force: param('force', 'boolean', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people.'),
  gracePeriodSeconds: param('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted.'),
  propagationPolicy: param('propagationPolicy', 'string', "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'."),
  orphanDependents: param('orphanDependents', 'boolean', 'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7.'),
  namespace: param('namespace', 'string', 'object name and auth scope, such as for teams and projects', 'path'),
}

const listParams = [
  param('allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type "BOOKMARK".'),
  param('continue', 'string', 'The continue option should be set when retrieving more results from the server.'),
  param('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  param('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  param('limit', 'integer', 'limit is a maximum number of responses to return for a list call.'),
  param('resourceVersion', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  param('resourceVersionMatch', 'string', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
  param('sendInitialEvents', 'boolean', '`sendInitialEvents=true` may be set together with `watch=true`.'),
  param('timeoutSeconds', 'integer', 'Timeout for the list/watch call.'),
  param('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.'),
]

const writeParams = [p.dryRun, p.fieldManager, p.fieldValidation]
const deleteParams = [p.dryRun, p.gracePeriodSeconds, p.orphanDependents, p.propagationPolicy]

const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1.'

function addResourcePaths(paths: Record<string, PathItem>, r: ServedResource): void {
  const gv = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`
  const id = `${groupId(r.group)}${cap(r.version)}`
  const tag = `${tagGroup(r.group)}_${r.version}`
  const gvk: GVK = { group: r.group, version: r.version, kind: r.kind }
  const def = definitionForKind(gvk)
  const listDef = definitionForKind({ ...gvk, kind: `${r.kind}List` })
  const ns = r.namespaced ? 'Namespaced' : ''
  const scope = r.namespaced ? `${gv}/namespaces/{namespace}` : gv
  const scopeParams = r.namespaced ? [p.namespace, p.pretty] : [p.pretty]
  const itemParams = (what: string): object[] => [param('name', 'string', `name of the ${what}`, 'path'), ...scopeParams]
  const verbs = new Set(r.verbs)
  const op = (verb: string, action: string, operationId: string, extra: Operation, opGvk: GVK = gvk): Operation => ({
    description: `${verb} ${r.kind}`,
    operationId,
    tags: [tag],
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': opGvk,
    ...extra,
  })
  const ok = (name: string | undefined, codes: number[]): object => {
    const out: Record<number, object> = { 401: { description: 'Unauthorized' } }
    const text: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted' }
    for (const c of codes) out[c] = name ? { description: text[c], content: content(name) } : { description: text[c] }
    return out
  }
  const body = (name: string | undefined): object => (name ? { requestBody: { required: true, content: { '*/*': { schema: { $ref: SCHEMA_REF_PREFIX + name } } } } } : {})

  // Collection: list, create, deletecollection.
  const collection: PathItem = { parameters: scopeParams }
  if (verbs.has('list')) collection.get = op('list or watch objects of kind', 'list', `list${id}${ns}${r.kind}`, { parameters: listParams, responses: ok(listDef, [200]) })
  if (verbs.has('create')) collection.post = op('create', 'post', `create${id}${ns}${r.kind}`, { parameters: writeParams, ...body(def), responses: ok(def, [200, 201, 202]) })
  if (verbs.has('deletecollection')) {
    collection.delete = op('delete collection of', 'deletecollection', `delete${id}Collection${ns}${r.kind}`, {
      parameters: [...listParams.filter((x) => (x as { name: string }).name !== 'watch'), ...deleteParams],
      ...body(`${meta}DeleteOptions`),
      responses: ok(`${meta}Status`, [200]),
    })
  }
  if (Object.keys(collection).length > 1) paths[`${scope}/${r.plural}`] = collection

  // Item: read, replace, patch, delete.
  const item: PathItem = { parameters: itemParams(r.kind) }
  if (verbs.has('get')) item.get = op('read the specified', 'get', `read${id}${ns}${r.kind}`, { responses: ok(def, [200]) })
  if (verbs.has('update')) item.put = op('replace the specified', 'put', `replace${id}${ns}${r.kind}`, { parameters: writeParams, ...body(def), responses: ok(def, [200, 201]) })
  if (verbs.has('patch')) item.patch = op('partially update the specified', 'patch', `patch${id}${ns}${r.kind}`, { parameters: [...writeParams, p.force], responses: ok(def, [200, 201]) })
  if (verbs.has('delete')) item.delete = op('delete', 'delete', `delete${id}${ns}${r.kind}`, { parameters: deleteParams, ...body(`${meta}DeleteOptions`), responses: ok(`${meta}Status`, [200, 202]) })
  if (Object.keys(item).length > 1) paths[`${scope}/${r.plural}/{name}`] = item

  if (verbs.has('list') && r.namespaced) {
    paths[`${gv}/${r.plural}`] = {
      parameters: [...listParams, p.pretty],
      get: op('list or watch objects of kind', 'list', `list${id}${r.kind}ForAllNamespaces`, { responses: ok(listDef, [200]) }),
    }
  }
  if (verbs.has('watch')) {
    const watchScope = r.namespaced ? `${gv}/watch/namespaces/{namespace}` : `${gv}/watch`
    const watchOk = ok(`${meta}WatchEvent`, [200])
    paths[`${watchScope}/${r.plural}`] = { parameters: [...listParams, ...scopeParams], get: op('watch individual changes to a list of', 'watchlist', `watch${id}${ns}${r.kind}List`, { responses: watchOk }) }
    paths[`${watchScope}/${r.plural}/{name}`] = { parameters: [...listParams, ...itemParams(r.kind)], get: op('watch changes to an object of kind', 'watch', `watch${id}${ns}${r.kind}`, { responses: watchOk }) }
    if (r.namespaced) {
      paths[`${gv}/watch/${r.plural}`] = { parameters: [...listParams, p.pretty], get: op('watch individual changes to a list of', 'watchlist', `watch${id}${r.kind}ListForAllNamespaces`, { responses: watchOk }) }
    }
  }

  for (const sub of r.subresources) {
    const subName = cap(sub.name)
    const subGvk = sub.kind ?? gvk
    const subDef = sub.kind ? definitionForKind(sub.kind) : def
    const sv = new Set(sub.verbs)
    const path: PathItem = { parameters: itemParams(sub.kind?.kind ?? r.kind) }
    if (connectSubresources.has(sub.name)) {
      const optionsGvk = { group: r.group, version: r.version, kind: `${r.kind}${subName === 'Portforward' ? 'PortForward' : subName}Options` }
      for (const [method, verb] of [['get', 'Get'], ['post', 'Post']] as const) {
        path[method] = op(`connect ${method.toUpperCase()} requests to ${sub.name} of`, 'connect', `connect${id}${verb}${ns}${r.kind}${subName}`, { responses: ok(undefined, [200]) }, optionsGvk)
      }
    } else {
      if (sv.has('get')) path.get = op(`read ${sub.name} of the specified`, 'get', `read${id}${ns}${r.kind}${subName}`, { responses: ok(sub.name === 'log' ? undefined : subDef, [200]) }, sub.name === 'log' ? gvk : subGvk)
      if (sv.has('update')) path.put = op(`replace ${sub.name} of the specified`, 'put', `replace${id}${ns}${r.kind}${subName}`, { parameters: writeParams, ...body(subDef), responses: ok(subDef, [200, 201]) }, subGvk)
      if (sv.has('patch')) path.patch = op(`partially update ${sub.name} of the specified`, 'patch', `patch${id}${ns}${r.kind}${subName}`, { parameters: [...writeParams, p.force], responses: ok(subDef, [200, 201]) }, subGvk)
      if (sv.has('create')) path.post = op(`create ${sub.name} of a`, 'post', `create${id}${ns}${r.kind}${subName}`, { parameters: writeParams, ...body(subDef), responses: ok(subDef, [200, 201, 202]) }, subGvk)
    }
    if (Object.keys(path).length > 1) paths[`${scope}/${r.plural}/{name}/${sub.name}`] = path
  }
}

function collectRefs(v: unknown, out: Set<string>): void {
  if (Array.isArray(v)) {
    for (const x of v) collectRefs(x, out)
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.add(x.slice(SCHEMA_REF_PREFIX.length))
      else collectRefs(x, out)
    }
  }
}

/** Deterministic output: kubectl caches documents by hash, so equal content must give equal bytes. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {}
    for (const k of Object.keys(v).sort()) o[k] = sortKeys((v as Record<string, unknown>)[k])
    return o
  }
  return v
}
