/** @module protobuf: decodes `application/vnd.kubernetes.protobuf` request bodies into the JSON form of the same object. */
import { readFileSync } from 'node:fs'
import { StatusError } from '../errors.js'
import { decodeBody, mediaType, type DecodedBody } from './negotiation.js'

/** The media type typed client-go clients (kubectl create …) send bodies in. */
export const protobufMediaType = 'application/vnd.kubernetes.protobuf'

/** What one protobuf body held: the type it names and the object as its JSON form would be. */
export interface ProtobufObject {
  apiVersion: string
  kind: string
  /** The object with `kind` and `apiVersion` first, exactly as encoding/json would have written it. */
  object: Record<string, unknown>
}

// Every body starts with these four bytes ("k8s\0"): apimachinery
// pkg/runtime/serializer/protobuf/protobuf.go (protoEncodingPrefix).
const magic = [0x6b, 0x38, 0x73, 0x00]

type ScalarType = 'string' | 'bytes' | 'bool' | 'int32' | 'int64' | 'uint32' | 'uint64'

/** One decoded type as openapi/protobuf-fields.json records it (see scripts/gen-openapi.mjs). */
interface TypeDesc {
  type: ScalarType | 'message' | 'list' | 'map'
  /** Definition name of a message type. */
  ref?: string
  elem?: TypeDesc
  key?: TypeDesc
  value?: TypeDesc
  /** A named slice (meta/v1 Verbs): the list travels inside a message as field 1. */
  wrapped?: boolean
}

/** One field of a Go API struct, in Go declaration order. */
interface FieldDesc extends TypeDesc {
  /** JSON name; absent for an embedded struct whose fields are promoted (`json:",inline"`). */
  json?: string
  inline?: boolean
  num: number
  wire: 'varint' | 'bytes'
  omitempty?: boolean
  /** A Go pointer: present in the message only when set, so zero values survive. */
  pointer?: boolean
}

interface ProtobufData {
  ref: string
  /** `apps/v1` -> `io.k8s.api.apps.v1` */
  groupVersions: Record<string, string>
  messages: Record<string, { fields: FieldDesc[] }>
}

// src/api/*.ts and dist/api/*.js both sit two levels below the package root.
const dataFile = new URL('../../openapi/protobuf-fields.json', import.meta.url)
let data: ProtobufData | undefined
const fieldIndex = new Map<string, Map<number, FieldDesc>>()

/** The generated field table; read on first use so that server startup does not pay for it. */
function load(): ProtobufData {
  data ??= JSON.parse(readFileSync(dataFile, 'utf8')) as ProtobufData
  return data
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1'
const TIME = `${META}.Time`
const MICRO_TIME = `${META}.MicroTime`
const FIELDS_V1 = `${META}.FieldsV1`
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity'
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString'
const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension'

/** Nesting deeper than this is refused (RawExtensions may embed whole objects). */
const maxDepth = 64

/** A field as read off the wire, before its type is applied. */
interface Occurrence {
  wire: number
  varint?: bigint
  bytes?: Uint8Array
}

class ProtobufError extends Error {}

/** Reads protobuf wire format: varints, length-delimited fields, fixed32/64 skipped by size. */
class Reader {
  private pos = 0
  constructor(
    private readonly buf: Uint8Array,
    private readonly where: string,
  ) {}

  get done(): boolean {
    return this.pos >= this.buf.length
  }

  fail(why: string): ProtobufError {
    return new ProtobufError(`${this.where}: ${why}`)
  }

  varint(): bigint {
    let result = 0n
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.buf.length) throw this.fail('unexpected end of data inside a varint')
      const b = this.buf[this.pos++]
      result |= BigInt(b & 0x7f) << shift
      if (b < 0x80) return result
    }
    throw this.fail('varint is longer than 10 bytes')
  }

  take(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.buf.length) throw this.fail(`field length ${n} runs past the end of the data`)
    const out = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  /** All fields of one message, grouped by number in wire order. */
  fields(): Map<number, Occurrence[]> {
    const out = new Map<number, Occurrence[]>()
    while (!this.done) {
      const key = this.varint()
      const num = Number(key >> 3n)
      const wire = Number(key & 7n)
      if (num <= 0 || num > 0x1fffffff) throw this.fail(`illegal field number ${num}`)
      let occ: Occurrence
      if (wire === 0) occ = { wire, varint: this.varint() }
      else if (wire === 2) occ = { wire, bytes: this.take(Number(this.varint())) }
      else if (wire === 1) occ = { wire, bytes: this.take(8) }
      else if (wire === 5) occ = { wire, bytes: this.take(4) }
      else throw this.fail(`unsupported wire type ${wire} for field ${num}`)
      let list = out.get(num)
      if (!list) out.set(num, (list = []))
      list.push(occ)
    }
    return out
  }
}

const utf8 = new TextDecoder('utf-8')
const wireNames = ['varint', 'fixed64', 'bytes', 'group start', 'group end', 'fixed32']

function expectWire(o: Occurrence, wire: 0 | 2, where: string): void {
  if (o.wire !== wire) throw new ProtobufError(`${where}: wire type ${wireNames[o.wire] ?? o.wire} where ${wireNames[wire]} was expected`)
}

/** The bytes of a (possibly repeated) embedded message: protobuf merges repeats by concatenation. */
function messageBytes(occ: Occurrence[], where: string): Uint8Array {
  for (const o of occ) expectWire(o, 2, where)
  if (occ.length === 1) return occ[0].bytes!
  return Buffer.concat(occ.map((o) => o.bytes!))
}

function scalar(t: ScalarType, o: Occurrence, where: string): unknown {
  if (t === 'string' || t === 'bytes') {
    expectWire(o, 2, where)
    // []byte is base64 in JSON (encoding/json), which is how Secret.data travels.
    return t === 'string' ? utf8.decode(o.bytes!) : Buffer.from(o.bytes!).toString('base64')
  }
  expectWire(o, 0, where)
  const v = o.varint!
  switch (t) {
    case 'bool':
      return v !== 0n
    case 'int32':
      return Number(BigInt.asIntN(32, v))
    case 'int64':
      return Number(BigInt.asIntN(64, v))
    case 'uint32':
      return Number(BigInt.asUintN(32, v))
    case 'uint64':
      return Number(BigInt.asUintN(64, v))
  }
}

function zero(t: ScalarType): unknown {
  return t === 'string' ? '' : t === 'bool' ? false : 0
}

/** encoding/json's isEmptyValue for the values a protobuf field can hold. */
function isEmpty(v: unknown): boolean {
  return v === '' || v === false || v === 0 || v === null || (Array.isArray(v) && v.length === 0)
}

function isVarintType(t: TypeDesc): boolean {
  return t.type === 'bool' || /^u?int(32|64)$/.test(t.type)
}

/** One element of a list or map value. */
function element(t: TypeDesc, o: Occurrence, where: string, depth: number): unknown {
  if (t.type === 'message') {
    expectWire(o, 2, where)
    return messageValue(t.ref!, o.bytes!, where, depth + 1)
  }
  return scalar(t.type as ScalarType, o, where)
}

function listItems(elem: TypeDesc, occ: Occurrence[], where: string, depth: number): unknown[] {
  const items: unknown[] = []
  for (const o of occ) {
    // Repeated varints may come packed into one length-delimited field; decoders accept both forms.
    if (isVarintType(elem) && o.wire === 2) {
      const r = new Reader(o.bytes!, where)
      while (!r.done) items.push(scalar(elem.type as ScalarType, { wire: 0, varint: r.varint() }, where))
    } else {
      items.push(element(elem, o, where, depth))
    }
  }
  return items
}

/** A Go map: repeated entries {key = 1, value = 2}; a missing key or value is the zero value. */
function mapEntries(f: TypeDesc, occ: Occurrence[], where: string, depth: number): Record<string, unknown> {
  const entries: Array<[string, unknown]> = []
  for (const o of occ) {
    expectWire(o, 2, where)
    const fields = new Reader(o.bytes!, where).fields()
    const k = fields.get(1)?.at(-1)
    const v = fields.get(2)?.at(-1)
    const key = k ? element(f.key!, k, `${where} key`, depth) : zero(f.key!.type as ScalarType)
    let value: unknown
    if (v) value = element(f.value!, v, `${where}[${String(key)}]`, depth)
    else if (f.value!.type === 'message') value = messageValue(f.value!.ref!, new Uint8Array(0), where, depth + 1)
    else value = f.value!.type === 'bytes' ? '' : zero(f.value!.type as ScalarType)
    entries.push([String(key), value])
  }
  // encoding/json writes map keys sorted.
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return Object.fromEntries(entries)
}

/** Adds one field to `out` the way encoding/json would marshal the decoded Go value. */
function emitField(out: Record<string, unknown>, f: FieldDesc, occ: Occurrence[], where: string, depth: number): void {
  const name = f.json ?? ''
  const at = f.inline ? where : `${where}.${name}`
  // A nil pointer, slice or map: omitted under omitempty, null otherwise.
  const setNil = () => {
    if (!f.omitempty) out[name] = null
  }
  switch (f.type) {
    case 'list': {
      const items = f.wrapped
        ? occ.length
          ? listItems(f.elem!, new Reader(messageBytes(occ, at), at).fields().get(1) ?? [], at, depth)
          : []
        : listItems(f.elem!, occ, at, depth)
      if (items.length) out[name] = items
      else setNil()
      return
    }
    case 'map': {
      if (occ.length) out[name] = mapEntries(f, occ, at, depth)
      else setNil()
      return
    }
    case 'message': {
      // Non-pointer structs are never empty to encoding/json: `"status": {}`, `"creationTimestamp": null`.
      if (!occ.length && f.pointer) return setNil()
      const v = messageValue(f.ref!, occ.length ? messageBytes(occ, at) : new Uint8Array(0), at, depth + 1)
      if (f.inline) Object.assign(out, v)
      else out[name] = v
      return
    }
    default: {
      const t = f.type as ScalarType
      if (!occ.length) {
        if (f.pointer || t === 'bytes') return setNil()
        if (!f.omitempty) out[name] = zero(t)
        return
      }
      // Last one wins for a non-repeated scalar.
      const v = scalar(t, occ[occ.length - 1], at)
      if (f.omitempty && !f.pointer && isEmpty(v)) return
      out[name] = v
    }
  }
}

/** Decodes one message of definition `def` into its JSON object form. */
function decodeMessage(bytes: Uint8Array, def: string, where: string, depth: number): Record<string, unknown> {
  if (depth > maxDepth) throw new ProtobufError(`${where}: nested more than ${maxDepth} levels deep`)
  const msg = load().messages[def]
  if (!msg) throw new ProtobufError(`${where}: no protobuf field table for ${def}`)
  let index = fieldIndex.get(def)
  if (!index) fieldIndex.set(def, (index = new Map(msg.fields.map((f) => [f.num, f]))))
  const wire = new Reader(bytes, where).fields()
  const out: Record<string, unknown> = {}
  // Unknown field numbers are skipped, as the generated Unmarshal methods do (skipGenerated).
  for (const f of msg.fields) emitField(out, f, wire.get(f.num) ?? [], where, depth)
  return out
}

/** Value of a message-typed field: the hand-written types first, then the generated table. */
function messageValue(def: string, bytes: Uint8Array, where: string, depth: number): unknown {
  switch (def) {
    case TIME:
    case MICRO_TIME:
      return formatTime(bytes, def === MICRO_TIME, where)
    case QUANTITY: {
      // resource.Quantity marshals as its canonical string; the zero Quantity as "0".
      const s = lastBytes(bytes, 1, where)
      return s?.length ? utf8.decode(s) : '0'
    }
    case INT_OR_STRING: {
      // intstr.IntOrString{type=1, intVal=2, strVal=3}: type 0 is Int, 1 is String.
      const fields = new Reader(bytes, where).fields()
      const type = lastVarint(fields, 1, where) ?? 0n
      if (type === 0n) return Number(BigInt.asIntN(32, lastVarint(fields, 2, where) ?? 0n))
      if (type === 1n) {
        const s = fields.get(3)?.at(-1)
        return s ? scalar('string', s, where) : ''
      }
      throw new ProtobufError(`${where}: impossible IntOrString.Type ${type}`)
    }
    case RAW_EXTENSION:
    case FIELDS_V1:
      return rawJSON(lastBytes(bytes, 1, where), where, depth)
    default:
      return decodeMessage(bytes, def, where, depth)
  }
}

function lastBytes(bytes: Uint8Array, num: number, where: string): Uint8Array | undefined {
  const o = new Reader(bytes, where).fields().get(num)?.at(-1)
  if (!o) return undefined
  expectWire(o, 2, where)
  return o.bytes
}

function lastVarint(fields: Map<number, Occurrence[]>, num: number, where: string): bigint | undefined {
  const o = fields.get(num)?.at(-1)
  if (!o) return undefined
  expectWire(o, 0, where)
  return o.varint
}

/**
 * metav1.Time / MicroTime travel as Timestamp{seconds=1, nanos=2}; the zero time as an empty message
 * (apimachinery pkg/apis/meta/v1/time_proto.go). JSON is RFC 3339 in UTC (MicroTime with six
 * fractional digits), the zero time is null (time.go MarshalJSON).
 */
function formatTime(bytes: Uint8Array, micro: boolean, where: string): string | null {
  if (!bytes.length) return null
  const fields = new Reader(bytes, where).fields()
  const seconds = BigInt.asIntN(64, lastVarint(fields, 1, where) ?? 0n)
  const nanos = Number(BigInt.asIntN(32, lastVarint(fields, 2, where) ?? 0n))
  // time.Unix normalises nanoseconds outside [0, 1e9).
  const total = seconds * 1_000_000_000n + BigInt(nanos)
  let secs = total / 1_000_000_000n
  let frac = total % 1_000_000_000n
  if (frac < 0n) {
    frac += 1_000_000_000n
    secs -= 1n
  }
  // Go's zero time.Time, 0001-01-01T00:00:00Z, is what IsZero() reports.
  if (secs === -62135596800n && frac === 0n) return null
  const date = new Date(Number(secs) * 1000)
  const year = date.getUTCFullYear()
  if (Number.isNaN(date.getTime()) || year < 0 || year > 9999) throw new ProtobufError(`${where}: Time.MarshalJSON: year outside of range [0,9999]`)
  const iso = date
    .toISOString()
    .replace(/^\+0*(?=\d{4}-)/, '')
    .slice(0, 19)
  return micro ? `${iso}.${String(frac / 1000n).padStart(6, '0')}Z` : `${iso}Z`
}

/** RawExtension / FieldsV1 hold JSON bytes (or, inside protobuf objects, another protobuf object). */
function rawJSON(raw: Uint8Array | undefined, where: string, depth: number): unknown {
  if (!raw?.length) return null
  if (hasMagic(raw)) return decodeEnvelope(raw, where, depth + 1).object
  try {
    return JSON.parse(utf8.decode(raw))
  } catch (err) {
    throw new ProtobufError(`${where}: embedded raw data is neither JSON nor protobuf: ${(err as Error).message}`)
  }
}

function hasMagic(buf: Uint8Array): boolean {
  return buf.length >= magic.length && magic.every((b, i) => buf[i] === b)
}

/** Definition name for an apiVersion/kind; meta/v1 kinds (DeleteOptions) are valid in every group. */
function definitionFor(apiVersion: string, kind: string): string | undefined {
  const d = load()
  const prefix = d.groupVersions[apiVersion]
  if (prefix && d.messages[`${prefix}.${kind}`]) return `${prefix}.${kind}`
  if ((prefix || apiVersion === 'meta.k8s.io/v1') && d.messages[`${META}.${kind}`]) return `${META}.${kind}`
  return undefined
}

/** runtime.Unknown{typeMeta{apiVersion=1, kind=2}=1, raw=2, contentEncoding=3, contentType=4} after the magic. */
function decodeEnvelope(body: Uint8Array, where: string, depth: number): ProtobufObject {
  if (!hasMagic(body)) throw new ProtobufError(`provided data does not appear to be a protobuf message, expected prefix [${magic.join(' ')}]`)
  const unknown = new Reader(body.subarray(magic.length), 'runtime.Unknown').fields()
  const str = (fields: Map<number, Occurrence[]>, num: number, name: string) => {
    const o = fields.get(num)?.at(-1)
    return o ? (scalar('string', o, `runtime.Unknown.${name}`) as string) : ''
  }
  const tm = unknown.get(1)
  const typeMeta = tm ? new Reader(messageBytes(tm, 'runtime.Unknown.typeMeta'), 'runtime.Unknown.typeMeta').fields() : new Map()
  const apiVersion = str(typeMeta, 1, 'typeMeta.apiVersion')
  const kind = str(typeMeta, 2, 'typeMeta.kind')
  const encoding = str(unknown, 3, 'contentEncoding')
  if (encoding) throw new ProtobufError(`unsupported protobuf content encoding ${JSON.stringify(encoding)}`)
  const contentType = str(unknown, 4, 'contentType')
  if (contentType && mediaType(contentType) !== protobufMediaType)
    throw new ProtobufError(`unsupported content type ${JSON.stringify(contentType)} inside a protobuf body`)
  if (!kind) throw new ProtobufError(`Object 'Kind' is missing in protobuf body`)
  const def = definitionFor(apiVersion, kind)
  if (!def) throw new ProtobufError(`no kind "${kind}" is registered for version "${apiVersion}"`)
  const rawOcc = unknown.get(2)
  const raw = rawOcc ? messageBytes(rawOcc, 'runtime.Unknown.raw') : new Uint8Array(0)
  const body2 = decodeMessage(raw, def, where ? `${where}.${kind}` : kind, depth)
  return { apiVersion, kind, object: { kind, apiVersion, ...body2 } }
}

/**
 * Decodes a Kubernetes protobuf body (`k8s\0` + runtime.Unknown) into the object it carries, in the
 * exact JSON form encoding/json gives the same Go object: zero-valued omitempty fields dropped,
 * non-pointer structs always present, Time as RFC 3339 (zero: null), IntOrString as number or string,
 * Quantity as its string, []byte as base64, RawExtension as parsed JSON. Unknown field numbers are
 * skipped. Throws an Error naming the field path on malformed input or an unknown apiVersion/kind.
 * Pure: does not keep or mutate `body`.
 */
export function decodeProtobufObject(body: Buffer): ProtobufObject {
  try {
    return decodeEnvelope(body, '', 0)
  } catch (err) {
    if (err instanceof ProtobufError) throw new Error(err.message)
    // BigInt/Buffer range errors on hostile input are malformed input too.
    if (err instanceof RangeError) throw new Error(`malformed protobuf body: ${err.message}`)
    throw err
  }
}

/**
 * Decodes a request body of any supported media type: protobuf through decodeProtobufObject,
 * JSON/YAML through negotiation's decodeBody. Protobuf failures become `badRequest(message)`
 * (a 400 StatusError by default; decodeObject passes its "cannot be handled as" wrapper). The
 * raw body must be the bytes for protobuf (a Buffer; a string is taken as latin1 bytes).
 */
export function decodeAnyBody(
  raw: unknown,
  contentType: string | undefined,
  badRequest: (message: string) => Error = (m) => StatusError.badRequest(m),
): DecodedBody {
  if (mediaType(contentType) !== protobufMediaType) return decodeBody(raw, contentType)
  const bytes = Buffer.isBuffer(raw)
    ? raw
    : raw instanceof Uint8Array
      ? Buffer.from(raw)
      : typeof raw === 'string'
        ? Buffer.from(raw, 'latin1')
        : Buffer.alloc(0)
  try {
    return { value: decodeProtobufObject(bytes).object, duplicates: [] }
  } catch (err) {
    throw badRequest((err as Error).message)
  }
}
