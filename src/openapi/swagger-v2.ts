/** @module swagger-v2: the /openapi/v2 document, built on first use from the same definitions as /openapi/v3, as JSON and as gnostic protobuf. */
import { createHash } from 'node:crypto'
import { buildOpenAPIv3Document, openAPIDocumentKeys, sortKeys, type ServedResource } from './documents.js'
import { documentsToV2 } from './v3-to-v2.js'

/** One served representation of the document. */
export interface SwaggerV2Bytes {
  body: Buffer
  /** Upper-case hex SHA-512 of the JSON text (kube-openapi computeETag); both representations share it. */
  etag: string
  /** When the document was built (whole seconds, as HTTP dates carry them). */
  lastModified: Date
}

/** The v2 document in both encodings; each is built at most once, on its first call. */
export interface SwaggerV2Service {
  /** The JSON text (sorted keys, so equal content gives equal bytes and ETag). */
  json(): SwaggerV2Bytes
  /** The gnostic openapi_v2.Document protobuf of the same JSON text. */
  protobuf(): Promise<SwaggerV2Bytes>
}

/**
 * The /openapi/v2 service for `resources`: kube-apiserver's v2 document is the union of its v3
 * group-version documents, so this converts those (built with PATCH request bodies, as upstream's
 * v2 has them) rather than describing anything twice. Nothing is computed before the first call;
 * the caller must not mutate `resources` afterwards.
 */
export function createSwaggerV2(resources: ServedResource[], version: { gitVersion: string }): SwaggerV2Service {
  let json: SwaggerV2Bytes | undefined
  let proto: Promise<SwaggerV2Bytes> | undefined

  const buildJSON = (): SwaggerV2Bytes => {
    const v3 = openAPIDocumentKeys(resources).map((key) => buildOpenAPIv3Document(key, resources, version.gitVersion, { patchRequestBodies: true }))
    const text = JSON.stringify(sortKeys(documentsToV2(v3)))
    const lastModified = new Date(Math.floor(Date.now() / 1000) * 1000)
    return { body: Buffer.from(text, 'utf8'), etag: createHash('sha512').update(text).digest('hex').toUpperCase(), lastModified }
  }

  const service: SwaggerV2Service = {
    json: () => (json ??= buildJSON()),
    protobuf() {
      // As kube-openapi does (ToProtoBinary), the protobuf is made from the JSON text.
      proto ??= (async () => {
        const j = service.json()
        // The gnostic encoder (and protobufjs, YAML) load with the first request for protobuf.
        const { encodeGnosticDocument } = await import('./gnostic-document.js')
        const bytes = await encodeGnosticDocument(JSON.parse(j.body.toString('utf8')) as Record<string, unknown>)
        return { body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), etag: j.etag, lastModified: j.lastModified }
      })()
      proto.catch(() => {
        proto = undefined
      })
      return proto
    },
  }
  return service
}
