/** @module admission-webhooks.test: real kubectl and client-node against admission webhooks served by the test over HTTPS (self-signed CA). */
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import * as k8s from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateCA, generateTLS } from '../../src/tls.js'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { ok } from '../helpers/expect-kubectl.js'

interface Review {
  apiVersion: string
  request: {
    uid: string
    kind: { group: string; version: string; kind: string }
    resource: { group: string; version: string; resource: string }
    requestKind?: unknown
    name?: string
    namespace?: string
    operation: string
    userInfo: { username: string; groups?: string[] }
    object: { metadata: { name?: string; labels?: Record<string, string> } } | null
    oldObject: unknown
    dryRun: boolean
    options: { kind?: string } | null
  }
}

const pod = (name: string, ns: string, labels: Record<string, string>) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { nodeSelector: { 'kubemock.dev/no-such-node': 'true' }, containers: [{ name: 'c', image: 'nginx:1.14.2' }] },
  })

describe('admission webhooks', () => {
  let km: Kubemock
  let server: Server
  let port: number
  let caBundle: string
  const seen: { path: string; review: Review }[] = []
  const k = (args: string[], input?: string) => km.kubectl(args, { input })

  beforeAll(async () => {
    const ca = generateCA()
    // 127.0.0.1 for the url webhooks, hook.webhooks.svc and mapped.webhooks.svc for the service references.
    const tls = generateTLS({ ca, hosts: ['hook.webhooks.svc', 'mapped.webhooks.svc'] })
    caBundle = Buffer.from(ca.cert).toString('base64')
    server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      let body = ''
      req.on('data', (c) => {
        body += c
      })
      req.on('end', () => {
        const review = JSON.parse(body) as Review
        const path = (req.url ?? '').split('?')[0]
        seen.push({ path, review })
        const labels = review.request.object?.metadata.labels ?? {}
        const response: Record<string, unknown> = { uid: review.request.uid, allowed: true }
        if (path === '/validate') {
          if (labels.deny === 'true') {
            response.allowed = false
            response.status = { code: 403, message: 'pods labelled deny=true are refused' }
          } else response.warnings = ['checked by deny.kubemock.dev']
        } else if (path === '/mutate') {
          response.patchType = 'JSONPatch'
          response.patch = Buffer.from(JSON.stringify([{ op: 'add', path: '/metadata/labels/mutated', value: 'yes' }])).toString('base64')
        } else if (path === '/wrong-uid') {
          response.uid = 'not-the-uid'
        } else if (path === '/v1beta1-mutate') {
          // An old webhook: it answers in v1beta1 with neither the uid nor a patchType.
          delete response.uid
          response.patch = Buffer.from(JSON.stringify([{ op: 'add', path: '/metadata/labels/beta', value: 'yes' }])).toString('base64')
        }
        res.writeHead(200, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify({ apiVersion: `admission.k8s.io/${path.startsWith('/v1beta1') ? 'v1beta1' : 'v1'}`, kind: 'AdmissionReview', response }))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
    // --webhook-service maps a Service to this process's webhook server (no Service object needed).
    km = await startKubemock({ args: ['--webhook-service', `webhooks/mapped=https://127.0.0.1:${port}`] })
    ok(await k(['create', 'namespace', 'guarded']))
    ok(await k(['label', 'namespace', 'guarded', 'webhooks=on']))
    ok(await k(['create', 'namespace', 'open']))
    ok(await k(['create', 'namespace', 'webhooks']))
  })
  afterAll(async () => {
    await km?.stop()
    await new Promise((r) => server?.close(r))
  })

  it('a ValidatingWebhookConfiguration gets its defaults and prints its webhook count', async () => {
    const vwc = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'deny' },
      webhooks: [
        {
          name: 'deny.kubemock.dev',
          clientConfig: { url: `https://127.0.0.1:${port}/validate`, caBundle },
          rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
          namespaceSelector: { matchLabels: { webhooks: 'on' } },
          matchConditions: [{ name: 'not-exempt', expression: "object.metadata.name != 'exempt'" }],
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
        },
      ],
    }
    ok(await k(['apply', '-f', '-'], JSON.stringify(vwc)))
    const got = JSON.parse(ok(await k(['get', 'validatingwebhookconfiguration', 'deny', '-o', 'json'])))
    expect(got.webhooks[0]).toMatchObject({ failurePolicy: 'Fail', matchPolicy: 'Equivalent', timeoutSeconds: 10, objectSelector: {} })
    expect(got.webhooks[0].rules[0].scope).toBe('*')
    expect(ok(await k(['get', 'validatingwebhookconfigurations']))).toMatch(/^NAME\s+WEBHOOKS\s+AGE\ndeny\s+1\s+\d+s$/m)
  })

  it('upstream validation messages refuse a bad configuration', async () => {
    const bad = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'bad' },
      webhooks: [
        {
          name: 'bad',
          clientConfig: { url: 'http://example.com/x' },
          admissionReviewVersions: ['v1'],
          matchConditions: [{ name: 'c', expression: 'nope == 1' }],
        },
      ],
    }
    const r = await k(['create', '-f', '-'], JSON.stringify(bad))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('The ValidatingWebhookConfiguration "bad" is invalid')
    expect(r.stderr).toContain('webhooks[0].name: Invalid value: "bad": should be a domain with at least three segments separated by dots')
    expect(r.stderr).toContain('webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun')
    expect(r.stderr).toContain(
      `webhooks[0].clientConfig.url: Invalid value: "http": 'https' is the only allowed URL scheme; desired format: https://host[/path]`,
    )
  })

  it('denies with kubectl showing the webhook message; allowed writes show its warning; other namespaces are not matched', async () => {
    const denied = await k(['apply', '-f', '-'], pod('bad', 'guarded', { deny: 'true' }))
    expect(denied.code).toBe(1)
    // The webhook's status has no reason, so neither has the Status (ToStatusErr): kubectl prints no "(Forbidden)".
    expect(denied.stderr.trim()).toBe(
      'Error from server: error when creating "STDIN": admission webhook "deny.kubemock.dev" denied the request: pods labelled deny=true are refused',
    )
    expect((await k(['get', 'pod', 'bad', '-n', 'guarded'])).code).toBe(1)

    const allowed = await k(['apply', '-f', '-'], pod('good', 'guarded', { app: 'x' }))
    expect(allowed.stdout).toContain('pod/good created')
    expect(allowed.stderr).toContain('Warning: checked by deny.kubemock.dev')

    // matchConditions: the CEL condition is false for this name, so the webhook is not called.
    ok(await k(['apply', '-f', '-'], pod('exempt', 'guarded', { deny: 'true' })))
    // namespaceSelector: "open" has no webhooks=on label, so the webhook is not called there.
    ok(await k(['apply', '-f', '-'], pod('bad', 'open', { deny: 'true' })))

    const review = seen.filter((s) => s.path === '/validate').at(-1)!.review
    expect(review.request).toMatchObject({
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      name: 'good',
      namespace: 'guarded',
      operation: 'CREATE',
      dryRun: false,
      oldObject: null,
      options: { kind: 'CreateOptions' },
    })
    expect(review.request.userInfo.groups).toContain('system:authenticated')
  })

  it('a MutatingWebhookConfiguration behind a Service (kubemock.dev/webhook-url) adds a label with a JSONPatch', async () => {
    ok(
      await k(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'hook', namespace: 'webhooks', annotations: { 'kubemock.dev/webhook-url': `https://127.0.0.1:${port}` } },
          spec: { ports: [{ port: 443 }] },
        }),
      ),
    )
    const mwc = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'label' },
      webhooks: [
        {
          name: 'label.kubemock.dev',
          clientConfig: { service: { namespace: 'webhooks', name: 'hook', path: '/mutate' }, caBundle },
          rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
          objectSelector: { matchLabels: { app: 'mutate-me' } },
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
        },
      ],
    }
    ok(await k(['apply', '-f', '-'], JSON.stringify(mwc)))
    ok(await k(['apply', '-f', '-'], pod('m', 'open', { app: 'mutate-me' })))
    const got = JSON.parse(ok(await k(['get', 'pod', 'm', '-n', 'open', '-o', 'json'])))
    expect(got.metadata.labels).toEqual({ app: 'mutate-me', mutated: 'yes' })
    // objectSelector: other pods are left alone.
    ok(await k(['apply', '-f', '-'], pod('plain', 'open', { app: 'other' })))
    expect(JSON.parse(ok(await k(['get', 'pod', 'plain', '-n', 'open', '-o', 'json']))).metadata.labels).toEqual({ app: 'other' })

    // client-node sees the same mutation on its create.
    const kc = new k8s.KubeConfig()
    kc.loadFromFile(km.kubeconfigPath)
    const cluster = kc.getCurrentCluster()!
    kc.clusters = [{ ...cluster, skipTLSVerify: true }]
    const core = kc.makeApiClient(k8s.CoreV1Api)
    const created = await core.createNamespacedPod({ namespace: 'open', body: JSON.parse(pod('from-client', 'open', { app: 'mutate-me' })) })
    expect(created.metadata?.labels).toEqual({ app: 'mutate-me', mutated: 'yes' })
    // ...and the validating webhook's refusal as an ApiException with the Status.
    const err = await core.createNamespacedPod({ namespace: 'guarded', body: JSON.parse(pod('refused', 'guarded', { deny: 'true' })) }).catch((e) => e)
    expect(err).toBeInstanceOf(k8s.ApiException)
    expect(err.code).toBe(403)
    expect(JSON.parse(err.body).message).toBe('admission webhook "deny.kubemock.dev" denied the request: pods labelled deny=true are refused')
    ok(await k(['delete', 'mutatingwebhookconfiguration', 'label']))
  })

  it('a service reference mapped by --webhook-service reaches the local webhook; an unmapped Service fails naming the annotation and the flag', async () => {
    const mwc = (name: string, service: string) => ({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name },
      webhooks: [
        {
          name: `${name}.kubemock.dev`,
          clientConfig: { service: { namespace: 'webhooks', name: service, path: '/mutate' }, caBundle },
          rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'open' } },
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
        },
      ],
    })
    ok(await k(['apply', '-f', '-'], JSON.stringify(mwc('mapped', 'mapped'))))
    const calls = seen.length
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'via-flag', namespace: 'open', labels: { app: 'x' } } }
    ok(await k(['apply', '-f', '-'], JSON.stringify(cm)))
    const got = JSON.parse(ok(await k(['get', 'configmap', 'via-flag', '-n', 'open', '-o', 'json'])))
    expect(got.metadata.labels).toEqual({ app: 'x', mutated: 'yes' })
    expect(seen.slice(calls).map((s) => s.path)).toEqual(['/mutate'])
    ok(await k(['delete', 'mutatingwebhookconfiguration', 'mapped']))

    // A Service with neither the annotation nor a --webhook-service mapping.
    ok(
      await k(
        ['apply', '-f', '-'],
        JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'unmapped', namespace: 'webhooks' }, spec: { ports: [{ port: 443 }] } }),
      ),
    )
    ok(await k(['apply', '-f', '-'], JSON.stringify(mwc('unmapped', 'unmapped'))))
    const r = await k(['create', 'configmap', 'refused', '-n', 'open'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(
      'error: failed to create configmap: Internal error occurred: failed calling webhook "unmapped.kubemock.dev": failed to call webhook: ' +
        'Post "https://unmapped.webhooks.svc:443/mutate?timeout=10s": no local address for service webhooks/unmapped: kubemock runs no pods, ' +
        'so annotate the Service with kubemock.dev/webhook-url: https://127.0.0.1:<port> (or start kubemock with --webhook-service webhooks/unmapped=https://127.0.0.1:<port>)',
    )
    ok(await k(['delete', 'mutatingwebhookconfiguration', 'unmapped']))
  })

  it('a webhook listing only admissionReviewVersions v1beta1 gets and answers an AdmissionReview v1beta1', async () => {
    const mwc = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'beta' },
      webhooks: [
        {
          name: 'beta.kubemock.dev',
          clientConfig: { url: `https://127.0.0.1:${port}/v1beta1-mutate`, caBundle },
          rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
          objectSelector: { matchLabels: { app: 'beta' } },
          sideEffects: 'None',
          admissionReviewVersions: ['v1beta1'],
        },
      ],
    }
    ok(await k(['apply', '-f', '-'], JSON.stringify(mwc)))
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'beta', namespace: 'open', labels: { app: 'beta' } } }
    ok(await k(['apply', '-f', '-'], JSON.stringify(cm)))
    expect(JSON.parse(ok(await k(['get', 'configmap', 'beta', '-n', 'open', '-o', 'json']))).metadata.labels).toEqual({ app: 'beta', beta: 'yes' })
    const review = seen.filter((s) => s.path === '/v1beta1-mutate').at(-1)!.review
    expect(review.apiVersion).toBe('admission.k8s.io/v1beta1')
    expect(review.request).toMatchObject({ kind: { group: '', version: 'v1', kind: 'ConfigMap' }, operation: 'CREATE', name: 'beta', namespace: 'open' })
    ok(await k(['delete', 'mutatingwebhookconfiguration', 'beta']))
  })

  it('failurePolicy Fail with the webhook down refuses with upstream’s error; Ignore lets the write through', async () => {
    const down = (policy: string) => ({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'down' },
      webhooks: [
        {
          name: 'down.kubemock.dev',
          clientConfig: { url: 'https://127.0.0.1:1/check', caBundle },
          rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
          failurePolicy: policy,
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
        },
      ],
    })
    ok(await k(['apply', '-f', '-'], JSON.stringify(down('Fail'))))
    const r = await k(['create', 'configmap', 'c1', '-n', 'open'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(
      'error: failed to create configmap: Internal error occurred: failed calling webhook "down.kubemock.dev": failed to call webhook: Post "https://127.0.0.1:1/check?timeout=10s": dial tcp 127.0.0.1:1: connect: connection refused',
    )
    ok(await k(['apply', '-f', '-'], JSON.stringify(down('Ignore'))))
    expect(ok(await k(['create', 'configmap', 'c1', '-n', 'open']))).toContain('configmap/c1 created')
    ok(await k(['delete', 'validatingwebhookconfiguration', 'down']))
  })

  it('a response with the wrong uid is an invalid response; dry run skips nothing for sideEffects None', async () => {
    const wrong = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'wrong' },
      webhooks: [
        {
          name: 'wrong.kubemock.dev',
          clientConfig: { url: `https://127.0.0.1:${port}/wrong-uid`, caBundle },
          rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['secrets'] }],
          sideEffects: 'Some',
          admissionReviewVersions: ['v1'],
        },
      ],
    }
    // sideEffects Some is refused on create in v1.
    const refused = await k(['create', '-f', '-'], JSON.stringify(wrong))
    expect(refused.stderr).toContain('webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"')
    wrong.webhooks[0].sideEffects = 'None'
    ok(await k(['create', '-f', '-'], JSON.stringify(wrong)))
    const r = await k(['create', 'secret', 'generic', 's1', '-n', 'open', '--from-literal=a=b'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      /Internal error occurred: failed calling webhook "wrong\.kubemock\.dev": received invalid webhook response: expected response\.uid="[0-9a-f-]{36}", got "not-the-uid"/,
    )
    const dry = await k(['create', 'secret', 'generic', 's2', '-n', 'open', '--from-literal=a=b', '--dry-run=server'])
    expect(dry.stderr).toContain('received invalid webhook response')
    const last = seen.filter((s) => s.path === '/wrong-uid').at(-1)!.review
    expect(last.request.dryRun).toBe(true)
    ok(await k(['delete', 'validatingwebhookconfiguration', 'wrong']))
  })
})
