/** @module webhook-converter.test: the ConversionReview v1 exchange and upstream's checks of the answer. */
import { describe, expect, it } from 'vitest'
import { definitions } from '../../../src/registry/definitions.js'
import { Registry } from '../../../src/registry/registry.js'
import type { WebhookRequest, WebhookTransport } from '../../../src/registry/admissionregistration/webhook-client.js'
import { webhookConverter } from '../../../src/registry/apiextensions/webhook-converter.js'
import type { CustomResourceDefinition } from '../../../src/registry/apiextensions/crd-types.js'
import { SimClock } from '../../../src/sim/clock.js'
import { MemoryStore } from '../../../src/store/object-store.js'
import type { KubeObject } from '../../../src/types.js'

interface Review {
  request: { uid: string; desiredAPIVersion: string; objects: KubeObject[] }
}

/** A transport answering with `answer(review)` (or failing as the dialer would), recording every request. */
function setup(answer: (review: Review) => unknown, reviewVersions = ['v1'], answerAPIVersion = 'apiextensions.k8s.io/v1') {
  const sent: WebhookRequest[] = []
  const transport: WebhookTransport = {
    async post(req) {
      sent.push(req)
      const review = JSON.parse(req.body) as Review
      return { status: 200, body: JSON.stringify({ apiVersion: answerAPIVersion, kind: 'ConversionReview', response: answer(review) }) }
    },
  }
  const clock = new SimClock({ start: Date.parse('2026-01-01T00:00:00Z'), speed: 0 })
  const registry = new Registry({ store: new MemoryStore(), clock, definitions, webhookTransport: transport })
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'crontabs.stable.example.com' },
    spec: {
      conversion: { strategy: 'Webhook', webhook: { clientConfig: { url: 'https://127.0.0.1:9443/convert' }, conversionReviewVersions: reviewVersions } },
    },
  } as CustomResourceDefinition
  return { convert: webhookConverter(registry, crd), sent }
}

const tab = (name: string, apiVersion = 'stable.example.com/v1beta1'): KubeObject =>
  ({
    apiVersion,
    kind: 'CronTab',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '7', labels: { a: 'b' } },
    spec: { x: 1 },
  }) as KubeObject

/** A faithful webhook: sets the desired apiVersion, renames spec.x to spec.y. */
const faithful = (r: Review) => ({
  uid: r.request.uid,
  result: { status: 'Success' },
  convertedObjects: r.request.objects.map((o) => ({ ...o, apiVersion: r.request.desiredAPIVersion, spec: { y: 1 } })),
})

describe('webhookConverter', () => {
  it('sends only the objects not at the desired version, with ?timeout=30s, and keeps their order', async () => {
    const { convert, sent } = setup(faithful)
    const out = await convert([tab('a'), tab('b', 'stable.example.com/v1'), tab('c')], 'stable.example.com/v1')
    expect(sent).toHaveLength(1)
    expect(sent[0].url).toBe('https://127.0.0.1:9443/convert?timeout=30s')
    const review = JSON.parse(sent[0].body)
    expect(review).toMatchObject({ kind: 'ConversionReview', apiVersion: 'apiextensions.k8s.io/v1', request: { desiredAPIVersion: 'stable.example.com/v1' } })
    expect(review.request.objects.map((o: KubeObject) => o.metadata.name)).toEqual(['a', 'c'])
    expect(out.map((o) => [o.metadata.name, (o as unknown as { spec: object }).spec])).toEqual([
      ['a', { y: 1 }],
      ['b', { x: 1 }],
      ['c', { y: 1 }],
    ])
    expect(await convert([tab('d', 'stable.example.com/v1')], 'stable.example.com/v1')).toHaveLength(1)
    expect(sent).toHaveLength(1)
  })

  it('keeps only label and annotation changes of the metadata (restoreObjectMeta)', async () => {
    const { convert } = setup((r) => ({
      ...faithful(r),
      convertedObjects: r.request.objects.map((o) => ({
        ...o,
        apiVersion: r.request.desiredAPIVersion,
        metadata: { ...o.metadata, resourceVersion: '99', finalizers: ['x'], labels: { c: 'd' }, annotations: { e: 'f' } },
      })),
    }))
    const [out] = await convert([tab('a')], 'stable.example.com/v1')
    expect(out.metadata).toEqual({ name: 'a', namespace: 'default', uid: 'uid-a', resourceVersion: '7', labels: { c: 'd' }, annotations: { e: 'f' } })
  })

  it('refuses wrong answers with upstream texts', async () => {
    const gvk = 'conversion webhook for stable.example.com/v1beta1, Kind=CronTab'
    const fails = async (answer: (r: Review) => unknown, objs = [tab('a')]) =>
      (
        (await setup(answer)
          .convert(objs, 'stable.example.com/v1')
          .catch((e) => e)) as Error
      ).message
    expect(await fails((r) => ({ ...faithful(r), uid: 'other' }))).toMatch(
      new RegExp(`^${gvk} returned invalid response: expected response.uid="[-0-9a-f]{36}", got "other"$`),
    )
    expect(await fails((r) => ({ uid: r.request.uid, result: { status: 'Failure', message: 'no way' } }))).toBe(`${gvk} returned invalid response: no way`)
    expect(await fails((r) => ({ uid: r.request.uid, result: { status: 'Failure' } }))).toBe(
      `${gvk} returned invalid response: response.result.status was 'Failure', not 'Success'`,
    )
    expect(await fails((r) => ({ ...faithful(r), convertedObjects: [] }))).toBe(`${gvk} returned 0 objects, expected 1`)
    expect(await fails((r) => ({ ...faithful(r), convertedObjects: r.request.objects }))).toBe(
      `${gvk} returned invalid object: invalid apiVersion "stable.example.com/v1beta1", expected "stable.example.com/v1"`,
    )
    const renamed = (r: Review) => ({
      ...faithful(r),
      convertedObjects: faithful(r).convertedObjects.map((o, i) => (i === 1 ? { ...o, metadata: { ...o.metadata, name: 'z' } } : o)),
    })
    expect(await fails(renamed, [tab('a'), tab('b')])).toBe(`${gvk} returned invalid converted object at index 1: must have the same name: b != z`)
  })

  it('reports transport failures as the REST client words them', async () => {
    const clock = new SimClock({ start: 0, speed: 0 })
    const transport: WebhookTransport = {
      post: () => Promise.reject(new Error('dial tcp 127.0.0.1:9443: connect: connection refused')),
    }
    const registry = new Registry({ store: new MemoryStore(), clock, definitions, webhookTransport: transport })
    const crd = {
      metadata: { name: 'c' },
      spec: { conversion: { strategy: 'Webhook', webhook: { clientConfig: { url: 'https://127.0.0.1:9443/convert' }, conversionReviewVersions: ['v1'] } } },
    } as CustomResourceDefinition
    const err = await webhookConverter(registry, crd)([tab('a')], 'stable.example.com/v1').catch((e) => e)
    expect(err.status.code).toBe(500)
    expect(err.status.reason).toBeUndefined()
    expect(err.message).toBe(
      'conversion webhook for stable.example.com/v1beta1, Kind=CronTab failed: Post "https://127.0.0.1:9443/convert?timeout=30s": dial tcp 127.0.0.1:9443: connect: connection refused',
    )
  })
})

describe('webhookConverter with ConversionReview v1beta1', () => {
  it('sends v1beta1 when conversionReviewVersions lists it first, and checks neither the answer’s kind nor its uid', async () => {
    const { convert, sent } = setup((r) => ({ ...faithful(r), uid: 'not-checked' }), ['v1beta1', 'v1'], 'apiextensions.k8s.io/v1beta1')
    const [out] = await convert([tab('a')], 'stable.example.com/v1')
    expect(JSON.parse(sent[0].body)).toMatchObject({
      kind: 'ConversionReview',
      apiVersion: 'apiextensions.k8s.io/v1beta1',
      request: { desiredAPIVersion: 'stable.example.com/v1' },
    })
    expect(out).toMatchObject({ apiVersion: 'stable.example.com/v1', spec: { y: 1 } })
    // v1 first: v1 is sent, and the v1beta1 answer is refused as upstream's decoder checks it.
    const v1 = setup(faithful, ['v1', 'v1beta1'], 'apiextensions.k8s.io/v1beta1')
    await expect(v1.convert([tab('a')], 'stable.example.com/v1')).rejects.toThrow(
      'conversion webhook for stable.example.com/v1beta1, Kind=CronTab failed: expected webhook response of apiextensions.k8s.io/v1, Kind=ConversionReview, got apiextensions.k8s.io/v1beta1, Kind=ConversionReview',
    )
    expect(JSON.parse(v1.sent[0].body).apiVersion).toBe('apiextensions.k8s.io/v1')
    // A failed result is still a failure in v1beta1.
    const failing = setup(
      (r) => ({ uid: r.request.uid, result: { status: 'Failure', message: 'cannot convert' } }),
      ['v1beta1'],
      'apiextensions.k8s.io/v1beta1',
    )
    await expect(failing.convert([tab('a')], 'stable.example.com/v1')).rejects.toThrow(
      'conversion webhook for stable.example.com/v1beta1, Kind=CronTab returned invalid response: cannot convert',
    )
  })

  it('a stored CRD listing no version this server speaks fails the conversion with upstream’s text', async () => {
    const { convert, sent } = setup(faithful, ['v2'])
    await expect(convert([tab('a')], 'stable.example.com/v1')).rejects.toThrow('no supported conversion review versions')
    expect(sent).toHaveLength(0)
  })
})
