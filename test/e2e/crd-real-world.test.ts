/**
 * @module crd-real-world.test: real CRD sets nobody here wrote, through real kubectl. The
 * prometheus-operator v0.93.0 CRDs as shipped (../shared/data/crds): created, Established, their
 * example objects created and listed, explained, a filter printer column evaluated, and the objects
 * removed with their CRDs. cert-manager v1.21.1's helm-rendered CRDs (test/fixtures/crds, see its
 * SOURCE): applied, Established, the self-signed issuers and a Certificate created and printed, bad
 * objects refused.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { kubemockPerDescribe } from '../helpers/kubemock-process.js'
import { repoRoot } from '../helpers/kubectl-path.js'
import { ok } from '../helpers/expect-kubectl.js'
import { parseTable } from '../helpers/parse-table.js'

const dir = join(repoRoot, '..', 'shared', 'data', 'crds', 'prometheus-operator-v0.93.0')
const plurals = ['podmonitors', 'probes', 'prometheuses', 'prometheusrules', 'servicemonitors']
const crdNames = plurals.map((p) => `crd/${p}.monitoring.coreos.com`)
const prometheus = JSON.stringify({
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'Prometheus',
  metadata: { name: 'k8s' },
  spec: { replicas: 2, version: 'v3.1.0' },
})

describe('prometheus-operator CRDs with kubectl', () => {
  const { k } = kubemockPerDescribe()

  it('kubectl create of all five CRDs (prometheuses is 830 KB), and they become Established', async () => {
    // create, not client-side apply: prometheuses is too big for the last-applied annotation.
    const out = ok(await k(['create', ...plurals.flatMap((p) => ['-f', join(dir, `monitoring.coreos.com_${p}.yaml`)])]))
    for (const p of plurals) expect(out).toContain(`customresourcedefinition.apiextensions.k8s.io/${p}.monitoring.coreos.com created`)
    expect(ok(await k(['wait', '--for', 'condition=established', ...crdNames, '--timeout=30s'])).match(/condition met/g)).toHaveLength(5)
  })

  it('creates the example ServiceMonitor and PrometheusRule and lists them across namespaces', async () => {
    const out = ok(await k(['create', '-f', join(dir, 'example-servicemonitor.yaml'), '-f', join(dir, 'example-prometheusrule.yaml')]))
    expect(out).toContain('servicemonitor.monitoring.coreos.com/prometheus-self created')
    expect(out).toContain('prometheusrule.monitoring.coreos.com/prometheus-example-alerts created')
    const listed = ok(await k(['get', 'servicemonitors,prometheusrules', '-A']))
    // Two tables (one per resource), each with the default columns: neither CRD has printer columns.
    const [monitors, rules] = listed
      .trim()
      .split(/\n\s*\n/)
      .map(parseTable)
    expect(monitors.headers).toEqual(['NAMESPACE', 'NAME', 'AGE'])
    expect(monitors.rows.map((r) => [r.NAMESPACE, r.NAME])).toEqual([['default', 'servicemonitor.monitoring.coreos.com/prometheus-self']])
    expect(rules.rows.map((r) => [r.NAMESPACE, r.NAME])).toEqual([['default', 'prometheusrule.monitoring.coreos.com/prometheus-example-alerts']])
  })

  it('kubectl explain prometheus.spec.retention reads the 830 KB schema', async () => {
    const out = ok(await k(['explain', 'prometheus.spec.retention']))
    expect(out).toContain('KIND:       Prometheus')
    expect(out).toMatch(/FIELD: retention <string>/)
    expect(out).toContain('retention defines how long to retain the Prometheus data.')
  })

  it('prints the Prometheus columns, the Reconciled and Available ones filtering status.conditions', async () => {
    ok(await k(['create', '-f', '-'], prometheus))
    const status = {
      availableReplicas: 2,
      conditions: [
        { type: 'Available', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' },
        { type: 'Reconciled', status: 'False', lastTransitionTime: '2025-01-01T00:00:00Z' },
      ],
    }
    ok(await k(['patch', 'prometheus', 'k8s', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]))
    const { headers, rows } = parseTable(ok(await k(['get', 'prometheus'])))
    expect(headers).toEqual(['NAME', 'VERSION', 'DESIRED', 'READY', 'RECONCILED', 'AVAILABLE', 'AGE'])
    expect(rows.map((r) => [r.NAME, r.VERSION, r.DESIRED, r.READY, r.RECONCILED, r.AVAILABLE])).toEqual([['k8s', 'v3.1.0', '2', '2', 'False', 'True']])
  })

  it('garbage collection: ConfigMaps owned by the Prometheus go with its foreground deletion', async () => {
    const uid = ok(await k(['get', 'prometheus', 'k8s', '-o', 'jsonpath={.metadata.uid}']))
    const ref = { apiVersion: 'monitoring.coreos.com/v1', kind: 'Prometheus', name: 'k8s', uid, blockOwnerDeletion: true }
    const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ownerReferences: [ref] } })
    ok(await k(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [cm('k8s-rulefiles-0'), cm('k8s-web-config')] })))
    // kubectl waits until the owner is gone, which foreground deletion allows only after its dependents.
    ok(await k(['delete', 'prometheus', 'k8s', '--cascade=foreground', '--timeout=30s']))
    const left = ok(await k(['get', 'configmaps', '-o', 'name']))
    expect(left).not.toContain('k8s-rulefiles-0')
    expect(left).not.toContain('k8s-web-config')
  })

  it('deleting the CRDs removes their objects: served again, they list nothing', async () => {
    ok(await k(['delete', ...crdNames, '--timeout=30s']))
    const again = ok(await k(['create', '-f', join(dir, 'monitoring.coreos.com_servicemonitors.yaml')]))
    expect(again).toContain('created')
    ok(await k(['wait', '--for', 'condition=established', 'crd/servicemonitors.monitoring.coreos.com', '--timeout=30s']))
    const r = await k(['get', 'servicemonitors', '-A'])
    expect(r.stderr + r.stdout).toContain('No resources found')
  })

  it('while a CRD is terminating (an object holds a finalizer) creates get 405, then it goes once released', async () => {
    const monitor = (name: string, finalizers?: string[]) =>
      JSON.stringify({
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name, ...(finalizers ? { finalizers } : {}) },
        spec: { endpoints: [], selector: {} },
      })
    ok(await k(['create', '-f', '-'], monitor('held', ['example.com/hold'])))
    ok(await k(['delete', 'crd/servicemonitors.monitoring.coreos.com', '--wait=false']))
    const refused = await k(['create', '-f', '-'], monitor('late'))
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain('create not allowed while custom resource definition is terminating')
    ok(await k(['patch', 'servicemonitor', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']))
    ok(await k(['wait', '--for=delete', 'crd/servicemonitors.monitoring.coreos.com', '--timeout=30s']))
  })
})

const certManagerDir = join(repoRoot, 'test', 'fixtures', 'crds', 'cert-manager-v1.21.1')
const certManagerCRDs = [
  'certificaterequests.cert-manager.io',
  'certificates.cert-manager.io',
  'challenges.acme.cert-manager.io',
  'clusterissuers.cert-manager.io',
  'issuers.cert-manager.io',
  'orders.acme.cert-manager.io',
]
/** The self-signed CA bootstrap of cert-manager's docs: a ClusterIssuer, a CA Certificate from it, an Issuer. */
const certManagerObjects = [
  { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'selfsigned-cluster-issuer' }, spec: { selfSigned: {} } },
  { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'selfsigned-issuer', namespace: 'default' }, spec: { selfSigned: {} } },
  {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'my-selfsigned-ca', namespace: 'default' },
    spec: {
      isCA: true,
      commonName: 'my-selfsigned-ca',
      secretName: 'root-secret',
      privateKey: { algorithm: 'ECDSA', size: 256 },
      issuerRef: { name: 'selfsigned-cluster-issuer', kind: 'ClusterIssuer', group: 'cert-manager.io' },
    },
  },
]

describe('cert-manager CRDs with kubectl', () => {
  const { k } = kubemockPerDescribe()

  it('kubectl apply -f of the six helm-rendered CRDs (client-side apply), and they become Established', async () => {
    const out = ok(await k(['apply', '-f', certManagerDir]))
    for (const name of certManagerCRDs) expect(out).toContain(`customresourcedefinition.apiextensions.k8s.io/${name} created`)
    const waited = ok(await k(['wait', '--for', 'condition=established', ...certManagerCRDs.map((n) => `crd/${n}`), '--timeout=30s']))
    expect(waited.match(/condition met/g)).toHaveLength(6)
    const { rows } = parseTable(ok(await k(['api-resources', '--categories=cert-manager', '--sort-by=name'])))
    expect(rows.map((r) => [r.NAME, r.SHORTNAMES, r.APIVERSION, r.NAMESPACED])).toEqual([
      ['certificaterequests', 'cr,crs', 'cert-manager.io/v1', 'true'],
      ['certificates', 'cert,certs', 'cert-manager.io/v1', 'true'],
      ['challenges', '', 'acme.cert-manager.io/v1', 'true'],
      ['clusterissuers', 'ciss', 'cert-manager.io/v1', 'false'],
      ['issuers', 'iss', 'cert-manager.io/v1', 'true'],
      ['orders', '', 'acme.cert-manager.io/v1', 'true'],
    ])
  })

  it('creates a ClusterIssuer, an Issuer (selfSigned) and a Certificate, and prints their columns', async () => {
    const out = ok(await k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: certManagerObjects })))
    expect(out).toContain('clusterissuer.cert-manager.io/selfsigned-cluster-issuer created')
    expect(out).toContain('issuer.cert-manager.io/selfsigned-issuer created')
    expect(out).toContain('certificate.cert-manager.io/my-selfsigned-ca created')
    // What cert-manager's controller would write: a Ready condition, through /status.
    const ready = (message: string) => ({
      status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message, lastTransitionTime: '2026-01-01T00:00:00Z' }] },
    })
    ok(
      await k([
        'patch',
        'certificate',
        'my-selfsigned-ca',
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify(ready('Certificate is up to date and has not expired')),
      ]),
    )
    ok(await k(['patch', 'clusterissuer', 'selfsigned-cluster-issuer', '--subresource=status', '--type=merge', '-p', JSON.stringify(ready('Issuer is ready'))]))

    const certs = parseTable(ok(await k(['get', 'certs'])))
    expect(certs.headers).toEqual(['NAME', 'READY', 'SECRET', 'AGE'])
    expect(certs.rows.map((r) => [r.NAME, r.READY, r.SECRET])).toEqual([['my-selfsigned-ca', 'True', 'root-secret']])
    const wide = parseTable(ok(await k(['get', 'certificates', '-o', 'wide'])))
    expect(wide.headers).toEqual(['NAME', 'READY', 'SECRET', 'ISSUER', 'STATUS', 'AGE'])
    expect(wide.rows.map((r) => [r.ISSUER, r.STATUS])).toEqual([['selfsigned-cluster-issuer', 'Certificate is up to date and has not expired']])
    // Two tables, one per resource, each with the CRD's columns (Status is priority 1).
    const [issuers, clusterIssuers] = ok(await k(['get', 'issuers,clusterissuers']))
      .trim()
      .split(/\n\s*\n/)
      .map(parseTable)
    expect(issuers.headers).toEqual(['NAME', 'READY', 'AGE'])
    expect(issuers.rows.map((r) => [r.NAME, r.READY])).toEqual([['issuer.cert-manager.io/selfsigned-issuer', '']])
    expect(clusterIssuers.headers).toEqual(['NAME', 'READY', 'AGE'])
    expect(clusterIssuers.rows.map((r) => [r.NAME, r.READY])).toEqual([['clusterissuer.cert-manager.io/selfsigned-cluster-issuer', 'True']])
    expect(ok(await k(['get', 'cert-manager', '-o', 'name']))).toContain('certificate.cert-manager.io/my-selfsigned-ca')
  })

  it('refuses schema-invalid Certificates and Issuers with the apiserver’s messages, as kubectl prints them', async () => {
    const bad = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'bad', namespace: 'default' },
      spec: { commonName: 'bad', privateKey: { algorithm: 'DSA' }, duration: 42 },
    }
    const r = await k(['create', '-f', '-'], JSON.stringify(bad))
    expect(r.code).toBe(1)
    // kubectl prints a Status with several causes as a bulleted list (the order is the validator's).
    const [first, ...causes] = r.stderr.trim().split('\n')
    expect(first).toBe('The Certificate "bad" is invalid: ')
    expect(causes.sort()).toEqual([
      '* spec.duration: Invalid value: "integer": spec.duration in body must be of type string: "integer"',
      '* spec.issuerRef: Required value',
      '* spec.privateKey.algorithm: Unsupported value: "DSA": supported values: "RSA", "ECDSA", "Ed25519"',
      '* spec.secretName: Required value',
    ])
    // The Issuer's venafi CEL rule (x-kubernetes-validations).
    const venafi = { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'venafi', namespace: 'default' }, spec: { venafi: { zone: 'z' } } }
    const v = await k(['create', '-f', '-'], JSON.stringify(venafi))
    expect(v.code).toBe(1)
    expect(v.stderr).toContain('The Issuer "venafi" is invalid: spec.venafi: Invalid value: "object": exactly one of tpp, cloud, or ngts must be configured')
    expect(ok(await k(['get', 'certificates', '-o', 'name'])).trim()).toBe('certificate.cert-manager.io/my-selfsigned-ca')
  })

  it('kubectl explain certificate.spec.privateKey reads the schema', async () => {
    const out = ok(await k(['explain', 'certificate.spec.privateKey.algorithm']))
    expect(out).toContain('KIND:       Certificate')
    expect(out).toContain('FIELD: algorithm <string>')
    expect(out).toContain('Algorithm is the private key algorithm of the corresponding private key')
  })
})
