/** @module crd-validation.test: ValidateCustomResourceDefinition(Update) messages, and the definition factory's version order. */
import { beforeAll, describe, expect, it } from 'vitest'
import type { CustomResourceDefinition } from '../../../src/registry/apiextensions/crd-types.js'
import { validateCRD, validateCRDName, validateCRDUpdate } from '../../../src/registry/apiextensions/crd-validation.js'
import { compareKubeVersions, customResourceDefinitionFor } from '../../../src/registry/apiextensions/custom-resource-definition.js'
import { loadCel } from '../../../src/registry/cel/load-cel.js'

// The validators call CEL synchronously; the registry loads it before a kind's first write (ResourceDefinition.load).
beforeAll(() => loadCel())

const crd = (over: Partial<NonNullable<CustomResourceDefinition['spec']>> = {}): CustomResourceDefinition => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'crontabs.stable.example.com' },
  spec: {
    group: 'stable.example.com',
    scope: 'Namespaced',
    names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
    ...over,
  },
})

const messages = (errs: { field: string; detail?: string }[]) => errs.map((e) => `${e.field}: ${e.detail ?? ''}`)

describe('CRD conversion validation', () => {
  const webhook = (w: Record<string, unknown> | undefined, strategy = 'Webhook') => messages(validateCRD(crd({ conversion: { strategy, webhook: w } })))

  it('accepts a url or a service webhook with v1 reviews', () => {
    expect(webhook({ clientConfig: { url: 'https://127.0.0.1:9443/convert' }, conversionReviewVersions: ['v1'] })).toEqual([])
    expect(webhook({ clientConfig: { service: { name: 'conv', namespace: 'ns', path: '/convert' } }, conversionReviewVersions: ['v1', 'v1beta1'] })).toEqual([])
  })

  it('requires the client config and review versions for Webhook, with upstream paths and texts', () => {
    expect(webhook(undefined)).toEqual([
      'spec.conversion.webhookClientConfig: required when strategy is set to Webhook',
      'spec.conversion.conversionReviewVersions: ',
    ])
    expect(webhook({ clientConfig: {}, conversionReviewVersions: ['v2', 'v2'] })).toEqual([
      'spec.conversion.webhookClientConfig: exactly one of url or service is required',
      'spec.conversion.conversionReviewVersions[1]: duplicate version',
      'spec.conversion.conversionReviewVersions: must include at least one of v1, v1beta1',
    ])
    expect(webhook({ clientConfig: { url: 'https://x/c' }, conversionReviewVersions: ['v1beta1'] })).toEqual([])
    expect(webhook({ clientConfig: { url: 'http://x/convert' }, conversionReviewVersions: ['v1'] })).toEqual([
      "spec.conversion.webhookClientConfig.url: 'https' is the only allowed URL scheme; desired format: https://host[/path]",
    ])
  })

  it('forbids a webhook without strategy Webhook', () => {
    expect(webhook({ clientConfig: { url: 'https://x/c' }, conversionReviewVersions: ['v1'] }, 'None')).toEqual([
      'spec.conversion.webhookClientConfig: should not be set when strategy is not set to Webhook',
      'spec.conversion.conversionReviewVersions: should not be set when strategy is not set to Webhook',
    ])
  })
})

describe('CRD validation', () => {
  it('accepts the docs CronTab', () => {
    expect(validateCRD(crd())).toEqual([])
    expect(validateCRDName('crontabs.stable.example.com', crd())).toEqual([])
  })

  it('requires the name to be <plural>.<group>', () => {
    expect(validateCRDName('crontab.stable.example.com', crd())).toEqual(['must be spec.names.plural+"."+spec.group'])
  })

  it('rejects groups without a dot, bad scopes, and storage-version mistakes with upstream messages', () => {
    const errs = messages(
      validateCRD(
        crd({
          group: 'example',
          scope: 'Global',
          versions: [
            { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: {} } },
            { name: 'v1', served: true, storage: true },
          ],
        }),
      ),
    )
    expect(errs).toContain('spec.group: should be a domain with at least one dot')
    expect(errs).toContain('spec.scope: supported values: "Cluster", "Namespaced"')
    expect(errs).toContain('spec.versions: must contain unique version names')
    expect(errs).toContain('spec.versions: must have exactly one version marked as storage version')
    expect(errs).toContain('spec.versions[1].schema.openAPIV3Schema: schemas are required')
  })

  it('checks printer columns, scale paths and selectable fields', () => {
    const errs = messages(
      validateCRD(
        crd({
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: { openAPIV3Schema: {} },
              subresources: { scale: { specReplicasPath: '.status.replicas', statusReplicasPath: '.status.replicas' } },
              additionalPrinterColumns: [{ name: 'X', type: 'float', jsonPath: 'spec.x' }],
              selectableFields: [{ jsonPath: '.metadata.name' }],
            },
          ],
        }),
      ),
    )
    expect(errs).toContain('spec.versions[0].subresources.scale.specReplicasPath: should be a json path under .spec')
    expect(errs).toContain('spec.versions[0].additionalPrinterColumns[0].type: supported values: "boolean", "date", "integer", "number", "string"')
    expect(errs).toContain('spec.versions[0].additionalPrinterColumns[0].jsonPath: must be a simple json path starting with .')
    expect(errs).toContain('spec.versions[0].selectableFields[0].jsonPath: must not select fields under metadata')
  })

  it('keeps group and plural immutable, scope and kind once Established, and stored versions listed', () => {
    const old = crd()
    old.status = { storedVersions: ['v1'], conditions: [{ type: 'Established', status: 'True' }] }
    const next = crd({ scope: 'Cluster', versions: [{ name: 'v2', served: true, storage: true, schema: { openAPIV3Schema: {} } }] })
    next.status = { storedVersions: ['v1', 'v2'] }
    const errs = messages(validateCRDUpdate(next, old))
    expect(errs).toContain('spec.scope: field is immutable')
    expect(errs).toContain('status.storedVersions[0]: must appear in spec.versions')
  })
})

describe('custom resource definitions', () => {
  it('orders versions by kube-aware priority', () => {
    expect(['v1alpha1', 'v1beta1', 'v2', 'foo', 'v1', 'v11alpha2'].sort(compareKubeVersions)).toEqual(['v2', 'v1', 'v1beta1', 'v11alpha2', 'v1alpha1', 'foo'])
  })

  it("accepts and prints a printer column filtering the conditions (prometheus-operator's Reconciled)", () => {
    const c = crd({
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          additionalPrinterColumns: [
            { name: 'Reconciled', type: 'string', jsonPath: ".status.conditions[?(@.type == 'Reconciled')].status" },
            { name: 'Broken', type: 'string', jsonPath: '.status.conditions[?(@.type == ' },
          ],
        },
      ],
    })
    expect(messages(validateCRD(c)).filter((m) => m.includes('additionalPrinterColumns'))).toEqual([
      'spec.versions[0].additionalPrinterColumns[1].jsonPath: must be a valid JSONPath: unrecognized filter operand at 30: .status.conditions[?(@.type ==',
    ])
    const def = customResourceDefinitionFor({
      ...c,
      spec: { ...c.spec!, versions: [{ ...c.spec!.versions![0], additionalPrinterColumns: c.spec!.versions![0].additionalPrinterColumns!.slice(0, 1) }] },
    })
    const obj = {
      metadata: { name: 'k8s' },
      status: {
        conditions: [
          { type: 'Available', status: 'True' },
          { type: 'Reconciled', status: 'False' },
        ],
      },
    }
    expect(def.row!(obj, new Date())).toEqual(['k8s', 'False'])
  })

  it('refuses creates with 405 while the CRD is terminating (crdHandler)', () => {
    let terminating = false
    const def = customResourceDefinitionFor(crd(), { terminating: () => terminating })
    const obj = () => ({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'a' } })
    const ctx = { now: new Date(), randomSuffix: () => 'abcde' }
    expect(() => def.prepareForCreate!(obj(), ctx)).not.toThrow()
    terminating = true
    expect(() => def.prepareForCreate!(obj(), ctx)).toThrow(
      expect.objectContaining({ code: 405, reason: 'MethodNotAllowed', message: 'create not allowed while custom resource definition is terminating' }),
    )
  })

  it('serves the storage version and the other served versions as views', () => {
    const c = crd({
      versions: [
        { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: {} } },
        { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: {} } },
        { name: 'v1alpha1', served: false, storage: false, schema: { openAPIV3Schema: {} } },
      ],
    })
    const def = customResourceDefinitionFor(c)
    expect(def.version).toBe('v1')
    expect(def.servedVersions?.map((v) => v.version)).toEqual(['v1beta1'])
    const out = def.servedVersions![0].fromStorage({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'a' } })
    expect(out.apiVersion).toBe('stable.example.com/v1beta1')
  })
})
