/**
 * @module webhook-converter: converts custom objects between versions through the CRD's conversion
 * webhook with a ConversionReview v1 (v1beta1 when the CRD's conversionReviewVersions lists it
 * first), as the apiextensions-apiserver's webhookConverter does
 * (staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/conversion/webhook_converter.go): only
 * objects not already at the desired version are sent, and the answer is checked (uid, count,
 * kind/name/namespace/uid/apiVersion of each object) before its metadata is restored but for
 * labels and annotations (restoreObjectMeta).
 */
import { randomUUID } from 'node:crypto'
import { StatusError } from '../../errors.js'
import type { KubeObject } from '../../types.js'
import type { Registry } from '../registry.js'
import { WebhookCallError, webhookRequest, type WebhookRequest, type WebhookResponse } from '../admissionregistration/webhook-client.js'
import type { WebhookClientConfig } from '../admissionregistration/webhook-types.js'
import type { CustomResourceDefinition } from './crd-types.js'

/** Converts objects of one kind to `desiredAPIVersion`, in order; rejects with upstream's error texts. */
export type ObjectConverter = (objs: KubeObject[], desiredAPIVersion: string) => Promise<KubeObject[]>

/** The conversion client's deadline: conversion has no timeoutSeconds field (upstream's default 30s). */
const conversionTimeoutSeconds = 30

interface ConversionReviewResponse {
  uid?: string
  convertedObjects?: KubeObject[]
  result?: { status?: string; message?: string }
}

/** The ConversionReview versions this server speaks, as upstream's createConversionReviewObjects knows them. */
type ConversionReviewVersion = 'v1' | 'v1beta1'

/** The first of the CRD's conversionReviewVersions this server speaks. */
function conversionReviewVersionFor(versions: string[] | undefined): ConversionReviewVersion | undefined {
  return (versions ?? []).find((v): v is ConversionReviewVersion => v === 'v1' || v === 'v1beta1')
}

/** `stable.example.com/v1, Kind=CronTab`, as schema.GroupVersionKind prints. */
function gvkOf(obj: KubeObject): string {
  return `${obj.apiVersion}, Kind=${obj.kind}`
}

/** The converter for a CRD with `conversion.strategy: Webhook`; the client config is resolved per call (Services may change). */
export function webhookConverter(registry: Registry, crd: CustomResourceDefinition): ObjectConverter {
  const webhook = (crd.spec?.conversion?.webhook ?? {}) as { clientConfig?: WebhookClientConfig; conversionReviewVersions?: string[] }
  const cc = webhook.clientConfig ?? {}
  const name = crd.metadata.name ?? ''
  const reviewVersion = conversionReviewVersionFor(webhook.conversionReviewVersions)
  return async (objs, desiredAPIVersion) => {
    const toConvert = objs.filter((o) => o.apiVersion !== desiredAPIVersion)
    if (!toConvert.length) return objs
    // createConversionReviewObjects' error, returned as it is (validation keeps it for stored CRDs only).
    if (!reviewVersion) throw conversionError('no supported conversion review versions')
    const gvk = gvkOf(toConvert[0])
    const uid = randomUUID()
    const body = JSON.stringify({
      kind: 'ConversionReview',
      apiVersion: `apiextensions.k8s.io/${reviewVersion}`,
      request: { uid, desiredAPIVersion, objects: toConvert },
    })
    let response: ConversionReviewResponse
    try {
      response = await post(registry, name, cc, body, reviewVersion)
    } catch (err) {
      throw conversionError(`conversion webhook for ${gvk} failed: ${(err as Error).message}`)
    }
    const converted = convertedObjectsOf(uid, response, reviewVersion)
    if (typeof converted === 'string') throw conversionError(`conversion webhook for ${gvk} returned invalid response: ${converted}`)
    if (converted.length !== toConvert.length) {
      throw conversionError(`conversion webhook for ${gvk} returned ${converted.length} objects, expected ${toConvert.length}`)
    }
    const single = objs.length === 1
    let next = 0
    return objs.map((orig) => {
      if (orig.apiVersion === desiredAPIVersion) return orig
      const index = next++
      const out = converted[index]
      const where = single ? 'invalid object' : `invalid converted object at index ${index}`
      const invalid = validateConvertedObject(orig, out, desiredAPIVersion)
      if (invalid) throw conversionError(`conversion webhook for ${gvk} returned ${where}: ${invalid}`)
      const restored = restoreObjectMeta(orig, out)
      if (typeof restored === 'string') {
        throw conversionError(
          `conversion webhook for ${gvk} returned ${single ? 'invalid metadata' : `invalid metadata in object at index ${index}`}: ${restored}`,
        )
      }
      return restored
    })
  }
}

/**
 * A conversion failure is no API status upstream: responsewriters.ErrorToAPIStatus makes it a 500
 * with no reason and the error's own text (kubectl: `Error from server: conversion webhook for …`).
 */
function conversionError(message: string): StatusError {
  return StatusError.untranslated(message)
}

/** One POST; rejects with the REST client's text (`Post "https://…?timeout=30s": dial tcp …`). */
async function post(
  registry: Registry,
  name: string,
  cc: WebhookClientConfig,
  body: string,
  reviewVersion: ConversionReviewVersion,
): Promise<ConversionReviewResponse> {
  let req: WebhookRequest
  try {
    req = webhookRequest(registry, name, cc, conversionTimeoutSeconds, body)
  } catch (err) {
    // The shared client words it for admission (`failed to call webhook: …`); the REST client's own text follows.
    if (err instanceof WebhookCallError) throw new Error(err.reason.replace(/^failed to call webhook: /, ''))
    throw err
  }
  const transport = registry.webhookTransport
  if (!transport) throw new Error(`Post "${req.url}": this server has no webhook transport`)
  let res: WebhookResponse
  try {
    res = await transport.post(req)
  } catch (err) {
    throw new Error(`Post "${req.url}": ${(err as Error).message}`)
  }
  if (res.status < 200 || res.status > 299) {
    throw new Error(`the server responded with the status code ${res.status} but did not return more information`)
  }
  let review: { apiVersion?: string; kind?: string; response?: ConversionReviewResponse }
  try {
    review = JSON.parse(res.body) as typeof review
  } catch (err) {
    throw new Error(`couldn't get version/kind; json parse error: ${(err as Error).message}`)
  }
  // "v1beta1 processing did not verify GVK or UID, so skip those for compatibility".
  if (reviewVersion === 'v1' && (review.apiVersion !== 'apiextensions.k8s.io/v1' || review.kind !== 'ConversionReview')) {
    throw new Error(`expected webhook response of apiextensions.k8s.io/v1, Kind=ConversionReview, got ${review.apiVersion ?? ''}, Kind=${review.kind ?? ''}`)
  }
  return review.response ?? (undefined as unknown as ConversionReviewResponse)
}

/** getConvertedObjectsFromResponse: the objects, or what is wrong with the response (v1beta1: the uid is not checked). */
function convertedObjectsOf(uid: string, response: ConversionReviewResponse | undefined, reviewVersion: ConversionReviewVersion): KubeObject[] | string {
  if (!response) return 'no response provided'
  if (reviewVersion === 'v1' && response.uid !== uid) return `expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(response.uid ?? '')}`
  const status = response.result?.status ?? ''
  if (status !== 'Success') {
    if (response.result?.message) return response.result.message
    return `response.result.status was '${status}', not 'Success'`
  }
  return Array.isArray(response.convertedObjects) ? response.convertedObjects : []
}

/** validateConvertedObject: identity and apiVersion of one converted object, or what is wrong. */
function validateConvertedObject(orig: KubeObject, out: KubeObject | undefined, desiredAPIVersion: string): string | undefined {
  if (!out || typeof out !== 'object' || !out.metadata || typeof out.metadata !== 'object') return 'invalid converted object: metadata missing'
  if (out.apiVersion !== desiredAPIVersion) return `invalid apiVersion ${JSON.stringify(out.apiVersion ?? '')}, expected ${JSON.stringify(desiredAPIVersion)}`
  if (out.kind !== orig.kind) return `must have the same kind: ${orig.kind} != ${out.kind ?? ''}`
  const m = orig.metadata
  const o = out.metadata
  if ((o.name ?? '') !== (m.name ?? '')) return `must have the same name: ${m.name ?? ''} != ${o.name ?? ''}`
  if ((o.namespace ?? '') !== (m.namespace ?? '')) return `must have the same namespace: ${m.namespace ?? ''} != ${o.namespace ?? ''}`
  if ((o.uid ?? '') !== (m.uid ?? '')) return `must have the same UID: ${m.uid ?? ''} != ${o.uid ?? ''}`
  return undefined
}

/** True for a map of strings (labels, annotations). */
function stringMap(v: unknown): v is Record<string, string> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string')
}

/**
 * restoreObjectMeta: a webhook may change labels and annotations only; every other metadata field
 * is the original's, so a buggy webhook cannot rename, re-own or re-version an object.
 */
function restoreObjectMeta(orig: KubeObject, out: KubeObject): KubeObject | string {
  const meta: KubeObject['metadata'] = { ...orig.metadata }
  for (const field of ['labels', 'annotations'] as const) {
    const v = out.metadata[field]
    if (v === undefined || v === null) delete meta[field]
    else if (!stringMap(v)) return `invalid metadata.${field}: must be a map of strings`
    else meta[field] = v
  }
  return { ...out, metadata: meta }
}
