/**
 * @module networking-autoscaling.test: `helm create`'s own chart with its HPA and Ingress switched on,
 * `kubectl autoscale` (which posts autoscaling/v1) and the networking kinds, through real helm
 * and kubectl against a spawned kubemock.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { helmPath } from '../helpers/layer-binary.js'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { parseTable } from '../helpers/parse-table.js'
import { ok } from '../helpers/expect-kubectl.js'
import { runProcess } from '../helpers/run-process.js'

describe('helm chart, kubectl autoscale and ingresses against kubemock', () => {
  let km: Kubemock
  let dir: string
  const k = (args: string[], input?: string) => km.kubectl(args, { input })
  const helm = async (args: string[], timeoutMs = 90_000) => {
    const env = {
      ...process.env,
      KUBECONFIG: km.kubeconfigPath,
      HOME: dir,
      XDG_CACHE_HOME: join(dir, 'cache'),
      XDG_CONFIG_HOME: join(dir, 'config'),
      XDG_DATA_HOME: join(dir, 'data'),
    }
    const r = await runProcess(helmPath(), args, { cwd: dir, env, timeoutMs })
    if (r.code !== 0) throw new Error(`helm ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}\n${km.logs().slice(-2000)}`)
    return r.stdout
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubemock-helm-'))
    km = await startKubemock({ args: ['--speed', '20'] })
  }, 30_000)
  afterAll(async () => {
    await km?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('installs helm create’s chart with autoscaling and ingress enabled, then uninstalls it', async () => {
    await helm(['create', 'demo'])
    const out = await helm(['install', 'demo', './demo', '--set', 'autoscaling.enabled=true', '--set', 'ingress.enabled=true', '--wait', '--timeout', '60s'])
    expect(out).toContain('STATUS: deployed')
    const hpa = parseTable(ok(await k(['get', 'hpa'])))
    expect(hpa.headers).toEqual(['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE'])
    expect(hpa.rows[0]).toMatchObject({ NAME: 'demo', REFERENCE: 'Deployment/demo', TARGETS: 'cpu: <unknown>/80%', MINPODS: '1', MAXPODS: '100' })
    const ing = parseTable(ok(await k(['get', 'ingress'])))
    expect(ing.headers).toEqual(['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'])
    expect(ing.rows[0]).toMatchObject({ NAME: 'demo', CLASS: '<none>', HOSTS: 'chart-example.local', ADDRESS: '', PORTS: '80' })
    expect(await helm(['uninstall', 'demo'])).toContain('release "demo" uninstalled')
    const after = await k(['get', 'hpa,ingress'])
    expect(after.stdout).toBe('')
    expect(after.stderr).toBe('No resources found in default namespace.\n')
  }, 120_000)

  it('kubectl autoscale creates an autoscaling/v1 HPA that reads back at v1 and v2', async () => {
    ok(await k(['create', 'deployment', 'x', '--image=nginx:1.15.12']))
    expect(ok(await k(['autoscale', 'deployment', 'x', '--cpu-percent=50', '--min=1', '--max=5']))).toBe('horizontalpodautoscaler.autoscaling/x autoscaled\n')
    const t = parseTable(ok(await k(['get', 'hpa', 'x'])))
    expect(t.rows).toEqual([
      // REPLICAS is 0 until the HPA controller's first sync, 15 simulated seconds (0.75 s here) after creation.
      {
        NAME: 'x',
        REFERENCE: 'Deployment/x',
        TARGETS: 'cpu: <unknown>/50%',
        MINPODS: '1',
        MAXPODS: '5',
        REPLICAS: expect.stringMatching(/^[01]$/),
        AGE: expect.any(String),
      },
    ])
    // The short name drops the version in kubectl's shortcut expander, so the full name selects v1.
    const v1 = ok(await k(['get', 'horizontalpodautoscalers.v1.autoscaling', 'x', '-o', 'yaml']))
    expect(v1).toContain('apiVersion: autoscaling/v1\n')
    expect(v1).toContain('  targetCPUUtilizationPercentage: 50\n')
    expect(v1).toMatch(/status:\n {2}currentReplicas: [01]\n {2}desiredReplicas: 0\n/)
    const v2 = ok(await k(['get', 'hpa', 'x', '-o', 'jsonpath={.apiVersion} {.spec.metrics[0].resource.target.averageUtilization}']))
    expect(v2).toBe('autoscaling/v2 50')
    expect(ok(await k(['api-versions']))).toContain('autoscaling/v1\nautoscaling/v2\n')
  }, 60_000)

  it('defaults the ingress class from the default IngressClass and prints it', async () => {
    const cls = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'nginx', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
      spec: { controller: 'k8s.io/ingress-nginx' },
    }
    expect(ok(await k(['apply', '-f', '-'], JSON.stringify(cls)))).toBe('ingressclass.networking.k8s.io/nginx created\n')
    expect(parseTable(ok(await k(['get', 'ingressclass']))).rows).toEqual([
      { NAME: 'nginx', CONTROLLER: 'k8s.io/ingress-nginx', PARAMETERS: '<none>', AGE: expect.any(String) },
    ])
    ok(await k(['create', 'ingress', 'web', '--rule=a.example.com/*=web:80,tls=web-tls']))
    expect(parseTable(ok(await k(['get', 'ing', 'web']))).rows[0]).toMatchObject({ CLASS: 'nginx', HOSTS: 'a.example.com', PORTS: '80, 443' })
    const bad = await k(['create', 'ingress', 'bad', '--rule=10.0.0.1/=web:80'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toBe(
      'error: failed to create ingress: Ingress.networking.k8s.io "bad" is invalid: spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address\n',
    )
  }, 60_000)

  it('creates NetworkPolicies with defaults and the POD-SELECTOR column', async () => {
    const np = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 80 }] }] },
    }
    ok(await k(['apply', '-f', '-'], JSON.stringify(np)))
    expect(parseTable(ok(await k(['get', 'netpol']))).rows).toEqual([{ NAME: 'deny', 'POD-SELECTOR': 'app=web', AGE: expect.any(String) }])
    expect(ok(await k(['get', 'netpol', 'deny', '-o', 'jsonpath={.spec.policyTypes} {.spec.ingress[0].ports[0].protocol}']))).toBe('["Ingress"] TCP')
  }, 30_000)
})
