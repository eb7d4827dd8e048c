/** @module webhook-validation.test: upstream's defaults and validation texts for webhook configurations, and the AdmissionReview response checks. */
import { describe, expect, it } from 'vitest'
import { admissionReviewVersionFor, verifyAdmissionResponse } from '../../../src/registry/admissionregistration/admission-review.js'
import type { WebhookConfiguration } from '../../../src/registry/admissionregistration/webhook-types.js'
import { defaultWebhooks, validateWebhookConfiguration } from '../../../src/registry/admissionregistration/webhook-validation.js'

const config = (hook: Record<string, unknown>): WebhookConfiguration =>
  ({
    metadata: { name: 'c' },
    webhooks: [{ name: 'a.b.c', sideEffects: 'None', admissionReviewVersions: ['v1'], clientConfig: { url: 'https://h/x' }, ...hook }],
  }) as WebhookConfiguration

describe('webhook configuration validation', () => {
  it('defaults as v1 does', () => {
    const c = config({
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
      clientConfig: { service: { namespace: 'n', name: 's' } },
    })
    defaultWebhooks(c, true)
    expect(c.webhooks![0]).toMatchObject({
      failurePolicy: 'Fail',
      matchPolicy: 'Equivalent',
      timeoutSeconds: 10,
      reinvocationPolicy: 'Never',
      namespaceSelector: {},
      objectSelector: {},
    })
    expect(c.webhooks![0].rules![0].scope).toBe('*')
    expect(c.webhooks![0].clientConfig.service!.port).toBe(443)
  })

  it('words rule, resource, timeout and client config errors as upstream', () => {
    const errs = validateWebhookConfiguration(
      config({
        rules: [{ operations: ['CREATE', '*'], apiGroups: [''], apiVersions: ['v1'], resources: ['*/*', 'pods'] }],
        timeoutSeconds: 31,
        clientConfig: { url: 'https://u@h/x?q=1#f' },
      }),
      false,
    )
    expect(errs).toContainEqual({
      type: 'FieldValueInvalid',
      field: 'webhooks[0].rules[0].operations',
      badValue: ['CREATE', '*'],
      detail: "if '*' is present, must not specify other operations",
    })
    expect(errs).toContainEqual({
      type: 'FieldValueInvalid',
      field: 'webhooks[0].rules[0].resources',
      badValue: ['*/*', 'pods'],
      detail: "if '*/*' is present, must not specify other resources",
    })
    expect(errs).toContainEqual({
      type: 'FieldValueInvalid',
      field: 'webhooks[0].timeoutSeconds',
      badValue: 31,
      detail: 'the timeout value must be between 1 and 30 seconds',
    })
    expect(errs.map((e) => e.detail)).toEqual(
      expect.arrayContaining([
        'user information is not permitted in the URL',
        'fragments are not permitted in the URL',
        'query parameters are not permitted in the URL',
      ]),
    )
  })

  it('requires exactly one of url and service, and admissionReviewVersions', () => {
    const errs = validateWebhookConfiguration(config({ clientConfig: {}, admissionReviewVersions: [] }), false)
    expect(errs).toContainEqual({ type: 'FieldValueRequired', field: 'webhooks[0].clientConfig', detail: 'exactly one of url or service is required' })
    expect(errs).toContainEqual({ type: 'FieldValueRequired', field: 'webhooks[0].admissionReviewVersions', detail: 'must specify one of v1, v1beta1' })
  })
})

describe('verifyAdmissionResponse', () => {
  const review = (response: Record<string, unknown>) => JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response })
  it('decodes a JSONPatch and warnings', () => {
    const patch = Buffer.from('[{"op":"add","path":"/a","value":1}]').toString('base64')
    const r = verifyAdmissionResponse('u', true, review({ uid: 'u', allowed: true, patchType: 'JSONPatch', patch, warnings: ['w'] }))
    expect(r).toMatchObject({ allowed: true, patch: [{ op: 'add', path: '/a', value: 1 }], warnings: ['w'] })
  })
  it('refuses what upstream refuses', () => {
    expect(() => verifyAdmissionResponse('u', false, review({ uid: 'x', allowed: true }))).toThrow('expected response.uid="u", got "x"')
    expect(() => verifyAdmissionResponse('u', false, review({ uid: 'u', allowed: true, patchType: 'JSONPatch' }))).toThrow(
      'validating webhook may not return response.patchType',
    )
    expect(() => verifyAdmissionResponse('u', true, review({ uid: 'u', allowed: true, patch: 'W10=' }))).toThrow(
      'webhook returned response.patch but not response.patchType',
    )
    expect(() => verifyAdmissionResponse('u', true, JSON.stringify({ kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1' }))).toThrow(
      'webhook response was absent',
    )
  })
})

describe('AdmissionReview v1beta1', () => {
  it('is sent only when it comes before v1 in admissionReviewVersions, or v1 is absent; unknown versions are skipped', () => {
    expect(admissionReviewVersionFor(['v1', 'v1beta1'])).toBe('v1')
    expect(admissionReviewVersionFor(['v1beta1', 'v1'])).toBe('v1beta1')
    expect(admissionReviewVersionFor(['v2', 'v1beta1'])).toBe('v1beta1')
    expect(admissionReviewVersionFor(['v2'])).toBeUndefined()
    expect(admissionReviewVersionFor(undefined)).toBeUndefined()
  })
  it('checks a v1beta1 answer as upstream does: no uid, kind or patchType checks; a validating webhook’s patch is ignored', () => {
    const patch = Buffer.from('[{"op":"add","path":"/a","value":1}]').toString('base64')
    const body = (response: Record<string, unknown>, apiVersion = 'admission.k8s.io/v1beta1') =>
      JSON.stringify({ apiVersion, kind: 'AdmissionReview', response })
    expect(verifyAdmissionResponse('u', true, body({ uid: 'other', allowed: true, patch }), 'v1beta1')).toMatchObject({
      allowed: true,
      patch: [{ op: 'add', path: '/a', value: 1 }],
      patchType: 'JSONPatch',
    })
    expect(verifyAdmissionResponse('u', false, body({ allowed: false, patch, status: { message: 'no' } }, 'admission.k8s.io/v1'), 'v1beta1')).toMatchObject({
      allowed: false,
      patch: undefined,
      patchType: undefined,
      result: { message: 'no' },
    })
    expect(() => verifyAdmissionResponse('u', true, JSON.stringify({ kind: 'AdmissionReview' }), 'v1beta1')).toThrow('webhook response was absent')
  })
})
