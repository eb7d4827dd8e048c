/** @module scenario: --scenario files (nodes, images, timings, objects) and the ajv validators of openapi/kubemock-control.yaml. */
import { activitySpecErrors, type ActivitySpec } from './activity/activity-spec.js'
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv'
import { ajvLibrary, yamlLibrary } from '../util/lazy-libraries.js'
import { decodeYAMLDocuments } from '../util/yaml-decode.js'
import type { SimTimings } from '../controllers/index.js'
import { fieldErrorString, StatusError } from '../errors.js'
import type { FieldError, KubeObject } from '../types.js'
import type { NodeInput } from './default-cluster.js'
import type { ImageBehaviour, ImageCatalogue } from './images.js'

// Both src/sim/*.ts, dist/sim/*.js and the CLI bundle (dist/bundle/) sit two levels below the package root.
const controlDocument = new URL('../../openapi/kubemock-control.yaml', import.meta.url)
const docId = 'kubemock-control'

let ajv: Ajv | undefined
const compiled = new Map<string, ValidateFunction>()

/** The compiled validator of `#/components/schemas/<name>`; the document is read and compiled on first use. */
function validatorFor(name: string): ValidateFunction {
  let v = compiled.get(name)
  if (!v) {
    if (!ajv) {
      ajv = new (ajvLibrary().Ajv)({ allErrors: true, strict: false, validateFormats: false })
      ajv.addSchema(yamlLibrary().parse(readFileSync(controlDocument, 'utf8')), docId)
    }
    v = ajv.getSchema(`${docId}#/components/schemas/${name}`)
    if (!v) throw new Error(`openapi/kubemock-control.yaml has no schema components.schemas.${name}`)
    compiled.set(name, v)
  }
  return v
}

/** `/nodes/0/name` → `nodes[0].name`. */
function fieldPath(instancePath: string, extra?: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
  if (extra !== undefined) parts.push(extra)
  let out = ''
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p
  return out || '<root>'
}

function valueAt(root: unknown, instancePath: string): unknown {
  let cur = root as Record<string, unknown> | undefined
  for (const p of instancePath.split('/').slice(1)) cur = cur?.[p.replace(/~1/g, '/').replace(/~0/g, '~')] as Record<string, unknown> | undefined
  return cur
}

/** Turns ajv errors into apimachinery-style field errors (one per field, the most telling first). */
function toFieldErrors(errors: ErrorObject[], root: unknown): FieldError[] {
  // A failed oneOf explains itself better than the errors of each branch.
  const oneOfPaths = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath)
  const out: FieldError[] = []
  const seen = new Set<string>()
  for (const e of errors) {
    if (e.keyword !== 'oneOf' && oneOfPaths.some((p) => e.instancePath.startsWith(p) && e.schemaPath.includes('oneOf'))) continue
    let fe: FieldError
    const value = valueAt(root, e.instancePath)
    // biome-ignore lint/suspicious/noExplicitAny: ajv's params differ per keyword; each case reads its own.
    const p = e.params as Record<string, any>
    switch (e.keyword) {
      case 'required':
        fe = { type: 'FieldValueRequired', field: fieldPath(e.instancePath, p.missingProperty) }
        break
      case 'additionalProperties':
        fe = { type: 'FieldValueForbidden', field: fieldPath(e.instancePath, p.additionalProperty), detail: 'unknown field' }
        break
      case 'enum':
        fe = {
          type: 'FieldValueNotSupported',
          field: fieldPath(e.instancePath),
          badValue: value,
          detail: `supported values: ${(p.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ')}`,
        }
        break
      case 'type':
        fe = {
          type: 'FieldValueTypeInvalid',
          field: fieldPath(e.instancePath),
          badValue: value,
          detail: `must be ${p.type === 'object' ? 'an object' : p.type === 'array' ? 'a list' : `a${/^[aeiou]/.test(p.type) ? 'n' : ''} ${p.type}`}`,
        }
        break
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        fe = { type: 'FieldValueInvalid', field: fieldPath(e.instancePath), badValue: value, detail: `must be ${p.comparison} ${p.limit}` }
        break
      case 'pattern':
        fe = { type: 'FieldValueInvalid', field: fieldPath(e.instancePath), badValue: value, detail: `must match the regex ${p.pattern}` }
        break
      case 'minLength':
        fe =
          p.limit === 1
            ? { type: 'FieldValueRequired', field: fieldPath(e.instancePath) }
            : { type: 'FieldValueInvalid', field: fieldPath(e.instancePath), badValue: value, detail: `must be at least ${p.limit} characters` }
        break
      default:
        fe = { type: 'FieldValueInvalid', field: fieldPath(e.instancePath), badValue: value, detail: e.message ?? 'is invalid' }
    }
    if (seen.has(fe.field)) continue
    seen.add(fe.field)
    out.push(fe)
  }
  return out
}

/** Field errors of `value` against `#/components/schemas/<name>` of the control document (empty when valid). */
export function controlSchemaErrors(name: string, value: unknown): FieldError[] {
  const v = validatorFor(name)
  return v(value) ? [] : toFieldErrors(v.errors ?? [], value)
}

/** The 422 Status for a control request that fails its schema: `FaultSpec is invalid: count: Invalid value: 0: must be >= 1`. */
export function invalidControlRequest(kind: string, errors: FieldError[]): StatusError {
  const list = errors.map(fieldErrorString)
  return new StatusError(422, 'Invalid', `${kind} is invalid: ${list.length === 1 ? list[0] : `[${list.join(', ')}]`}`, {
    kind,
    causes: errors.map((e) => ({ reason: e.type, message: fieldErrorString(e).slice(e.field.length + 2), field: e.field })),
  })
}

/** A function that throws the 422 Status of {@link invalidControlRequest} when `value` does not fit schema `name`. */
export function controlSchemaValidator(name: string): (value: unknown) => void {
  return (value) => {
    const errs = controlSchemaErrors(name, value)
    if (errs.length) throw invalidControlRequest(name, errs)
  }
}

/** One `images` entry of a scenario: tags that exist (or not) in a repository of the simulated registry. */
export interface ScenarioImage {
  repository: string
  /** Tags that exist: a list, or tag → compressed size in bytes. */
  tags?: string[] | Record<string, number>
  /** Tags whose pulls fail (NotFound). */
  missingTags?: string[]
  /** The listed tags are the only ones (default: added to what the catalogue has). */
  replace?: boolean
  behaviour?: ImageBehaviour
}

/** A scenario file as written. */
export interface Scenario {
  apiVersion?: string
  kind?: 'Scenario'
  name?: string
  description?: string
  nodes?: NodeInput[]
  images?: ScenarioImage[]
  timings?: SimTimings
  manifests?: string[]
  objects?: KubeObject[]
  /** Changes made on the simulated clock (src/sim/activity). */
  activity?: ActivitySpec
  /** Several isolated clusters, each with the fields above as its defaults (README "Scenario format"). */
  clusters?: ScenarioCluster[]
}

/** One entry of a scenario's `clusters`: what differs from the top-level fields for that cluster. */
export type ScenarioCluster = Omit<Scenario, 'apiVersion' | 'kind' | 'clusters'>

/** A loaded scenario: what the Cluster needs, objects gathered from every source. */
export interface ScenarioOptions {
  /** The file it came from (for messages), or `<inline>`. */
  source: string
  name?: string
  nodes?: NodeInput[]
  images?: ScenarioImage[]
  timings?: SimTimings
  /** Objects to create at boot and on reset, in order (Lists expanded). */
  objects: KubeObject[]
  /** Changes made on the simulated clock from boot (and again from each reset). */
  activity?: ActivitySpec
  /**
   * With `clusters` in the file: one complete scenario per cluster, the top-level fields merged in
   * (nodes replaced, images and objects appended, timings overridden). The CLI serves one cluster
   * for each; a Cluster itself uses only the top-level fields.
   */
  clusters?: ScenarioOptions[]
}

/** Size reported for scenario tags given without one (a typical small application image). */
const defaultTagSize = 50_000_000

function scenarioError(source: string, message: string): Error {
  return new Error(`scenario ${source}: ${message}`)
}

/** Expands `List` objects into their items. */
function flatten(objs: unknown[]): unknown[] {
  const out: unknown[] = []
  for (const o of objs) {
    if (o && typeof o === 'object' && Array.isArray((o as { items?: unknown }).items) && /List$/.test(String((o as KubeObject).kind ?? '')))
      out.push(...flatten((o as { items: unknown[] }).items))
    else out.push(o)
  }
  return out
}

function parseDocs(text: string, source: string): unknown[] {
  let docs: unknown[]
  try {
    docs = decodeYAMLDocuments(text, { pretty: true, yaml12: true })
  } catch (err) {
    throw scenarioError(source, `not valid YAML: ${(err as Error).message}`)
  }
  return docs.filter((v) => v !== null && v !== undefined)
}

function checkObjects(objs: unknown[], source: string, what: string): KubeObject[] {
  return objs.map((o, i) => {
    const errs = controlSchemaErrors('KubeObject', o).map((e) => ({ ...e, field: `${what}[${i}]${e.field === '<root>' ? '' : `.${e.field}`}` }))
    if (errs.length) throw scenarioError(source, `is invalid: ${errs.map(fieldErrorString).join(', ')}`)
    return o as KubeObject
  })
}

/**
 * Parses a scenario: the first YAML document is the Scenario; later documents are more objects
 * (any manifests). `baseDir` resolves `manifests` paths. Throws an Error whose message names the
 * source and the bad field.
 */
export function parseScenario(text: string, source = '<inline>', baseDir = process.cwd()): ScenarioOptions {
  const docs = parseDocs(text, source)
  const head = docs[0] ?? {}
  const errs = controlSchemaErrors('Scenario', head)
  if (errs.length) throw scenarioError(source, `is invalid: ${errs.map(fieldErrorString).join(', ')}`)
  return scenarioOptions(head as Scenario, source, baseDir, docs.slice(1))
}

/** Validates an in-memory scenario (library use) and gathers its objects. */
export function scenarioOptions(s: Scenario, source = '<inline>', baseDir = process.cwd(), moreDocs: unknown[] = []): ScenarioOptions {
  const errs = controlSchemaErrors('Scenario', s)
  if (errs.length) throw scenarioError(source, `is invalid: ${errs.map(fieldErrorString).join(', ')}`)
  const activityErrors = [
    ...(s.activity ? activitySpecErrors(s.activity) : []),
    ...(s.clusters ?? []).flatMap((c, i) => (c.activity ? activitySpecErrors(c.activity).map((e) => ({ ...e, field: `clusters[${i}].${e.field}` })) : [])),
  ]
  if (activityErrors.length) throw scenarioError(source, `is invalid: ${activityErrors.map(fieldErrorString).join(', ')}`)
  const objects = [...gatherObjects(s, source, baseDir, ''), ...checkObjects(flatten(moreDocs), source, 'documents')]
  const top: ScenarioOptions = { source, name: s.name, nodes: s.nodes, images: s.images, timings: s.timings, objects, activity: s.activity }
  if (!s.clusters) return top
  const clusters = s.clusters.map(
    (c, i): ScenarioOptions => ({
      source: `${source} clusters[${i}]`,
      name: c.name ?? s.name,
      nodes: c.nodes ?? s.nodes,
      images: [...(s.images ?? []), ...(c.images ?? [])],
      timings: { ...(s.timings ?? {}), ...(c.timings ?? {}) },
      objects: [...objects, ...gatherObjects(c, source, baseDir, `clusters[${i}].`)],
      activity: c.activity ?? s.activity,
    }),
  )
  return { ...top, clusters }
}

/** The objects of one scenario level (its `objects`, then its `manifests`), checked; `at` prefixes field names (`clusters[1].`). */
function gatherObjects(s: ScenarioCluster, source: string, baseDir: string, at: string): KubeObject[] {
  const names = new Set<string>()
  for (const [i, n] of (s.nodes ?? []).entries()) {
    if (names.has(n.name)) throw scenarioError(source, `is invalid: ${at}nodes[${i}].name: Duplicate value: ${JSON.stringify(n.name)}`)
    names.add(n.name)
  }
  const objects: KubeObject[] = [...checkObjects(flatten(s.objects ?? []), source, `${at}objects`)]
  for (const m of s.manifests ?? []) {
    const path = resolve(baseDir, m)
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (err) {
      throw scenarioError(source, `${at}manifests: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
    objects.push(...checkObjects(flatten(parseDocs(text, path)), source, `${at}manifests ${m}: documents`))
  }
  return objects
}

/** Reads and validates a scenario file (see README "Scenario format"). */
export function loadScenario(path: string): ScenarioOptions {
  const abs = resolve(path)
  let text: string
  try {
    text = readFileSync(abs, 'utf8')
  } catch (err) {
    throw scenarioError(abs, `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  return parseScenario(text, abs, dirname(abs))
}

/** Applies a scenario's image entries to the simulated registry. */
export function applyScenarioImages(catalogue: ImageCatalogue, images: ScenarioImage[]): void {
  for (const img of images) {
    const sizes: Record<string, number> = Array.isArray(img.tags) ? Object.fromEntries(img.tags.map((t) => [t, defaultTagSize])) : { ...(img.tags ?? {}) }
    const cur = catalogue.repository(`${img.repository}:x`)
    const tags = img.replace ? sizes : { ...(cur?.tags ?? {}), ...sizes }
    for (const t of img.missingTags ?? []) delete tags[t]
    catalogue.set({ repository: img.repository, tags, behaviour: img.behaviour ?? cur?.behaviour })
  }
}

/** What the library's `start({ scenario })` takes: a file path, a Scenario object, or a loaded scenario. */
export type ScenarioInput = string | Scenario | ScenarioOptions

/** Loads a {@link ScenarioInput}; throws the same messages as `--scenario`. */
export function resolveScenario(input: ScenarioInput | undefined): ScenarioOptions | undefined {
  if (input === undefined) return undefined
  if (typeof input === 'string') return loadScenario(input)
  if ('source' in input && Array.isArray((input as ScenarioOptions).objects)) return input as ScenarioOptions
  return scenarioOptions(input as Scenario)
}
