/** @module api-infrastructure.test: APIServices, CertificateSigningRequests (approve → issued by the cluster CA) and APF objects through real kubectl and openssl. */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, ok } from '../helpers/expect-kubectl.js'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { opensslCSR } from '../helpers/openssl-csr.js'
import { parseTable } from '../helpers/parse-table.js'

const csrManifest = (name: string, pem: string, signerName: string, usages: string[], expirationSeconds?: number) =>
  JSON.stringify({
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request: Buffer.from(pem).toString('base64'), signerName, usages, ...(expirationSeconds ? { expirationSeconds } : {}) },
  })

describe('API infrastructure kinds through kubectl (--tls --token)', () => {
  let km: Kubemock
  let dir: string
  let caFile: string
  const k = (args: string[], input?: string) => km.kubectl(args, { input })

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubemock-infra-'))
    km = await startKubemock({ args: ['--tls', '--token', 'infra-token'] })
    const ca = /certificate-authority-data: (\S+)/.exec(readFileSync(km.kubeconfigPath, 'utf8'))?.[1]
    expect(ca, 'the --tls kubeconfig carries the CA').toBeDefined()
    caFile = join(dir, 'ca.pem')
    writeFileSync(caFile, Buffer.from(ca!, 'base64'))
  }, 30_000)
  afterAll(async () => {
    await km?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it("kubectl get apiservices lists every built-in group-version Local and Available, and metrics-server's", async () => {
    // metrics-server's APIService is Available once its pod passes its readiness probe (initialDelaySeconds 20).
    ok(await k(['create', '--raw', '/kubemock/v1/clock/advance', '-f', '-'], '{"seconds":40}'))
    const table = await eventually('every APIService available', async () => {
      const t = parseTable(ok(await k(['get', 'apiservices'])))
      return t.rows.length > 0 && t.rows.every((r) => r.AVAILABLE === 'True') ? t : undefined
    })
    expect(table.headers).toEqual(['NAME', 'SERVICE', 'AVAILABLE', 'AGE'])
    const names = table.rows.map((r) => r.NAME)
    for (const n of [
      'v1.',
      'v1.apps',
      'v1.batch',
      'v1.apiregistration.k8s.io',
      'v1.certificates.k8s.io',
      'v1.coordination.k8s.io',
      'v1.flowcontrol.apiserver.k8s.io',
    ]) {
      expect(names).toContain(n)
    }
    expect(new Set(table.rows.map((r) => r.SERVICE))).toEqual(new Set(['Local', 'kube-system/metrics-server']))
    expect(table.rows.find((r) => r.SERVICE !== 'Local')?.NAME).toBe('v1beta1.metrics.k8s.io')
    const apps = JSON.parse(ok(await k(['get', 'apiservice', 'v1.apps', '-o', 'json'])))
    expect(apps.spec).toEqual({ group: 'apps', version: 'v1', groupPriorityMinimum: 17800, versionPriority: 15 })
    expect(apps.metadata.labels).toEqual({ 'kube-aggregator.kubernetes.io/automanaged': 'onstart' })
    expect(apps.status.conditions[0]).toMatchObject({ type: 'Available', status: 'True', reason: 'Local', message: 'Local APIServices are always available' })
  })

  it('an APIService backed by a missing Service is False (ServiceNotFound); a wrong name is refused', async () => {
    const api = (name: string) =>
      JSON.stringify({
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name },
        spec: {
          group: 'custom.metrics.k8s.io',
          version: 'v1beta1',
          groupPriorityMinimum: 100,
          versionPriority: 100,
          service: { namespace: 'kube-system', name: 'prometheus-adapter' },
          insecureSkipTLSVerify: true,
        },
      })
    const bad = await k(['apply', '-f', '-'], api('metrics'))
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain('metadata.name: Invalid value: "metrics": must be `spec.version+"."+spec.group`: "v1beta1.custom.metrics.k8s.io"')
    ok(await k(['apply', '-f', '-'], api('v1beta1.custom.metrics.k8s.io')))
    const row = await eventually('ServiceNotFound', async () => {
      const r = parseTable(ok(await k(['get', 'apiservice', 'v1beta1.custom.metrics.k8s.io']))).rows[0]
      return r?.AVAILABLE === 'False (ServiceNotFound)' ? r : undefined
    })
    expect(row.SERVICE).toBe('kube-system/prometheus-adapter')
  })

  it('kubectl get flowschemas and prioritylevelconfigurations show the 1.32 bootstrap configuration', async () => {
    const fs = await eventually('FlowSchemas resolved', async () => {
      const t = parseTable(ok(await k(['get', 'flowschemas'])))
      return t.rows.length === 13 && t.rows.every((r) => r.MISSINGPL === 'False') ? t : undefined
    })
    expect(fs.headers).toEqual(['NAME', 'PRIORITYLEVEL', 'MATCHINGPRECEDENCE', 'DISTINGUISHERMETHOD', 'AGE', 'MISSINGPL'])
    expect(fs.rows.find((r) => r.NAME === 'exempt')).toMatchObject({ PRIORITYLEVEL: 'exempt', MATCHINGPRECEDENCE: '1', DISTINGUISHERMETHOD: '<none>' })
    expect(fs.rows.find((r) => r.NAME === 'kube-controller-manager')).toMatchObject({
      PRIORITYLEVEL: 'workload-high',
      MATCHINGPRECEDENCE: '800',
      DISTINGUISHERMETHOD: 'ByNamespace',
    })
    const pl = parseTable(ok(await k(['get', 'prioritylevelconfigurations'])))
    expect(pl.headers).toEqual(['NAME', 'TYPE', 'NOMINALCONCURRENCYSHARES', 'QUEUES', 'HANDSIZE', 'QUEUELENGTHLIMIT', 'AGE'])
    expect(pl.rows.map((r) => r.NAME)).toEqual([
      'catch-all',
      'exempt',
      'global-default',
      'leader-election',
      'node-high',
      'system',
      'workload-high',
      'workload-low',
    ])
    expect(pl.rows[1]).toMatchObject({ TYPE: 'Exempt', NOMINALCONCURRENCYSHARES: '<none>', QUEUES: '<none>' })
    expect(pl.rows[0]).toMatchObject({ TYPE: 'Limited', NOMINALCONCURRENCYSHARES: '5', QUEUES: '<none>' })
    expect(pl.rows[2]).toMatchObject({ NOMINALCONCURRENCYSHARES: '20', QUEUES: '128', HANDSIZE: '6', QUEUELENGTHLIMIT: '50' })
    const exempt = JSON.parse(ok(await k(['get', 'flowschema', 'exempt', '-o', 'json'])))
    expect(exempt.metadata.annotations).toEqual({ 'apf.kubernetes.io/autoupdate-spec': 'true' })
  })

  it('an openssl CSR for kube-apiserver-client: approve → Approved,Issued, signed by the cluster CA with the requested CN/O', async () => {
    const { csr } = opensslCSR('/O=dev/CN=jane')
    ok(await k(['apply', '-f', '-'], csrManifest('jane', csr, 'kubernetes.io/kube-apiserver-client', ['client auth'], 86400)))
    const pending = parseTable(ok(await k(['get', 'csr']))).rows.find((r) => r.NAME === 'jane')
    expect(pending).toMatchObject({
      SIGNERNAME: 'kubernetes.io/kube-apiserver-client',
      REQUESTOR: 'kubemock-admin',
      REQUESTEDDURATION: '24h',
      CONDITION: 'Pending',
    })
    expect(ok(await k(['certificate', 'approve', 'jane'])).trim()).toBe('certificatesigningrequest.certificates.k8s.io/jane approved')
    await eventually('issued', async () => (parseTable(ok(await k(['get', 'csr', 'jane']))).rows[0]?.CONDITION === 'Approved,Issued' ? true : undefined))
    const certFile = join(dir, 'jane.crt')
    writeFileSync(certFile, Buffer.from(ok(await k(['get', 'csr', 'jane', '-o', 'jsonpath={.status.certificate}'])), 'base64'))
    const verify = spawnSync('openssl', ['verify', '-CAfile', caFile, certFile], { encoding: 'utf8' })
    expect(verify.stdout.trim()).toBe(`${certFile}: OK`)
    const subject = spawnSync('openssl', ['x509', '-in', certFile, '-noout', '-subject', '-ext', 'extendedKeyUsage'], { encoding: 'utf8' }).stdout
    expect(subject).toContain('subject=O = dev, CN = jane')
    expect(subject).toContain('TLS Web Client Authentication')
    const approved = JSON.parse(ok(await k(['get', 'csr', 'jane', '-o', 'json']))).status.conditions[0]
    expect(approved).toMatchObject({
      type: 'Approved',
      status: 'True',
      reason: 'KubectlApprove',
      message: 'This CSR was approved by kubectl certificate approve.',
    })
  })

  it('kubectl certificate deny marks a CSR Denied and no certificate is issued; a bad request is refused', async () => {
    const { csr } = opensslCSR('/O=dev/CN=mallory')
    ok(await k(['apply', '-f', '-'], csrManifest('mallory', csr, 'kubernetes.io/kube-apiserver-client', ['client auth'])))
    expect(ok(await k(['certificate', 'deny', 'mallory'])).trim()).toBe('certificatesigningrequest.certificates.k8s.io/mallory denied')
    expect(parseTable(ok(await k(['get', 'csr', 'mallory']))).rows[0]).toMatchObject({ CONDITION: 'Denied', REQUESTEDDURATION: '<none>' })
    const bad = await k(['apply', '-f', '-'], csrManifest('bad', 'not a csr', 'kubernetes.io/kube-apiserver-client', []))
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain(
      'spec.request: Invalid value: []byte{0x6e, 0x6f, 0x74, 0x20, 0x61, 0x20, 0x63, 0x73, 0x72}: PEM block type must be CERTIFICATE REQUEST',
    )
    expect(bad.stderr).toContain('spec.usages: Required value: usages must be provided')
  })
})
