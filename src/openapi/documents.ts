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
  /**
   * A custom resource's schemas (built from its CRD version's openAPIV3Schema), by definition
   * name: the kind's and its list's. Built-ins leave it unset and use the generated definitions.
   */
  schemas?: { kind: string; list: string; definitions: Record<string, SchemaObject> }
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

/** An OpenAPI 3.0 document as built here (loosely typed: paths and operations are plain objects). */
export interface OpenAPIv3Document {
  openapi: '3.0.0'
  info: { title: string; version: string }
  paths: Record<string, Record<string, unknown>>
  components: { schemas: Record<string, SchemaObject>; securitySchemes: Record<string, Record<string, string>> }
  security: Record<string, string[]>[]
}

// Sub-resources that stream or upgrade: upstream marks them `connect` and accepts GET and POST.
const connectSubresources = new Set(['exec', 'attach', 'portforward', 'proxy'])

/**
 * Builds the documents for `resources`. Nothing is read or computed until the first call to
 * index() or document(); the caller must not mutate `resources` afterwards.
 * Shapes follow kube-apiserver's installer (staging/src/k8s.io/apiserver/pkg/endpoints/installer.go)
 * as published in kubernetes/kubernetes api/openapi-spec/v3. PATCH carries no requestBody on purpose
 * (protocol-core.md §2.2: kubectl then builds apply patches from the /openapi/v2 definitions).
 */
export function createOpenAPIDocuments(resources: ServedResource[], version: { gitVersion: string }): OpenAPIDocuments {
  const cache = new Map<string, { body: string; hash: string }>()
  let keys: string[] | undefined

  const gvKeys = (): string[] => (keys ??= openAPIDocumentKeys(resources))

  const document = (gvPath: string): { body: string; hash: string } | undefined => {
    const hit = cache.get(gvPath)
    if (hit) return hit
    if (!gvKeys().includes(gvPath)) return undefined
    const doc = buildOpenAPIv3Document(gvPath, resources, version.gitVersion)
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

/** The index keys for `resources`, sorted: `api`, `apis`, every `apis/<group>` and every group-version path. */
export function openAPIDocumentKeys(resources: ServedResource[]): string[] {
  const set = new Set<string>(['api', 'apis'])
  for (const r of resources) {
    if (r.group) set.add(`apis/${r.group}`)
    set.add(gvPathOf(r))
  }
  return [...set].sort()
}

function gvPathOf(r: { group: string; version: string }): string {
  return r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`
}

type Operation = Record<string, unknown>
type PathItem = Record<string, unknown>

/** How a document is built; the defaults are what /openapi/v3 serves. */
export interface OpenAPIv3BuildOptions {
  /**
   * Give PATCH operations upstream's requestBody (`meta.v1.Patch` under the five patch media types).
   * /openapi/v3 leaves it out on purpose (protocol-core.md §2.2: kubectl then takes apply patch
   * metadata from /openapi/v2 or its compiled-in types); the v2 document has it, as upstream's does.
   */
  patchRequestBodies?: boolean
}

/**
 * One OpenAPI 3.0 document (`openapi`, `info`, `paths`, `components.schemas` with the closure of
 * referenced definitions) for an index key of {@link openAPIDocumentKeys}. Keys are not sorted;
 * the schemas are the shared objects of loadDefinitions(), so the caller must not mutate the result.
 */
export function buildOpenAPIv3Document(gvPath: string, resources: ServedResource[], gitVersion: string, opts: OpenAPIv3BuildOptions = {}): OpenAPIv3Document {
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
    paths[`/${gvPath}/`] = {
      get: discoveryGet(
        'get available resources',
        `get${groupId(group)}${cap(ver)}APIResources`,
        `${meta}APIResourceList`,
        `${tagGroup(group)}_${ver}`,
        mediaTypes,
      ),
    }
    for (const r of served) addResourcePaths(paths, r, opts)
  }
  for (const item of Object.values(paths)) hoistSharedParameters(item)
  collectRefs(paths, roots)
  const custom = resources.filter((r) => r.schemas && gvPathOf(r) === gvPath)
  const defs = custom.length ? Object.assign({}, loadDefinitions(), ...custom.map((r) => r.schemas!.definitions)) : loadDefinitions()
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
  return group
    .replace(/\.k8s\.io$/, '')
    .split('.')
    .map(cap)
    .join('')
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
// Watches also stream (installer.go adds the `;stream=watch` serializers and cbor-seq).
const watchMediaTypes = [...mediaTypes, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch', 'application/cbor-seq']
// The patch types a PATCH operation consumes, in upstream's order.
const patchMediaTypes = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
  'application/apply-patch+cbor',
]

/** Response content: a definition under the media types, or a string body (`log`: text/plain first; connect: any). */
function content(defName: string | { type: 'string' }, types: string[] = mediaTypes): Record<string, { schema: object }> {
  const out: Record<string, { schema: object }> = {}
  for (const m of types) out[m] = { schema: typeof defName === 'string' ? { $ref: SCHEMA_REF_PREFIX + defName } : defName }
  return out
}

// The version and group lists are not served as CBOR (upstream's /api/, /apis/, /apis/<group>/).
const rootDiscoveryMediaTypes = mediaTypes.filter((m) => m !== 'application/cbor')

function discoveryGet(description: string, operationId: string, defName: string, tag: string, types: string[] = rootDiscoveryMediaTypes): Operation {
  return {
    description,
    operationId,
    responses: { 200: { description: 'OK', content: content(defName, types) }, 401: { description: 'Unauthorized' } },
    tags: [tag],
  }
}

function param(name: string, type: string, description: string, where: 'query' | 'path' = 'query'): object {
  return { name, in: where, description, ...(where === 'path' ? { required: true } : {}), schema: { type, uniqueItems: true } }
}

const p = {
  pretty: param('pretty', 'string', "If 'true', then the output is pretty printed."),
  dryRun: param(
    'dryRun',
    'string',
    'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed',
  ),
  fieldManager: param('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  fieldValidation: param(
    'fieldValidation',
    'string',
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn (default) - Strict',
  ),
  force: param('force', 'boolean', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people.'),
  gracePeriodSeconds: param('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted.'),
  propagationPolicy: param(
    'propagationPolicy',
    'string',
    "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'.",
  ),
  orphanDependents: param('orphanDependents', 'boolean', 'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7.'),
  ignoreStoreReadError: param(
    'ignoreStoreReadErrorWithClusterBreakingPotential',
    'boolean',
    'if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error.',
  ),
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

// The options each sub-resource reads from the query (upstream: the *Options kinds' fields).
const subresourceParams: Record<string, object[]> = {
  exec: [
    param('command', 'string', 'Command is the remote command to execute. argv array. Not executed within a shell.'),
    param('container', 'string', 'Container in which to execute the command. Defaults to only container if there is only one container in the pod.'),
    param('stderr', 'boolean', 'Redirect the standard error stream of the pod for this call.'),
    param('stdin', 'boolean', 'Redirect the standard input stream of the pod for this call. Defaults to false.'),
    param('stdout', 'boolean', 'Redirect the standard output stream of the pod for this call.'),
    param('tty', 'boolean', 'TTY if true indicates that a tty will be allocated for the exec call. Defaults to false.'),
  ],
  attach: [
    param('container', 'string', 'The container in which to execute the command. Defaults to only container if there is only one container in the pod.'),
    param('stderr', 'boolean', 'Stderr if true indicates that stderr is to be redirected for the attach call. Defaults to true.'),
    param('stdin', 'boolean', 'Stdin if true, redirects the standard input stream of the pod for this call. Defaults to false.'),
    param('stdout', 'boolean', 'Stdout if true indicates that stdout is to be redirected for the attach call. Defaults to true.'),
    param('tty', 'boolean', 'TTY if true indicates that a tty will be allocated for the attach call.'),
  ],
  portforward: [param('ports', 'integer', 'List of ports to forward Required when using WebSockets')],
  proxy: [param('path', 'string', 'Path is the URL path to use for the current proxy request.')],
  log: [
    param('container', 'string', 'The container for which to stream logs. Defaults to only container if there is one container in the pod.'),
    param('follow', 'boolean', 'Follow the log stream of the pod. Defaults to false.'),
    param(
      'insecureSkipTLSVerifyBackend',
      'boolean',
      'insecureSkipTLSVerifyBackend indicates that the apiserver should not confirm the validity of the serving certificate of the backend it is connecting to.',
    ),
    param('limitBytes', 'integer', 'If set, the number of bytes to read from the server before terminating the log output.'),
    param('previous', 'boolean', 'Return previous terminated container logs. Defaults to false.'),
    param('sinceSeconds', 'integer', 'A relative time in seconds before the current time from which to show logs.'),
    param('stream', 'string', 'Specify which container log stream to return to the client. Acceptable values are "All", "Stdout" and "Stderr".'),
    param('tailLines', 'integer', 'If set, the number of lines from the end of the logs to show.'),
    param('timestamps', 'boolean', 'If true, add an RFC3339 or RFC3339Nano timestamp at the beginning of every line of log output. Defaults to false.'),
  ],
}
const deleteParams = [p.dryRun, p.gracePeriodSeconds, p.ignoreStoreReadError, p.orphanDependents, p.propagationPolicy]

const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1.'

function addResourcePaths(paths: Record<string, PathItem>, r: ServedResource, opts: OpenAPIv3BuildOptions): void {
  const gv = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`
  const id = `${groupId(r.group)}${cap(r.version)}`
  const tag = `${tagGroup(r.group)}_${r.version}`
  const gvk: GVK = { group: r.group, version: r.version, kind: r.kind }
  const def = r.schemas?.kind ?? definitionForKind(gvk)
  const listDef = r.schemas?.list ?? definitionForKind({ ...gvk, kind: `${r.kind}List` })
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
  const ok = (name: string | { type: 'string' } | undefined, codes: number[], types: string[] = mediaTypes): object => {
    const out: Record<number, object> = { 401: { description: 'Unauthorized' } }
    const text: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted' }
    for (const c of codes) out[c] = name ? { description: text[c], content: content(name, types) } : { description: text[c] }
    return out
  }
  // DeleteOptions bodies are optional upstream; object bodies of POST and PUT are required.
  const body = (name: string | undefined, required = true): object =>
    name ? { requestBody: { content: { '*/*': { schema: { $ref: SCHEMA_REF_PREFIX + name } } }, ...(required ? { required: true } : {}) } } : {}
  const patchBody = (): object => (opts.patchRequestBodies ? { requestBody: { content: content(`${meta}Patch`, patchMediaTypes), required: true } } : {})
  const stringBody = { type: 'string' } as const

  // Collection: list, create, deletecollection.
  const collection: PathItem = { parameters: scopeParams }
  if (verbs.has('list'))
    collection.get = op('list or watch objects of kind', 'list', `list${id}${ns}${r.kind}`, {
      parameters: listParams,
      responses: ok(listDef, [200], watchMediaTypes),
    })
  if (verbs.has('create'))
    collection.post = op('create', 'post', `create${id}${ns}${r.kind}`, { parameters: writeParams, ...body(def), responses: ok(def, [200, 201, 202]) })
  if (verbs.has('deletecollection')) {
    collection.delete = op('delete collection of', 'deletecollection', `delete${id}Collection${ns}${r.kind}`, {
      // A collection delete lists but never watches.
      parameters: [...listParams.filter((x) => !['watch', 'allowWatchBookmarks'].includes((x as { name: string }).name)), ...deleteParams],
      ...body(`${meta}DeleteOptions`, false),
      responses: ok(`${meta}Status`, [200]),
    })
  }
  if (Object.keys(collection).length > 1) paths[`${scope}/${r.plural}`] = collection

  // Item: read, replace, patch, delete.
  const item: PathItem = { parameters: itemParams(r.kind) }
  if (verbs.has('get')) item.get = op('read the specified', 'get', `read${id}${ns}${r.kind}`, { responses: ok(def, [200]) })
  if (verbs.has('update'))
    item.put = op('replace the specified', 'put', `replace${id}${ns}${r.kind}`, { parameters: writeParams, ...body(def), responses: ok(def, [200, 201]) })
  if (verbs.has('patch'))
    item.patch = op('partially update the specified', 'patch', `patch${id}${ns}${r.kind}`, {
      parameters: [...writeParams, p.force],
      ...patchBody(),
      responses: ok(def, [200, 201]),
    })
  if (verbs.has('delete'))
    item.delete = op('delete', 'delete', `delete${id}${ns}${r.kind}`, {
      parameters: deleteParams,
      ...body(`${meta}DeleteOptions`, false),
      responses: ok(`${meta}Status`, [200, 202]),
    })
  if (Object.keys(item).length > 1) paths[`${scope}/${r.plural}/{name}`] = item

  if (verbs.has('list') && r.namespaced) {
    paths[`${gv}/${r.plural}`] = {
      parameters: [...listParams, p.pretty],
      get: op('list or watch objects of kind', 'list', `list${id}${r.kind}ForAllNamespaces`, { responses: ok(listDef, [200], watchMediaTypes) }),
    }
  }
  if (verbs.has('watch')) {
    const watchScope = r.namespaced ? `${gv}/watch/namespaces/{namespace}` : `${gv}/watch`
    const watchOk = ok(`${meta}WatchEvent`, [200], watchMediaTypes)
    paths[`${watchScope}/${r.plural}`] = {
      parameters: [...listParams, ...scopeParams],
      get: op('watch individual changes to a list of', 'watchlist', `watch${id}${ns}${r.kind}List`, { responses: watchOk }),
    }
    paths[`${watchScope}/${r.plural}/{name}`] = {
      parameters: [...listParams, ...itemParams(r.kind)],
      get: op('watch changes to an object of kind', 'watch', `watch${id}${ns}${r.kind}`, { responses: watchOk }),
    }
    if (r.namespaced) {
      paths[`${gv}/watch/${r.plural}`] = {
        parameters: [...listParams, p.pretty],
        get: op('watch individual changes to a list of', 'watchlist', `watch${id}${r.kind}ListForAllNamespaces`, { responses: watchOk }),
      }
    }
  }

  for (const sub of r.subresources) {
    const subName = cap(sub.name)
    const subGvk = sub.kind ?? gvk
    const subDef = sub.kind ? definitionForKind(sub.kind) : def
    const sv = new Set(sub.verbs)
    if (connectSubresources.has(sub.name)) {
      const optionsKind = `${r.kind}${subName === 'Portforward' ? 'PortForward' : subName}Options`
      const optionsGvk = { group: r.group, version: r.version, kind: optionsKind }
      // Connect paths name the options kind and take the connect options instead of `pretty`.
      const params = [
        param('name', 'string', `name of the ${optionsKind}`, 'path'),
        ...(r.namespaced ? [p.namespace] : []),
        ...(subresourceParams[sub.name] ?? []),
      ]
      // proxy accepts every method, and also serves /proxy/{path}.
      const connectMethods = sub.name === 'proxy' ? ['delete', 'get', 'head', 'options', 'patch', 'post', 'put'] : ['get', 'post']
      const connect = (suffix: string): PathItem => {
        const item: PathItem = { parameters: suffix ? [...params, param('path', 'string', 'path to the resource', 'path')] : params }
        for (const method of connectMethods) {
          item[method] = op(
            `connect ${method.toUpperCase()} requests to ${sub.name} of`,
            'connect',
            `connect${id}${cap(method)}${ns}${r.kind}${subName}${suffix}`,
            { responses: ok(stringBody, [200], ['*/*']) },
            optionsGvk,
          )
        }
        return item
      }
      paths[`${scope}/${r.plural}/{name}/${sub.name}`] = connect('')
      if (sub.name === 'proxy') paths[`${scope}/${r.plural}/{name}/proxy/{path}`] = connect('WithPath')
      continue
    }
    const path: PathItem = { parameters: [...itemParams(sub.kind?.kind ?? r.kind), ...(subresourceParams[sub.name] ?? [])] }
    if (sv.has('get')) {
      const res = sub.name === 'log' ? ok(stringBody, [200], ['text/plain', ...mediaTypes]) : ok(subDef, [200])
      path.get = op(`read ${sub.name} of the specified`, 'get', `read${id}${ns}${r.kind}${subName}`, { responses: res }, sub.name === 'log' ? gvk : subGvk)
    }
    if (sv.has('update'))
      path.put = op(
        `replace ${sub.name} of the specified`,
        'put',
        `replace${id}${ns}${r.kind}${subName}`,
        { parameters: writeParams, ...body(subDef), responses: ok(subDef, [200, 201]) },
        subGvk,
      )
    if (sv.has('patch'))
      path.patch = op(
        `partially update ${sub.name} of the specified`,
        'patch',
        `patch${id}${ns}${r.kind}${subName}`,
        { parameters: [...writeParams, p.force], ...patchBody(), responses: ok(subDef, [200, 201]) },
        subGvk,
      )
    if (sv.has('create'))
      path.post = op(
        `create ${sub.name} of a`,
        'post',
        `create${id}${ns}${r.kind}${subName}`,
        { parameters: writeParams, ...body(subDef), responses: ok(subDef, [200, 201, 202]) },
        subGvk,
      )
    if (Object.keys(path).length > 1) paths[`${scope}/${r.plural}/{name}/${sub.name}`] = path
  }
}

const operationMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch']

/**
 * Moves parameters that every operation of a path lists up to the path item, as kube-openapi's
 * builder does (so `/pods/{name}/binding`, whose only operation is POST, has dryRun, fieldManager
 * and fieldValidation at path level, while `/pods/{name}` keeps them on PUT and PATCH). Mutates `item`.
 */
function hoistSharedParameters(item: PathItem): void {
  const ops = operationMethods.map((m) => item[m] as Operation | undefined).filter((o): o is Operation => !!o)
  if (!ops.length) return
  const key = (x: unknown): string => `${(x as { in: string }).in}:${(x as { name: string }).name}`
  const lists = ops.map((o) => (o.parameters as object[] | undefined) ?? [])
  const shared = lists[0].filter((x) => lists.every((l) => l.some((y) => key(y) === key(x))))
  if (!shared.length) return
  const sharedKeys = new Set(shared.map(key))
  for (const o of ops) {
    const rest = (o.parameters as object[]).filter((x) => !sharedKeys.has(key(x)))
    if (rest.length) o.parameters = rest
    else delete o.parameters
  }
  item.parameters = [...((item.parameters as object[] | undefined) ?? []), ...shared]
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

/** Deterministic output: kubectl caches documents by hash, so equal content must give equal bytes. Returns a sorted deep copy of plain JSON data. */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {}
    for (const k of Object.keys(v).sort()) o[k] = sortKeys((v as Record<string, unknown>)[k])
    return o
  }
  return v
}
