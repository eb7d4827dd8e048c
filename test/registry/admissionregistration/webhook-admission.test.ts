/** @module webhook-admission.test: the webhook admission plugins against an in-process transport. */
import { describe, expect, it } from 'vitest'
import { definitions } from '../../../src/registry/definitions.js'
import { Registry } from '../../../src/registry/registry.js'
import type { WebhookRequest, WebhookTransport } from '../../../src/registry/admissionregistration/webhook-client.js'
import { SimClock } from '../../../src/sim/clock.js'
import { MemoryStore } from '../../../src/store/object-store.js'
import type { KubeObject } from '../../../src/types.js'

/** A registry whose webhooks answer `extra` on top of an allowing response (recording each call), with namespace `ns`. */
async function setup(extra: Record<string, unknown> = {}) {
  const sent: WebhookRequest[] = []
  const transport: WebhookTransport = {
    async post(req) {
      sent.push(req)
      const { request } = JSON.parse(req.body) as { request: { uid: string } }
      return {
        status: 200,
        body: JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: request.uid, allowed: true, ...extra } }),
      }
    },
  }
  const clock = new SimClock({ start: Date.parse('2026-01-01T00:00:00Z'), speed: 0 })
  const registry = new Registry({ store: new MemoryStore(), clock, definitions, webhookTransport: transport })
  await registry.find('', 'namespaces')!.create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } } as KubeObject)
  return { registry, sent }
}

const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' }, data: { a: 'b' } }) as KubeObject

const validating = (failurePolicy: string, expression: string) =>
  ({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: `v-${failurePolicy.toLowerCase()}` },
    webhooks: [
      {
        name: 'check.kubemock.dev',
        clientConfig: { url: 'https://127.0.0.1:9443/validate' },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
        matchConditions: [{ name: 'has-x', expression }],
        failurePolicy,
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
      },
    ],
  }) as KubeObject

describe('webhook matchConditions', () => {
  // object.data.x does not exist: the evaluation fails (no such key).
  const failing = "object.data.x == 'y'"

  it('an evaluation error refuses under failurePolicy Fail, without calling the webhook', async () => {
    const { registry, sent } = await setup()
    await registry.find('admissionregistration.k8s.io', 'validatingwebhookconfigurations')!.create('', validating('Fail', failing))
    const err = await registry
      .find('', 'configmaps')!
      .create('ns', configMap('a'))
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 403 })
    expect((err as Error).message).toMatch(/^configmaps "a" is forbidden: /)
    expect(sent).toHaveLength(0)
  })

  it('an evaluation error skips the webhook under failurePolicy Ignore (matcher.go)', async () => {
    const { registry, sent } = await setup()
    await registry.find('admissionregistration.k8s.io', 'validatingwebhookconfigurations')!.create('', validating('Ignore', failing))
    await registry.find('', 'configmaps')!.create('ns', configMap('a'))
    expect(sent).toHaveLength(0)
  })

  it('a true condition calls the webhook', async () => {
    const { registry, sent } = await setup()
    await registry.find('admissionregistration.k8s.io', 'validatingwebhookconfigurations')!.create('', validating('Ignore', "object.data.a == 'b'"))
    await registry.find('', 'configmaps')!.create('ns', configMap('a'))
    expect(sent).toHaveLength(1)
  })
})

describe('webhook namespaceSelector', () => {
  const selecting = (resources: string[], operations: string[]) =>
    ({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'selecting' },
      webhooks: [
        {
          name: 'check.kubemock.dev',
          clientConfig: { url: 'https://127.0.0.1:9443/validate' },
          rules: [{ operations, apiGroups: [''], apiVersions: ['v1'], resources }],
          namespaceSelector: { matchLabels: { webhooks: 'on' } },
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
        },
      ],
    }) as KubeObject

  it('a namespace DELETE is matched against the namespace’s own labels (its name is the request’s namespace)', async () => {
    const { registry, sent } = await setup()
    await registry.find('admissionregistration.k8s.io', 'validatingwebhookconfigurations')!.create('', selecting(['namespaces'], ['DELETE']))
    const namespaces = registry.find('', 'namespaces')!
    await namespaces.create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'on', labels: { webhooks: 'on' } } } as KubeObject)
    await namespaces.delete('', 'ns')
    expect(sent).toHaveLength(0)
    await namespaces.delete('', 'on')
    expect(sent).toHaveLength(1)
  })

  it('a webhook whose rules do not match is not asked about the namespace (rules before selectors)', async () => {
    const { registry, sent } = await setup()
    await registry.find('admissionregistration.k8s.io', 'validatingwebhookconfigurations')!.create('', selecting(['pods'], ['*']))
    await registry.find('', 'namespaces')!.delete('', 'ns')
    expect(sent).toHaveLength(0)
  })
})

describe('mutating webhook patch types', () => {
  const mutating = (failurePolicy: string) =>
    ({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'm' },
      webhooks: [
        {
          name: 'm.kubemock.dev',
          clientConfig: { url: 'https://127.0.0.1:9443/mutate' },
          rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
          failurePolicy,
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
        },
      ],
    }) as KubeObject
  const patch = Buffer.from(JSON.stringify([{ op: 'add', path: '/data/c', value: 'd' }])).toString('base64')

  it('an unsupported patch type is a call failure: 500 under Fail, skipped under Ignore; a denial still wins', async () => {
    const { registry } = await setup({ patchType: 'MergePatch', patch })
    const configs = registry.find('admissionregistration.k8s.io', 'mutatingwebhookconfigurations')!
    await configs.create('', mutating('Fail'))
    const err = await registry
      .find('', 'configmaps')!
      .create('ns', configMap('a'))
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 500 })
    expect((err as Error).message).toBe('Internal error occurred: failed calling webhook "m.kubemock.dev": unsupported patch type "MergePatch"')
    await configs.delete('', 'm')
    await configs.create('', mutating('Ignore'))
    const s = await registry.find('', 'configmaps')!.create('ns', configMap('b'))
    expect((s.obj as unknown as { data: object }).data).toEqual({ a: 'b' })

    const denying = await setup({ allowed: false, patchType: 'MergePatch', patch, status: { message: 'no' } })
    await denying.registry.find('admissionregistration.k8s.io', 'mutatingwebhookconfigurations')!.create('', mutating('Ignore'))
    const denied = await denying.registry
      .find('', 'configmaps')!
      .create('ns', configMap('a'))
      .catch((e: unknown) => e)
    expect((denied as Error).message).toBe('admission webhook "m.kubemock.dev" denied the request: no')
  })
})

describe('webhook request versions', () => {
  const hpaWebhook = (matchPolicy: string, apiVersions: string[]) =>
    ({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: `hpa-${matchPolicy.toLowerCase()}-${apiVersions.join('-')}` },
      webhooks: [
        {
          name: 'hpa.kubemock.dev',
          clientConfig: { url: 'https://127.0.0.1:9443/validate' },
          rules: [{ operations: ['CREATE'], apiGroups: ['autoscaling'], apiVersions, resources: ['horizontalpodautoscalers'] }],
          matchPolicy,
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
        },
      ],
    }) as KubeObject
  const hpaV1 = (name: string) =>
    ({
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name, namespace: 'ns' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 3 },
    }) as KubeObject
  const reviews = (sent: WebhookRequest[]) =>
    sent.map((s) => (JSON.parse(s.body) as { request: { kind: { version: string }; requestKind: { version: string }; object: KubeObject } }).request)

  it('a write at autoscaling/v1 is seen at v1: Exact matches v1 only, Equivalent converts to the rule’s v2 with requestKind v1', async () => {
    const { registry, sent } = await setup()
    const configs = registry.find('admissionregistration.k8s.io', 'validatingwebhookconfigurations')!
    const v1 = registry.findVersion('autoscaling', 'v1', 'horizontalpodautoscalers')!
    await configs.create('', hpaWebhook('Exact', ['v2']))
    await v1.create('ns', hpaV1('a'))
    expect(sent).toHaveLength(0)
    await configs.create('', hpaWebhook('Exact', ['v1']))
    await v1.create('ns', hpaV1('b'))
    expect(reviews(sent).map((r) => [r.kind.version, r.requestKind.version, r.object.apiVersion])).toEqual([['v1', 'v1', 'autoscaling/v1']])
    sent.length = 0
    await configs.delete('', 'hpa-exact-v1')
    await configs.create('', hpaWebhook('Equivalent', ['v2']))
    await v1.create('ns', hpaV1('c'))
    expect(reviews(sent).map((r) => [r.kind.version, r.requestKind.version, r.object.apiVersion])).toEqual([['v2', 'v1', 'autoscaling/v2']])
  })
})
