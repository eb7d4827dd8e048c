/** @module bench/apply-updater: µs per Updater.update()/apply() on a Deployment-sized object (every write pays update()). */
// Usage: node bench/apply-updater.js [--iterations 2000]
// Bundles src/registry/apply with esbuild into dist/bench-apply/ (two levels below the root, like
// dist/<dir>/, so the openapi/*.json lookups resolve), then times the calls in this process.
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const argv = process.argv.slice(2)
const iterations = Number(argv[argv.indexOf('--iterations') + 1]) || 2000
const outdir = join(root, 'dist', 'bench-apply')
mkdirSync(outdir, { recursive: true })
await build({
  entryPoints: [join(root, 'src/registry/apply/updater-for.ts'), join(root, 'src/registry/apply/field-set.ts')],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  outdir,
  outExtension: { '.js': '.mjs' },
  logLevel: 'error',
})
const { updaterFor } = await import(pathToFileURL(join(outdir, 'updater-for.mjs')).href)
const { fieldSetFromFieldsV1 } = await import(pathToFileURL(join(outdir, 'field-set.mjs')).href)

const container = (i) => ({
  name: `c${i}`,
  image: `registry.example/app-${i}:1.2.3`,
  imagePullPolicy: 'IfNotPresent',
  ports: [{ containerPort: 8080 + i, protocol: 'TCP', name: `http${i}` }],
  env: Array.from({ length: 5 }, (_, j) => ({ name: `ENV_${j}`, value: String(j) })),
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
  volumeMounts: [{ name: 'data', mountPath: '/data' }],
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
})
const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web', tier: 'frontend' }, annotations: { 'deployment.kubernetes.io/revision': '1' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'web', tier: 'frontend' } },
      spec: {
        containers: [container(0), container(1)],
        volumes: [{ name: 'data', emptyDir: {} }],
        dnsPolicy: 'ClusterFirst',
        restartPolicy: 'Always',
        schedulerName: 'default-scheduler',
        securityContext: {},
        terminationGracePeriodSeconds: 30,
      },
    },
  },
  status: {
    replicas: 3,
    readyReplicas: 3,
    availableReplicas: 3,
    observedGeneration: 1,
    conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }],
  },
}
const withStatus = (n) => ({ ...deployment, status: { ...deployment.status, readyReplicas: n, updatedReplicas: n } })

const u = updaterFor({ group: 'apps', version: 'v1', kind: 'Deployment' })
let managers = u.update(undefined, deployment, 'apps/v1', new Map(), 'kubectl-create')
managers = u.update(deployment, withStatus(2), 'apps/v1', managers, 'kube-controller-manager')

function time(label, fn) {
  for (let i = 0; i < Math.min(200, iterations); i++) fn(i)
  const t0 = performance.now()
  for (let i = 0; i < iterations; i++) fn(i)
  console.log(`${label.padEnd(58)} ${(((performance.now() - t0) * 1000) / iterations).toFixed(1).padStart(8)} µs`)
}

const fieldsV1 = managers.get('kubectl-create').set.toFieldsV1()
time('update(): create (compare with the zero object)', () => u.update(undefined, deployment, 'apps/v1', new Map(), 'kubectl-create'))
time('update(): status write by a controller (2 managers)', (i) => u.update(deployment, withStatus(i % 3), 'apps/v1', managers, 'kube-controller-manager'))
time('update(): no change', () => u.update(deployment, deployment, 'apps/v1', managers, 'kube-controller-manager'))
time('apply(): replicas + image, forced', () =>
  u.apply(
    deployment,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 5, template: { spec: { containers: [{ name: 'c0', image: 'x:2' }] } } },
    },
    'apps/v1',
    managers,
    'alice',
    true,
  ),
)
const decoded = JSON.parse(JSON.stringify(fieldsV1))
time('fieldSetFromFieldsV1() of decoded JSON + toFieldsV1()', () => fieldSetFromFieldsV1(decoded).toFieldsV1())
time('fieldSetFromFieldsV1() of a set’s own (frozen) fieldsV1', () => fieldSetFromFieldsV1(fieldsV1))
