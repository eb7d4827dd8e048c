/** @module crd-conversion-webhook.test: real kubectl against a two-version CRD converted by an HTTPS conversion webhook the test serves (self-signed CA). */
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateCA, generateTLS } from '../../src/tls.js'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { ok } from '../helpers/expect-kubectl.js'

interface ConversionReview {
  apiVersion: string
  request: { uid: string; desiredAPIVersion: string; objects: { apiVersion: string; metadata: { name: string }; spec?: Record<string, unknown> }[] }
}

/** v1beta1 names the schedule `cronSpec`, v1 `schedule`: the webhook renames it each way. */
function convert(obj: ConversionReview['request']['objects'][number], desired: string) {
  const spec = { ...(obj.spec ?? {}) }
  if (desired.endsWith('/v1') && 'cronSpec' in spec) {
    spec.schedule = spec.cronSpec
    delete spec.cronSpec
  } else if (desired.endsWith('/v1beta1') && 'schedule' in spec) {
    spec.cronSpec = spec.schedule
    delete spec.schedule
  }
  return { ...obj, apiVersion: desired, spec }
}

const specSchema = (field: string) => ({
  openAPIV3Schema: {
    type: 'object',
    properties: { spec: { type: 'object', properties: { [field]: { type: 'string' }, image: { type: 'string' } } } },
  },
})

const crd = (port: number, caBundle: string, group = 'stable.example.com', reviewVersions = ['v1']) =>
  JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `crontabs.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList' },
      versions: [
        { name: 'v1beta1', served: true, storage: true, schema: specSchema('cronSpec') },
        { name: 'v1', served: true, storage: false, schema: specSchema('schedule') },
      ],
      conversion: {
        strategy: 'Webhook',
        webhook: { clientConfig: { url: `https://127.0.0.1:${port}/convert`, caBundle }, conversionReviewVersions: reviewVersions },
      },
    },
  })

describe('CRD conversion webhooks with kubectl', () => {
  let km: Kubemock
  let server: Server
  let port: number
  let caBundle: string
  const seen: ConversionReview[] = []
  const k = (args: string[], input?: string) => km.kubectl(args, { input })

  beforeAll(async () => {
    const ca = generateCA()
    const tls = generateTLS({ ca, hosts: [] })
    caBundle = Buffer.from(ca.cert).toString('base64')
    server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      let body = ''
      req.on('data', (c) => {
        body += c
      })
      req.on('end', () => {
        const review = JSON.parse(body) as ConversionReview
        seen.push(review)
        const { uid, desiredAPIVersion, objects } = review.request
        const response = { uid, convertedObjects: objects.map((o) => convert(o, desiredAPIVersion)), result: { status: 'Success' } }
        res.writeHead(200, { 'Content-Type': 'application/json' })
        // Answered in the version asked (an old webhook speaks v1beta1 only).
        res.end(JSON.stringify({ apiVersion: review.apiVersion, kind: 'ConversionReview', response }))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
    km = await startKubemock()
  })
  afterAll(async () => {
    await km?.stop()
    server?.close()
  })

  it('refuses strategy Webhook without conversionReviewVersions, with upstream texts', async () => {
    const bad = JSON.parse(crd(port, caBundle))
    bad.metadata.name = 'bad.stable.example.com'
    bad.spec.names = { plural: 'bad', singular: 'bad', kind: 'Bad', listKind: 'BadList' }
    delete bad.spec.conversion.webhook.conversionReviewVersions
    const r = await k(['create', '-f', '-'], JSON.stringify(bad))
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain('spec.conversion.conversionReviewVersions: Required value')
    bad.spec.conversion = { strategy: 'None', webhook: { clientConfig: { url: 'https://127.0.0.1:1/x' } } }
    const none = await k(['create', '-f', '-'], JSON.stringify(bad))
    expect(none.stderr).toContain('spec.conversion.webhookClientConfig: Forbidden: should not be set when strategy is not set to Webhook')
  })

  it('kubectl get at v1 shows an object created at v1beta1 converted by the webhook', async () => {
    ok(await k(['apply', '-f', '-'], crd(port, caBundle)))
    ok(await k(['wait', '--for', 'condition=established', 'crd/crontabs.stable.example.com', '--timeout=15s']))
    const obj = {
      apiVersion: 'stable.example.com/v1beta1',
      kind: 'CronTab',
      metadata: { name: 'old', labels: { a: 'b' } },
      spec: { cronSpec: '* * * * */5', image: 'x' },
    }
    ok(await k(['create', '-f', '-'], JSON.stringify(obj)))
    const got = JSON.parse(ok(await k(['get', 'crontabs.v1.stable.example.com', 'old', '-o', 'json'])))
    expect(got.apiVersion).toBe('stable.example.com/v1')
    expect(got.spec).toEqual({ schedule: '* * * * */5', image: 'x' })
    expect(got.metadata.labels).toEqual({ a: 'b' })
    const review = seen.find((r) => r.request.desiredAPIVersion === 'stable.example.com/v1')!
    expect(review.request.objects[0]).toMatchObject({ apiVersion: 'stable.example.com/v1beta1', spec: { cronSpec: '* * * * */5' } })
    // The storage version is read without a call.
    const stored = JSON.parse(ok(await k(['get', 'crontabs.v1beta1.stable.example.com', 'old', '-o', 'json'])))
    expect(stored.spec).toEqual({ cronSpec: '* * * * */5', image: 'x' })
  })

  it('stores a v1 create as v1beta1 and lists both at either version', async () => {
    const obj = { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'new' }, spec: { schedule: '@daily', image: 'y' } }
    const created = JSON.parse(ok(await k(['create', '-f', '-', '-o', 'json'], JSON.stringify(obj))))
    expect(created).toMatchObject({ apiVersion: 'stable.example.com/v1', spec: { schedule: '@daily' } })
    const beta = JSON.parse(ok(await k(['get', 'crontabs.v1beta1.stable.example.com', 'new', '-o', 'json'])))
    expect(beta.spec).toEqual({ cronSpec: '@daily', image: 'y' })
    const list = JSON.parse(ok(await k(['get', 'crontabs.v1.stable.example.com', '-o', 'json'])))
    expect(list.items.map((i: { apiVersion: string; spec: { schedule: string } }) => [i.apiVersion, i.spec.schedule])).toEqual([
      ['stable.example.com/v1', '@daily'],
      ['stable.example.com/v1', '* * * * */5'],
    ])
    // A patch at v1 goes through both conversions and lands in the stored field.
    ok(await k(['patch', 'crontabs.v1.stable.example.com', 'new', '--type=merge', '-p', '{"spec":{"schedule":"@hourly"}}']))
    const patched = JSON.parse(ok(await k(['get', 'crontabs.v1beta1.stable.example.com', 'new', '-o', 'json'])))
    expect(patched.spec.cronSpec).toBe('@hourly')
  })

  it('a watch at v1 streams every event converted, in order', async () => {
    const out = ok(await k(['get', '--raw', '/apis/stable.example.com/v1/namespaces/default/crontabs?watch=true&timeoutSeconds=1']))
    const events = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; object: { apiVersion: string; metadata: { name: string }; spec: Record<string, unknown> } })
    expect(events.map((e) => [e.type, e.object.apiVersion, e.object.metadata.name, e.object.spec.schedule])).toEqual([
      ['ADDED', 'stable.example.com/v1', 'new', '@hourly'],
      ['ADDED', 'stable.example.com/v1', 'old', '* * * * */5'],
    ])
  })

  it('a CRD whose conversionReviewVersions lists only v1beta1 gets ConversionReview v1beta1', async () => {
    ok(await k(['apply', '-f', '-'], crd(port, caBundle, 'beta.example.com', ['v1beta1'])))
    ok(await k(['wait', '--for', 'condition=established', 'crd/crontabs.beta.example.com', '--timeout=15s']))
    const obj = { apiVersion: 'beta.example.com/v1beta1', kind: 'CronTab', metadata: { name: 'b' }, spec: { cronSpec: '@monthly', image: 'z' } }
    ok(await k(['create', '-f', '-'], JSON.stringify(obj)))
    const got = JSON.parse(ok(await k(['get', 'crontabs.v1.beta.example.com', 'b', '-o', 'json'])))
    expect(got).toMatchObject({ apiVersion: 'beta.example.com/v1', spec: { schedule: '@monthly', image: 'z' } })
    const review = seen.filter((r) => r.request.desiredAPIVersion === 'beta.example.com/v1').at(-1)!
    expect(review.apiVersion).toBe('apiextensions.k8s.io/v1beta1')
    // The first CRD's reviews stay v1.
    expect(new Set(seen.filter((r) => r.request.desiredAPIVersion.startsWith('stable.')).map((r) => r.apiVersion))).toEqual(
      new Set(['apiextensions.k8s.io/v1']),
    )
  })

  it('with the webhook down, a read at v1 fails with upstream error text', async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeAllConnections()
    const r = await k(['get', 'crontabs.v1.stable.example.com', 'old'])
    expect(r.code).not.toBe(0)
    expect(r.stderr.trim()).toBe(
      `Error from server: conversion webhook for stable.example.com/v1beta1, Kind=CronTab failed: Post "https://127.0.0.1:${port}/convert?timeout=30s": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    )
    // The storage version needs no webhook.
    ok(await k(['get', 'crontabs.v1beta1.stable.example.com', 'old']))
  })
})
