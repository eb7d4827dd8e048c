/** @module gen-openapi: generates openapi/definitions.json from kubernetes-types plus Go struct-tag data. */
// Usage:
//   node scripts/gen-openapi.mjs
//       kubernetes-types/*.d.ts + openapi/go-struct-tags.json -> openapi/definitions.json
//   node scripts/gen-openapi.mjs --extract-go <kubernetes/api git dir> <kubernetes/apimachinery git dir> <kubernetes/kube-aggregator git dir> [ref]
//       re-reads the Go sources (ref defaults to v0.32.0, i.e. Kubernetes 1.32) and rewrites
//       openapi/go-struct-tags.json: per definition and JSON field the Go type, the
//       strategic-merge-patch tags and the +listType/+listMapKey/+mapType/+structType markers,
//       none of which the TypeScript types carry.
//   node scripts/gen-openapi.mjs --extract-protobuf <kubernetes/api git dir> <kubernetes/apimachinery git dir> <kubernetes/kube-aggregator git dir> [ref]
//       reads the `protobuf:"..."` struct tags of the same Go sources and writes
//       openapi/protobuf-fields.json: per definition its fields in Go order with JSON name,
//       omitempty, field number, wire kind and element type, which src/api/protobuf.ts decodes by.
//
// Shapes follow the upstream v3 documents (kube-openapi's openapi-gen, see
// kubernetes/kubernetes api/openapi-spec/v3): `$ref` with siblings is wrapped in `allOf`,
// IntOrString is `oneOf` integer/string with format int-or-string, Quantity is `oneOf` string/number.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const ts = require('typescript')

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const typesDir = join(root, 'node_modules', 'kubernetes-types')
const goDataFile = join(root, 'openapi', 'go-struct-tags.json')
const outFile = join(root, 'openapi', 'definitions.json')
const protobufDataFile = join(root, 'openapi', 'protobuf-fields.json')

/** kube-aggregator's group has no kubernetes-types file: its definitions come from the Go structs alone. */
const aggregatorPrefix = 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1'

/** kubernetes-types file (no extension) -> upstream definition-name prefix, for every group we serve. */
const typeFiles = {
  'core/v1': 'io.k8s.api.core.v1',
  'apps/v1': 'io.k8s.api.apps.v1',
  'policy/v1': 'io.k8s.api.policy.v1',
  'events/v1': 'io.k8s.api.events.v1',
  'coordination/v1': 'io.k8s.api.coordination.v1',
  'discovery/v1': 'io.k8s.api.discovery.v1',
  'batch/v1': 'io.k8s.api.batch.v1',
  'autoscaling/v1': 'io.k8s.api.autoscaling.v1',
  'autoscaling/v2': 'io.k8s.api.autoscaling.v2',
  'certificates/v1': 'io.k8s.api.certificates.v1',
  'authentication/v1': 'io.k8s.api.authentication.v1',
  'authentication/v1beta1': 'io.k8s.api.authentication.v1beta1',
  'flowcontrol/v1': 'io.k8s.api.flowcontrol.v1',
  'networking/v1': 'io.k8s.api.networking.v1',
  'node/v1': 'io.k8s.api.node.v1',
  'scheduling/v1': 'io.k8s.api.scheduling.v1',
  'storage/v1': 'io.k8s.api.storage.v1',
  'admissionregistration/v1': 'io.k8s.api.admissionregistration.v1',
  'rbac/v1': 'io.k8s.api.rbac.v1',
  'authorization/v1': 'io.k8s.api.authorization.v1',
  'meta/v1': 'io.k8s.apimachinery.pkg.apis.meta.v1',
  'api/resource': 'io.k8s.apimachinery.pkg.api.resource',
  runtime: 'io.k8s.apimachinery.pkg.runtime',
}

/** Group/version of each served prefix, for x-kubernetes-group-version-kind. */
const groupVersions = {
  'io.k8s.api.core.v1': { group: '', version: 'v1' },
  'io.k8s.api.apps.v1': { group: 'apps', version: 'v1' },
  'io.k8s.api.policy.v1': { group: 'policy', version: 'v1' },
  'io.k8s.api.events.v1': { group: 'events.k8s.io', version: 'v1' },
  'io.k8s.api.coordination.v1': { group: 'coordination.k8s.io', version: 'v1' },
  'io.k8s.api.discovery.v1': { group: 'discovery.k8s.io', version: 'v1' },
  'io.k8s.api.batch.v1': { group: 'batch', version: 'v1' },
  'io.k8s.api.autoscaling.v1': { group: 'autoscaling', version: 'v1' },
  'io.k8s.api.autoscaling.v2': { group: 'autoscaling', version: 'v2' },
  'io.k8s.api.certificates.v1': { group: 'certificates.k8s.io', version: 'v1' },
  'io.k8s.api.authentication.v1': { group: 'authentication.k8s.io', version: 'v1' },
  'io.k8s.api.authentication.v1beta1': { group: 'authentication.k8s.io', version: 'v1beta1' },
  'io.k8s.api.flowcontrol.v1': { group: 'flowcontrol.apiserver.k8s.io', version: 'v1' },
  'io.k8s.api.networking.v1': { group: 'networking.k8s.io', version: 'v1' },
  'io.k8s.api.node.v1': { group: 'node.k8s.io', version: 'v1' },
  'io.k8s.api.scheduling.v1': { group: 'scheduling.k8s.io', version: 'v1' },
  'io.k8s.api.storage.v1': { group: 'storage.k8s.io', version: 'v1' },
  'io.k8s.api.admissionregistration.v1': { group: 'admissionregistration.k8s.io', version: 'v1' },
  'io.k8s.api.rbac.v1': { group: 'rbac.authorization.k8s.io', version: 'v1' },
  'io.k8s.api.authorization.v1': { group: 'authorization.k8s.io', version: 'v1' },
  [aggregatorPrefix]: { group: 'apiregistration.k8s.io', version: 'v1' },
}

/** Go source files per definition prefix (kubernetes/api and kubernetes/apimachinery at the same release). */
const goSources = {
  api: {
    'io.k8s.api.core.v1': ['core/v1/types.go'],
    'io.k8s.api.apps.v1': ['apps/v1/types.go'],
    'io.k8s.api.policy.v1': ['policy/v1/types.go'],
    'io.k8s.api.events.v1': ['events/v1/types.go'],
    'io.k8s.api.coordination.v1': ['coordination/v1/types.go'],
    'io.k8s.api.discovery.v1': ['discovery/v1/types.go'],
    'io.k8s.api.batch.v1': ['batch/v1/types.go'],
    'io.k8s.api.autoscaling.v1': ['autoscaling/v1/types.go'],
    'io.k8s.api.autoscaling.v2': ['autoscaling/v2/types.go'],
    'io.k8s.api.certificates.v1': ['certificates/v1/types.go'],
    'io.k8s.api.authentication.v1': ['authentication/v1/types.go'],
    'io.k8s.api.authentication.v1beta1': ['authentication/v1beta1/types.go'],
    'io.k8s.api.flowcontrol.v1': ['flowcontrol/v1/types.go'],
    'io.k8s.api.networking.v1': ['networking/v1/types.go'],
    'io.k8s.api.node.v1': ['node/v1/types.go'],
    'io.k8s.api.scheduling.v1': ['scheduling/v1/types.go'],
    'io.k8s.api.storage.v1': ['storage/v1/types.go'],
    'io.k8s.api.admissionregistration.v1': ['admissionregistration/v1/types.go'],
    'io.k8s.api.rbac.v1': ['rbac/v1/types.go'],
    'io.k8s.api.authorization.v1': ['authorization/v1/types.go'],
  },
  aggregator: {
    [aggregatorPrefix]: ['pkg/apis/apiregistration/v1/types.go'],
  },
  apimachinery: {
    'io.k8s.apimachinery.pkg.apis.meta.v1': ['pkg/apis/meta/v1/types.go', 'pkg/apis/meta/v1/watch.go'],
  },
}

/** Go package qualifiers used in the api sources -> definition prefix. */
const goImports = {
  metav1: 'io.k8s.apimachinery.pkg.apis.meta.v1',
  resource: 'io.k8s.apimachinery.pkg.api.resource',
  intstr: 'io.k8s.apimachinery.pkg.util.intstr',
  runtime: 'io.k8s.apimachinery.pkg.runtime',
  corev1: 'io.k8s.api.core.v1',
  apiv1: 'io.k8s.api.core.v1',
  v1: 'io.k8s.api.core.v1',
  autoscalingv1: 'io.k8s.api.autoscaling.v1',
  types: 'io.k8s.apimachinery.pkg.types',
}

/** Packages whose import aliases differ from goImports (authentication/v1beta1 imports authentication/v1 as `v1`). */
const goImportOverrides = {
  'io.k8s.api.authentication.v1beta1': { v1: 'io.k8s.api.authentication.v1' },
}

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString'
const ref = (name) => ({ $ref: `#/components/schemas/${name}` })

// ---------------------------------------------------------------------------------------------
// TypeScript side: parse the .d.ts files syntactically (no type checker: they are flat and simple).

/** Parses every served kubernetes-types file into { name -> { file, prefix, node, doc } }. */
function readTypeScript() {
  const decls = new Map()
  for (const [file, prefix] of Object.entries(typeFiles)) {
    const path = join(typesDir, `${file}.d.ts`)
    const sf = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true)
    const imports = new Map()
    for (const st of sf.statements) {
      if (ts.isImportDeclaration(st)) {
        const from = st.moduleSpecifier.text.replace(/^\.\.\//, '').replace(/^\.\//, `${dirname(file)}/`)
        for (const el of st.importClause?.namedBindings?.elements ?? []) imports.set(el.name.text, typeFiles[from])
      }
    }
    for (const st of sf.statements) {
      if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) {
        decls.set(`${prefix}.${st.name.text}`, { prefix, node: st, imports, doc: docOf(st) })
      }
    }
  }
  return decls
}

/** The TSDoc text of a node, as the description (kubernetes-types copied it from the swagger). */
function docOf(node) {
  const docs = node.jsDoc ?? []
  const text = docs.map((d) => (typeof d.comment === 'string' ? d.comment : (ts.getTextOfJSDocComment(d.comment) ?? ''))).join('\n')
  return text || undefined
}

// ---------------------------------------------------------------------------------------------
// Go side: struct fields, their tags and the +markers in the comment above them.

function gitShow(gitDir, ref, path) {
  return execFileSync('git', ['--git-dir', gitDir, 'show', `${ref}:${path}`], { encoding: 'utf8', maxBuffer: 64 << 20 })
}

/** Parses Go type declarations: structs (fields with tags, markers, doc) and named non-struct types. */
function parseGo(src, prefix) {
  const structs = {}
  const named = {}
  const lines = src.split('\n')
  let comments = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const top = /^type (\w+) struct \{\s*$/.exec(line)
    if (top) {
      const def = { fields: {}, order: [] }
      for (const c of comments) if (/^\+structType=atomic/.test(c)) def.structType = 'atomic'
      def.doc = goDoc(comments.filter((c) => !c.startsWith('+')))
      comments = []
      for (i++; i < lines.length && !/^\}/.test(lines[i]); i++) {
        const l = lines[i]
        const cm = /^\s*\/\/ ?(.*)$/.exec(l)
        if (cm) {
          comments.push(cm[1])
          continue
        }
        if (!l.trim()) {
          comments = []
          continue
        }
        const field = /^\s+(\w+)\s+([^`\s]+)\s+`([^`]*)`/.exec(l)
        const embedded = /^\s+(\*?[\w.]+)\s+`([^`]*)`/.exec(l)
        const tags = field ? field[3] : embedded ? embedded[2] : ''
        const json = /json:"([^"]*)"/.exec(tags)?.[1]
        if (json === undefined || json === '-') {
          comments = []
          continue
        }
        const jsonName = json.split(',')[0]
        const goType = field ? field[2] : embedded[1]
        if (!jsonName) {
          def.order.push(`...${goType.replace(/^\*/, '')}`)
          comments = []
          continue
        }
        const f = { go: goType }
        // openapi-gen's rule: a field is required unless it is omitempty or marked +optional.
        if (!json.includes(',omitempty') && !comments.includes('+optional')) f.required = true
        const ps = /patchStrategy:"([^"]*)"/.exec(tags)?.[1]
        const pk = /patchMergeKey:"([^"]*)"/.exec(tags)?.[1]
        if (ps) f.patchStrategy = ps
        if (pk) f.patchMergeKey = pk
        const doc = []
        for (const c of comments) {
          const m = /^\+(listType|listMapKey|mapType)=(\S+)/.exec(c)
          if (m?.[1] === 'listType') f.listType = m[2]
          else if (m?.[1] === 'listMapKey') (f.listMapKeys ??= []).push(m[2])
          else if (m?.[1] === 'mapType') f.mapType = m[2]
          else if (/^\+structType=/.test(c)) f.mapType = c.slice('+structType='.length)
          else if (!c.startsWith('+')) doc.push(c)
        }
        f.doc = goDoc(doc)
        def.fields[jsonName] = f
        def.order.push(jsonName)
        comments = []
      }
      structs[`${prefix}.${top[1]}`] = def
      comments = []
      continue
    }
    const alias = /^type (\w+) (?!struct|interface)(.+)$/.exec(line)
    if (alias) named[`${prefix}.${alias[1]}`] = alias[2].trim()
    const cm = /^\/\/ ?(.*)$/.exec(line)
    if (cm) comments.push(cm[1])
    else if (!line.trim() || !alias) comments = []
  }
  return { structs, named }
}

/** Joins Go doc lines like openapi-gen does: lines joined by spaces, blank lines become paragraphs. */
function goDoc(lines) {
  const paras = []
  let cur = []
  for (const l of lines) {
    if (l.trim() === '' || l.startsWith('---')) {
      if (cur.length) paras.push(cur.join(' '))
      cur = []
      continue
    }
    cur.push(l.trim())
  }
  if (cur.length) paras.push(cur.join(' '))
  return paras.join('\n\n') || undefined
}

/** `[]Container` in core/v1 -> `[]v1.Container`: the reflect.Type string encoding/json prints. */
function qualifyGoType(goType, prefix) {
  const pkg = prefix.slice(prefix.lastIndexOf('.') + 1)
  const builtins = new Set([
    'string',
    'bool',
    'int',
    'int8',
    'int16',
    'int32',
    'int64',
    'uint',
    'uint8',
    'uint16',
    'uint32',
    'uint64',
    'float32',
    'float64',
    'byte',
  ])
  return goType.replace(/^\*/, '').replace(/\*?([A-Za-z_][\w]*)(\.[A-Za-z_]\w*)?/g, (m, a, b) => {
    if (b) return `${a.replace(/^(metav1|corev1|autoscalingv1|apiv1)$/, 'v1')}${b}`
    if (builtins.has(a) || a === 'map') return m
    return `${pkg}.${a}`
  })
}

/** Resolves a Go type (as written in `prefix`'s package) to a definition name, or undefined for builtins. */
function goDefName(goType, prefix) {
  const t = goType.replace(/^\*/, '')
  const q = /^(\w+)\.(\w+)$/.exec(t)
  if (q) return `${goImportOverrides[prefix]?.[q[1]] ?? goImports[q[1]]}.${q[2]}`
  if (/^\w+$/.test(t) && !/^(string|bool|u?int\d*|float\d+|byte)$/.test(t)) return `${prefix}.${t}`
  if (t === '[]byte') return undefined
  return undefined
}

function extractGo(gits, gitRef) {
  const structs = {}
  const named = {}
  for (const [repo, git] of Object.entries(gits)) {
    for (const [prefix, files] of Object.entries(goSources[repo])) {
      for (const f of files) {
        const r = parseGo(gitShow(git, gitRef, f), prefix)
        Object.assign(structs, r.structs)
        Object.assign(named, r.named)
      }
    }
  }
  // TypeMeta is inlined everywhere; give it its two fields.
  structs['io.k8s.apimachinery.pkg.apis.meta.v1.TypeMeta'] ??= {
    fields: { apiVersion: { go: 'string' }, kind: { go: 'string' } },
    order: ['apiVersion', 'kind'],
  }
  const decls = readTypeScript()
  const out = {}
  for (const [name, def] of Object.entries(structs)) {
    const prefix = name.slice(0, name.lastIndexOf('.'))
    const fields = {}
    const collect = (d, pfx) => {
      for (const k of d.order) {
        if (k.startsWith('...')) {
          const target = goDefName(k.slice(3), pfx)
          if (structs[target]) collect(structs[target], target.slice(0, target.lastIndexOf('.')))
          continue
        }
        const f = d.fields[k]
        const resolved = { ...f, go: qualifyGoType(f.go, pfx), decl: f.go }
        const namedDef = goDefName(f.go, pfx)
        const under = named[namedDef]
        if (under) resolved.underlying = qualifyGoType(under, namedDef.slice(0, namedDef.lastIndexOf('.')))
        const targetDef = goDefName(f.go.replace(/^(\[\]|map\[\w+\])\*?/, ''), pfx)
        if (targetDef && (structs[targetDef] || decls.has(targetDef))) resolved.ref = targetDef
        const elem = /^(\[\]|map\[\w+\])\*?(.+)$/.exec(f.go)
        if (elem) resolved.elem = elem[1].startsWith('[') ? 'list' : 'map'
        // The descriptions of fields kubernetes-types knows come from there; keep Go doc only for the rest.
        if (tsHasField(decls, name, k)) delete resolved.doc
        if (!resolved.doc) delete resolved.doc
        fields[k] = resolved
        order.push(k)
      }
    }
    const order = []
    collect(def, prefix)
    out[name] = {
      ...(def.structType ? { structType: def.structType } : {}),
      ...(def.doc && !decls.has(name) ? { doc: def.doc } : {}),
      fields,
      order,
    }
  }
  return { ref: gitRef, structs: out, named }
}

function tsHasField(decls, defName, field) {
  const d = decls.get(defName)
  return !!d && ts.isInterfaceDeclaration(d.node) && d.node.members.some((m) => m.name?.text === field)
}

// ---------------------------------------------------------------------------------------------
// Protobuf side: field numbers and wire kinds from the `protobuf:"bytes,1,opt,name=metadata"` tags
// that k8s.io/code-generator's go-to-protobuf keeps in the Go structs (generated.proto is built
// from the same tags). Read from the same Go sources as above, written to protobuf-fields.json.

/**
 * Types whose protobuf form is hand-written upstream; src/api/protobuf.ts decodes them by name:
 * Time/MicroTime are Timestamp{seconds=1,nanos=2} (apimachinery pkg/apis/meta/v1/time_proto.go),
 * Quantity is {string=1} (pkg/api/resource/quantity_proto.go), IntOrString is
 * {type=1,intVal=2,strVal=3} (pkg/util/intstr/generated.proto), RawExtension and FieldsV1 are {raw=1}.
 */
const protobufSpecials = new Set([
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'io.k8s.apimachinery.pkg.api.resource.Quantity',
  INT_OR_STRING,
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
])

/** Go scalar -> protobuf scalar kind (the API has no floats or plain ints in the served groups). */
const protobufScalars = { string: 'string', bool: 'bool', int32: 'int32', int64: 'int64', uint32: 'uint32', uint64: 'uint64' }

/** Struct fields in declaration order with their Go type and raw json/protobuf tags. */
function parseGoProtobuf(src, prefix) {
  const structs = {}
  const lines = src.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const top = /^type (\w+) struct \{\s*$/.exec(lines[i])
    if (!top) continue
    const fields = []
    for (i++; i < lines.length && !/^\}/.test(lines[i]); i++) {
      const l = lines[i]
      if (/^\s*(\/\/.*)?$/.test(l)) continue
      if (/^\s*\/\*/.test(l)) {
        while (i < lines.length && !lines[i].includes('*/')) i++
        continue
      }
      const field = /^\s+(\w+)\s+([^`\s]+)\s+`([^`]*)`/.exec(l)
      const embedded = /^\s+(\*?[\w.]+)\s+`([^`]*)`/.exec(l)
      if (!field && !embedded) throw new Error(`${prefix}.${top[1]}: cannot parse struct line ${JSON.stringify(l)}`)
      const tags = field ? field[3] : embedded[2]
      fields.push({
        goType: field ? field[2] : embedded[1],
        embedded: !field,
        json: /json:"([^"]*)"/.exec(tags)?.[1],
        protobuf: /protobuf:"([^"]*)"/.exec(tags)?.[1],
      })
    }
    structs[`${prefix}.${top[1]}`] = fields
  }
  return structs
}

/** Go type -> { type, ref?, elem?, key?, value? } as the protobuf decoder needs it. */
function protobufType(goType, prefix, structs, named, where) {
  const t = goType.replace(/^\*/, '')
  let m
  if (t === '[]byte') return { type: 'bytes' }
  if ((m = /^\[\](.+)$/.exec(t))) {
    const elem = protobufType(m[1], prefix, structs, named, where)
    if (elem.type === 'list' || elem.type === 'map' || m[1].startsWith('*')) throw new Error(`${where}: unsupported list element ${m[1]}`)
    return { type: 'list', elem }
  }
  if ((m = /^map\[([\w.]+)\](.+)$/.exec(t))) {
    const key = protobufType(m[1], prefix, structs, named, where)
    const value = protobufType(m[2], prefix, structs, named, where)
    if ((value.type === 'list' && !value.wrapped) || value.type === 'map' || m[2].startsWith('*')) throw new Error(`${where}: unsupported map value ${m[2]}`)
    return { type: 'map', key, value }
  }
  if (protobufScalars[t]) return { type: protobufScalars[t] }
  const def = goDefName(t, prefix)
  if (def === 'io.k8s.apimachinery.pkg.types.UID') return { type: 'string' }
  if (protobufSpecials.has(def) || structs[def]) return { type: 'message', ref: def }
  const under = named[def]?.replace(/^=\s*/, '')
  if (!under) throw new Error(`${where}: no protobuf form known for Go type ${goType}`)
  const resolved = protobufType(under, def.slice(0, def.lastIndexOf('.')), structs, named, where)
  // A named slice (meta/v1 Verbs, +protobuf.nullable) becomes a message { repeated items = 1 }.
  if (resolved.type === 'list') return { ...resolved, wrapped: true }
  return resolved
}

/** The wire kind a tag must name for a decoded type: varint for bools and integers, bytes otherwise. */
function protobufWire(type) {
  const scalar = type.type === 'list' && !type.wrapped ? type.elem.type : type.type
  return /^(bool|u?int(32|64))$/.test(scalar) ? 'varint' : 'bytes'
}

function extractProtobuf(gits, gitRef) {
  const structs = {}
  const named = {}
  for (const [repo, git] of Object.entries(gits)) {
    for (const [prefix, files] of Object.entries(goSources[repo])) {
      for (const f of files) {
        const src = gitShow(git, gitRef, f)
        Object.assign(structs, parseGoProtobuf(src, prefix))
        Object.assign(named, parseGo(src, prefix).named)
      }
    }
  }
  const messages = {}
  for (const [name, goFields] of Object.entries(structs)) {
    // Hand-decoded types, and structs that never travel as protobuf (meta/v1 Table, WatchEvent).
    if (protobufSpecials.has(name) || !goFields.some((f) => f.protobuf)) continue
    const prefix = name.slice(0, name.lastIndexOf('.'))
    const fields = []
    for (const f of goFields) {
      const json = (f.json ?? '').split(',')
      if (json[0] === '-') continue
      if (!f.protobuf) {
        // apiVersion/kind are not in the message: runtime.Unknown's typeMeta carries them.
        if (f.embedded && /(^|\.)TypeMeta$/.test(f.goType)) continue
        throw new Error(`${name}: field ${f.goType} ${f.json} has no protobuf tag`)
      }
      // The opt/rep label is not used: go-to-protobuf repeats by Go type (PersistentVolumeSpec.mountOptions says opt).
      const [wire, num] = f.protobuf.split(',')
      if (!/^\d+$/.test(num ?? '')) throw new Error(`${name}: bad protobuf tag ${f.protobuf}`)
      const type = protobufType(f.goType, prefix, structs, named, name)
      const inline = f.embedded && !json[0]
      if (inline && type.type !== 'message') throw new Error(`${name}: inline field ${f.goType} is not a message`)
      // The tag's wire word can be stale too (SecretVolumeSource.defaultMode says bytes); the
      // generated marshaller, and so the decoder, goes by the Go type.
      if (wire !== protobufWire(type)) console.log(`note: ${name}.${json[0]}: tag says ${wire}, Go type ${f.goType} is encoded as ${protobufWire(type)}`)
      fields.push({
        ...(inline ? { inline: true } : { json: json[0] }),
        num: Number(num),
        wire: protobufWire(type),
        ...(json.includes('omitempty') ? { omitempty: true } : {}),
        ...(f.goType.startsWith('*') ? { pointer: true } : {}),
        ...type,
      })
    }
    messages[name] = { fields }
  }
  // Every referenced message must be decodable: either recorded here or hand-decoded.
  const check = (t, where) => {
    if (t.ref && !messages[t.ref] && !protobufSpecials.has(t.ref)) throw new Error(`${where}: dangling protobuf reference ${t.ref}`)
    for (const sub of [t.elem, t.key, t.value]) if (sub) check(sub, where)
  }
  for (const [name, m] of Object.entries(messages)) for (const f of m.fields) check(f, name)
  const versions = { v1: 'io.k8s.api.core.v1' }
  for (const [prefix, gv] of Object.entries(groupVersions)) versions[gv.group ? `${gv.group}/${gv.version}` : gv.version] = prefix
  return { ref: gitRef, groupVersions: versions, specials: [...protobufSpecials].sort(), messages }
}

// ---------------------------------------------------------------------------------------------
// Schema generation.

function intSchema(go) {
  const t = (go ?? '').replace(/^(\*|\[\]|map\[\w+\])+/, '')
  if (/^u?int64$/.test(t)) return { type: 'integer', format: 'int64' }
  if (/^float(32|64)$/.test(t)) return { type: 'number', format: 'double' }
  return { type: 'integer', format: 'int32' }
}

/** Schema of a TypeScript type node found in `defName.field`. */
function tsSchema(node, decl, goField) {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      // []byte marshals as base64 text (Secret.data, ConfigMap.binaryData).
      return /\[\]byte$/.test(goField?.decl ?? '') ? { type: 'string', format: 'byte' } : { type: 'string' }
    case ts.SyntaxKind.LiteralType:
      return { type: 'string' }
    case ts.SyntaxKind.BooleanKeyword:
      return { type: 'boolean' }
    case ts.SyntaxKind.NumberKeyword:
      return intSchema(goField?.underlying ?? goField?.decl)
    case ts.SyntaxKind.ArrayType:
      return { type: 'array', items: tsSchema(node.elementType, decl, goField) }
    case ts.SyntaxKind.UnionType:
      return ref(INT_OR_STRING)
    case ts.SyntaxKind.TypeLiteral: {
      const sig = node.members.find(ts.isIndexSignatureDeclaration)
      if (!sig) throw new Error(`unsupported type literal in ${decl.prefix}`)
      return { type: 'object', additionalProperties: tsSchema(sig.type, decl, goField) }
    }
    case ts.SyntaxKind.TypeReference: {
      const name = node.typeName.text
      if (name === 'Array') return { type: 'array', items: tsSchema(node.typeArguments[0], decl, goField) }
      const prefix = decl.imports.get(name) ?? decl.prefix
      return ref(`${prefix}.${name}`)
    }
    default:
      throw new Error(`unsupported TypeScript type kind ${ts.SyntaxKind[node.kind]}`)
  }
}

/** Schema of a Go type string (for fields and definitions kubernetes-types 1.30 does not have). */
function goSchema(goType, prefix, go) {
  const t = goType.replace(/^\*/, '')
  let m
  if (t === '[]byte') return { type: 'string', format: 'byte' }
  if ((m = /^\[\](.+)$/.exec(t))) return { type: 'array', items: goSchema(m[1], prefix, go) }
  if ((m = /^map\[\w+\](.+)$/.exec(t))) return { type: 'object', additionalProperties: goSchema(m[1], prefix, go) }
  if (t === 'string') return { type: 'string' }
  if (t === 'byte') return { type: 'string', format: 'byte' }
  if (t === 'bool') return { type: 'boolean' }
  if (/^(u?int\d*|float\d+)$/.test(t)) return intSchema(t)
  const def = goDefName(t, prefix)
  if (def === INT_OR_STRING) return ref(INT_OR_STRING)
  if (go.structs[def] || knownScalarDefs.has(def)) return ref(def)
  const under = go.named[def]
  if (under) return goSchema(under, def.slice(0, def.lastIndexOf('.')), go)
  if (def === 'io.k8s.apimachinery.pkg.types.UID') return { type: 'string' }
  throw new Error(`unknown Go type ${goType} in ${prefix}`)
}

const knownScalarDefs = new Set([
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
  'io.k8s.apimachinery.pkg.api.resource.Quantity',
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
])

/** Adds the SMP / list-type extensions the Go tags and markers carry. */
function decorate(prop, goField) {
  if (!goField) return prop
  if (goField.patchMergeKey) prop['x-kubernetes-patch-merge-key'] = goField.patchMergeKey
  if (goField.patchStrategy) prop['x-kubernetes-patch-strategy'] = goField.patchStrategy
  if (goField.listType) prop['x-kubernetes-list-type'] = goField.listType
  if (goField.listMapKeys) prop['x-kubernetes-list-map-keys'] = goField.listMapKeys
  if (goField.mapType) prop['x-kubernetes-map-type'] = goField.mapType
  return prop
}

/** Property schema: a bare `$ref` gets wrapped in allOf when it has a description, as kube-openapi does. */
function withDescription(schema, description) {
  if (!description) return schema
  if (schema.$ref) return { allOf: [schema], description }
  return { ...schema, description }
}

function generate() {
  const go = JSON.parse(readFileSync(goDataFile, 'utf8'))
  const decls = readTypeScript()
  const defs = {}
  for (const [name, decl] of decls) {
    const node = decl.node
    if (ts.isTypeAliasDeclaration(node)) {
      defs[name] = scalarDefinition(name, decl.doc)
      continue
    }
    const goStruct = go.structs[name]
    const schema = { type: 'object' }
    if (decl.doc) schema.description = decl.doc
    const properties = {}
    const required = []
    let gvk
    for (const m of node.members) {
      if (!ts.isPropertySignature(m)) continue
      const field = m.name.text
      const goField = goStruct?.fields[field]
      // A field 1.30 had and 1.32 dropped (PodResourceClaim.source): the 1.32 server rejects it too.
      if (goStruct && !goField) continue
      properties[field] = decorate(withDescription(tsSchema(m.type, decl, goField), docOf(m)), goField)
      if (!m.questionToken || goField?.required) required.push(field)
      if (field === 'kind' && m.type.kind === ts.SyntaxKind.LiteralType) gvk = m.type.literal.text
    }
    // Fields Kubernetes 1.31/1.32 added that kubernetes-types 1.30 lacks: from the Go struct.
    for (const [field, goField] of Object.entries(goStruct?.fields ?? {})) {
      if (properties[field]) continue
      properties[field] = decorate(withDescription(goSchema(goField.decl, decl.prefix, go), goField.doc), goField)
      if (goField.required) required.push(field)
    }
    if (Object.keys(properties).length) schema.properties = properties
    if (required.length) schema.required = goOrder(required, goStruct)
    if (goStruct?.structType) schema['x-kubernetes-map-type'] = goStruct.structType
    if (gvk && groupVersions[decl.prefix]) schema['x-kubernetes-group-version-kind'] = [{ ...groupVersions[decl.prefix], kind: gvk }]
    defs[name] = schema
  }
  addMetaKinds(defs)
  defs[INT_OR_STRING] = {
    description:
      'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
    'x-kubernetes-int-or-string': true,
  }
  // Groups kubernetes-types has no file for (kube-aggregator's): every struct is a root.
  const goOnlyRoots = Object.keys(go.structs).filter((n) => n.startsWith(`${aggregatorPrefix}.`))
  // Definitions that only exist in Go 1.31/1.32 (referenced by the added fields), transitively.
  let added = true
  while (added) {
    added = false
    for (const name of [...goOnlyRoots, ...referencedNames(defs)]) {
      if (defs[name]) continue
      const st = go.structs[name]
      if (!st) throw new Error(`dangling reference to ${name}`)
      const prefix = name.slice(0, name.lastIndexOf('.'))
      const properties = {}
      for (const [field, goField] of Object.entries(st.fields)) {
        properties[field] = decorate(withDescription(goSchema(goField.decl, prefix, go), goField.doc), goField)
      }
      const required = st.order.filter((f) => st.fields[f].required)
      const gv = groupVersions[prefix]
      const kind = name.slice(prefix.length + 1)
      defs[name] = {
        ...(gv && st.fields.kind && st.fields.metadata ? { 'x-kubernetes-group-version-kind': [{ ...gv, kind }] } : {}),
        ...(st.doc ? { description: st.doc } : {}),
        type: 'object',
        properties,
        ...(required.length ? { required } : {}),
        ...(st.structType ? { 'x-kubernetes-map-type': st.structType } : {}),
      }
      added = true
    }
  }
  return sortKeys(defs)
}

/** Sorts field names in Go declaration order, which is the order upstream lists `required` in. */
function goOrder(fields, goStruct) {
  const pos = (f) => {
    const i = goStruct?.order.indexOf(f) ?? -1
    return i < 0 ? Infinity : i
  }
  return [...fields].sort((a, b) => pos(a) - pos(b) || (a < b ? -1 : 1))
}

/** Time, MicroTime, Quantity: the TS aliases are plain strings; upstream gives them formats. */
function scalarDefinition(name, description) {
  const short = name.slice(name.lastIndexOf('.') + 1)
  const base = description ? { description } : {}
  if (short === 'Time' || short === 'MicroTime') return { ...base, type: 'string', format: 'date-time' }
  // Quantity decodes from a JSON number too (resource.Quantity.UnmarshalJSON), hence the oneOf upstream uses.
  if (short === 'Quantity') return { ...base, oneOf: [{ type: 'string' }, { type: 'number' }] }
  throw new Error(`unexpected type alias ${name}`)
}

/** meta/v1 types whose apiVersion/kind are plain strings in TS but that upstream tags with GVKs. */
function addMetaKinds(defs) {
  const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1.'
  for (const kind of ['Status', 'APIResourceList', 'APIVersions', 'APIGroup', 'APIGroupList']) {
    defs[`${meta}${kind}`]['x-kubernetes-group-version-kind'] = [{ group: '', version: 'v1', kind }]
  }
  const all = Object.values(groupVersions)
  for (const kind of ['DeleteOptions', 'WatchEvent']) {
    defs[`${meta}${kind}`]['x-kubernetes-group-version-kind'] = all.map((gv) => ({ ...gv, kind }))
  }
  // Free-form objects: anything goes inside them.
  for (const free of ['io.k8s.apimachinery.pkg.runtime.RawExtension', `${meta}FieldsV1`]) {
    defs[free]['x-kubernetes-preserve-unknown-fields'] = true
  }
}

function referencedNames(defs) {
  const out = new Set()
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk)
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref') out.add(x.slice('#/components/schemas/'.length))
        else walk(x)
      }
    }
  }
  walk(defs)
  return out
}

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (v && typeof v === 'object') {
    const o = {}
    for (const k of Object.keys(v).sort()) o[k] = sortKeys(v[k])
    return o
  }
  return v
}

const args = process.argv.slice(2)
/** `<kubernetes/api> <kubernetes/apimachinery> <kubernetes/kube-aggregator> [ref]` git dirs, as goSources names them. */
const gitArgs = () => ({ api: args[1], apimachinery: args[2], aggregator: args[3] })
if (args[0] === '--extract-protobuf') {
  const data = extractProtobuf(gitArgs(), args[4] ?? 'v0.32.0')
  writeFileSync(protobufDataFile, `${JSON.stringify(sortKeys(data), null, 1)}\n`)
  console.log(`wrote ${protobufDataFile}: ${Object.keys(data.messages).length} protobuf messages`)
} else if (args[0] === '--extract-go') {
  const data = extractGo(gitArgs(), args[4] ?? 'v0.32.0')
  writeFileSync(goDataFile, `${JSON.stringify(sortKeys(data), null, 2)}\n`)
  console.log(`wrote ${goDataFile}: ${Object.keys(data.structs).length} Go structs`)
} else {
  const defs = generate()
  writeFileSync(outFile, `${JSON.stringify(defs, null, 2)}\n`)
  console.log(`wrote ${outFile}: ${Object.keys(defs).length} definitions`)
}
