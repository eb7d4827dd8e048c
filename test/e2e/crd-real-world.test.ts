/**
 * @module crd-real-world.test: the prometheus-operator v0.93.0 CRDs as shipped (../shared/data/crds),
 * through real kubectl: created, Established, their example objects created and listed, explained,
 * a filter printer column evaluated, and the objects removed with their CRDs.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
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
  let km: Kubemock
  const k = (args: string[], input?: string) => km.kubectl(args, { input })

  beforeAll(async () => {
    km = await startKubemock({})
  })
  afterAll(async () => {
    await km?.stop()
  })

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
