/** @module kubectl-1.20.test: kubectl 1.20, which knows only /openapi/v2 (protobuf), for explain, diff, client-side validation and create. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ok } from '../helpers/expect-kubectl.js'
import { kubectlBinary, startKubemock, type Kubemock, type KubectlResult } from '../helpers/kubemock-process.js'

const kubectl120 = kubectlBinary('1.20')
if (!kubectl120) console.warn('kubectl-1.20.test: skipped, .cache/clients/kubectl-1.20 is missing (run scripts/install-test-clients.sh)')

const deployment = (replicas: number | string, image: string, extra = '') => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: ${image}
${extra}        ports:
        - containerPort: 80
`

describe.skipIf(!kubectl120)('kubectl 1.20 against /openapi/v2', () => {
  let km: Kubemock
  const k = (args: string[], input?: string): Promise<KubectlResult> => km.kubectl(args, { binary: kubectl120, input })
  beforeAll(async () => {
    km = await startKubemock({ args: ['--speed', '0'] })
  })
  afterAll(async () => {
    await km?.stop()
  })

  it('explains a nested field from the v2 schemas', async () => {
    const out = ok(await k(['explain', 'pods.spec.containers']))
    expect(out).toMatch(/^KIND:\s+Pod\nVERSION:\s+v1\n\nRESOURCE: containers <\[\]Object>\n/)
    expect(out).toContain('A single application container that you want to run within a pod.')
    expect(out).toMatch(/\n {3}image\t<string>\n/)
    expect(out).toMatch(/\n {3}ports\t<\[\]Object>\n/)
    const port = ok(await k(['explain', 'pods.spec.containers.ports.containerPort']))
    expect(port).toMatch(/FIELD:\s+containerPort <integer>/)
    expect(port).toContain("Number of port to expose on the pod's IP address.")
  })

  it('explains --recursive, following $refs through the definitions', async () => {
    const out = ok(await k(['explain', 'deployment.spec.strategy', '--recursive']))
    expect(out).toMatch(/^KIND:\s+Deployment\nVERSION:\s+apps\/v1\n/)
    expect(out).toContain('FIELDS:\n   rollingUpdate\t<Object>\n      maxSurge\t<string>\n      maxUnavailable\t<string>\n   type\t<string>\n')
  })

  it('diffs an applied manifest: clean when unchanged, the changed lines otherwise', async () => {
    expect(ok(await k(['apply', '-f', '-'], deployment(2, 'nginx:1.25')))).toBe('deployment.apps/web created\n')
    // kubectl diff needs the PATCH's dryRun parameter in the v2 document (its dry-run verifier).
    const clean = await k(['diff', '-f', '-'], deployment(2, 'nginx:1.25'))
    expect(clean).toMatchObject({ code: 0, stdout: '', stderr: '' })
    const changed = await k(['diff', '-f', '-'], deployment(3, 'nginx:1.26'))
    expect(changed.stderr).toBe('')
    expect(changed.code).toBe(1)
    expect(changed.stdout).toMatch(/^- {2}replicas: 2\n\+ {2}replicas: 3\n/m)
    expect(changed.stdout).toMatch(/^- {6}- image: nginx:1\.25\n\+ {6}- image: nginx:1\.26\n/m)
    // Nothing was written.
    expect(ok(await k(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}']))).toBe('2 nginx:1.25')
    // Apply computes its strategic merge patch from the v2 merge keys.
    expect(ok(await k(['apply', '-f', '-'], deployment(3, 'nginx:1.26')))).toBe('deployment.apps/web configured\n')
    expect(
      ok(
        await k([
          'get',
          'deployment',
          'web',
          '-o',
          'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}',
        ]),
      ),
    ).toBe('3 nginx:1.26 80')
  })

  it('validates client-side: unknown fields, wrong types and missing required fields', async () => {
    const unknown = await k(['apply', '-f', '-'], deployment(2, 'nginx:1.25', '        imagePullPolicyy: Always\n'))
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toBe(
      'error: error validating "STDIN": error validating data: ValidationError(Deployment.spec.template.spec.containers[0]): unknown field "imagePullPolicyy" in io.k8s.api.core.v1.Container; if you choose to ignore these errors, turn validation off with --validate=false\n',
    )
    const wrongType = await k(['apply', '-f', '-'], deployment('two', 'nginx:1.25'))
    expect(wrongType.stderr).toContain(
      'ValidationError(Deployment.spec.replicas): invalid type for io.k8s.api.apps.v1.DeploymentSpec.replicas: got "string", expected "integer"',
    )
    const noContainers = await k(['create', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: empty\nspec:\n  restartPolicy: Never\n')
    expect(noContainers.stderr).toContain('ValidationError(Pod.spec): missing required field "containers" in io.k8s.api.core.v1.PodSpec')
  })

  it('creates a deployment with the generator', async () => {
    expect(ok(await k(['create', 'deployment', 'x', '--image=nginx']))).toBe('deployment.apps/x created\n')
    expect(ok(await k(['get', 'deployment', 'x', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']))).toBe('nginx')
  })
})
