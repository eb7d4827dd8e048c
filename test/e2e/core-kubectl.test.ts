/** @module core-kubectl.test: real kubectl (1.32 and, through the dispatcher, 1.28) against a spawned kubemock. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { kubectlFollowsServerVersion, startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { parseTable } from '../helpers/parse-table.js'
import { ok } from '../helpers/expect-kubectl.js'

const deployment = (image: string) => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports:
        - containerPort: 80
`

const typoDeployment = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: typo
spec:
  selector:
    matchLabels:
      app: typo
  template:
    metadata:
      labels:
        app: typo
    spec:
      conainters:
      - name: nginx
        image: nginx:1.14.2
`

/**
 * A pod no node can take (its nodeSelector matches nothing), so the scheduler leaves it Pending
 * and unbound: these tests are about the API server, not the simulation.
 */
const pod = (name: string, labels: Record<string, string>, ns = 'default') =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { nodeSelector: { 'kubemock.dev/no-such-node': 'true' }, containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }] },
  })

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const rfc3339Seconds = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/

describe.each([{ kubeVersion: '1.32' }, { kubeVersion: '1.28' }])('kubectl against --kube-version $kubeVersion', ({ kubeVersion }) => {
  const minor = kubeVersion.split('.')[1]
  let km: Kubemock
  const k = (args: string[], input?: string) => km.kubectl(args, { input })

  beforeAll(async () => {
    km = await startKubemock({ kubeVersion })
  })
  afterAll(async () => {
    await km?.stop()
  })

  it('kubectl version shows the server version (and the dispatcher picks the matching client)', async () => {
    const out = ok(await k(['version']))
    expect(out).toMatch(new RegExp(`^Server Version: v1\\.${minor}\\.\\d+$`, 'm'))
    if (kubectlFollowsServerVersion()) expect(out).toMatch(new RegExp(`^Client Version: v1\\.${minor}\\.\\d+`, 'm'))
  })

  it('get nodes: four Ready nodes, the control plane with its role', async () => {
    const t = parseTable(ok(await k(['get', 'nodes'])))
    expect(t.headers).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'])
    expect(t.rows.map((r) => [r.NAME, r.STATUS, r.ROLES])).toEqual([
      ['kubemock-control-plane', 'Ready', 'control-plane'],
      ['kubemock-worker', 'Ready', '<none>'],
      ['kubemock-worker2', 'Ready', '<none>'],
      ['kubemock-worker3', 'Ready', '<none>'],
    ])
    for (const r of t.rows) {
      expect(r.AGE).toMatch(/^\d+(s|m\d*s?)$/)
      expect(r.VERSION).toMatch(/^v1\.\d+\.\d+$/)
    }
    if (kubeVersion === '1.32') expect(t.rows[0].VERSION).toMatch(/^v1\.32\.\d+$/)
    // The VERSION cell is status.nodeInfo.kubeletVersion (printers.go printNode).
    const json = JSON.parse(ok(await k(['get', 'node', 'kubemock-worker', '-o', 'json'])))
    expect(t.rows[1].VERSION).toBe(json.status.nodeInfo.kubeletVersion)
    expect(json.spec.taints ?? []).toEqual([])
    const cp = JSON.parse(ok(await k(['get', 'node', 'kubemock-control-plane', '-o', 'json'])))
    expect(cp.spec.taints).toContainEqual({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' })
  })

  it('get nodes -o wide adds the priority-1 columns', async () => {
    const t = parseTable(ok(await k(['get', 'nodes', '-o', 'wide'])))
    expect(t.headers).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'])
    expect(t.rows).toHaveLength(4)
    const json = JSON.parse(ok(await k(['get', 'nodes', '-o', 'json'])))
    for (const [i, r] of t.rows.entries()) {
      const node = json.items[i]
      expect(r.NAME).toBe(node.metadata.name)
      const internal = node.status.addresses.find((a: { type: string }) => a.type === 'InternalIP')
      expect(r['INTERNAL-IP']).toBe(internal.address)
      expect(r['INTERNAL-IP']).toMatch(/^\d+\.\d+\.\d+\.\d+$/)
      expect(r['EXTERNAL-IP']).toBe(node.status.addresses.find((a: { type: string }) => a.type === 'ExternalIP')?.address ?? '<none>')
      expect(r['OS-IMAGE']).toBe(node.status.nodeInfo.osImage)
      expect(r['KERNEL-VERSION']).toBe(node.status.nodeInfo.kernelVersion)
      expect(r['CONTAINER-RUNTIME']).toBe(node.status.nodeInfo.containerRuntimeVersion)
    }
  })

  it('get ns lists the four system namespaces as Active', async () => {
    const t = parseTable(ok(await k(['get', 'ns'])))
    expect(t.headers).toEqual(['NAME', 'STATUS', 'AGE'])
    expect(t.rows.map((r) => r.NAME).sort()).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system'])
    expect(new Set(t.rows.map((r) => r.STATUS))).toEqual(new Set(['Active']))
  })

  it('api-resources lists the core and apps resources with short names', async () => {
    const t = parseTable(ok(await k(['api-resources'])))
    expect(t.headers).toEqual(['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND'])
    const byName = new Map(t.rows.map((r) => [`${r.NAME} ${r.APIVERSION}`, r]))
    expect(byName.get('pods v1')).toEqual({ NAME: 'pods', SHORTNAMES: 'po', APIVERSION: 'v1', NAMESPACED: 'true', KIND: 'Pod' })
    expect(byName.get('nodes v1')).toMatchObject({ SHORTNAMES: 'no', NAMESPACED: 'false', KIND: 'Node' })
    expect(byName.get('namespaces v1')).toMatchObject({ SHORTNAMES: 'ns', NAMESPACED: 'false', KIND: 'Namespace' })
    expect(byName.get('configmaps v1')).toMatchObject({ SHORTNAMES: 'cm', NAMESPACED: 'true', KIND: 'ConfigMap' })
    expect(byName.get('deployments apps/v1')).toEqual({
      NAME: 'deployments',
      SHORTNAMES: 'deploy',
      APIVERSION: 'apps/v1',
      NAMESPACED: 'true',
      KIND: 'Deployment',
    })
    expect(byName.get('replicasets apps/v1')).toMatchObject({ SHORTNAMES: 'rs', KIND: 'ReplicaSet' })
    expect(byName.get('apiservices apiregistration.k8s.io/v1')).toMatchObject({ SHORTNAMES: '', NAMESPACED: 'false', KIND: 'APIService' })
    expect(byName.get('certificatesigningrequests certificates.k8s.io/v1')).toMatchObject({
      SHORTNAMES: 'csr',
      NAMESPACED: 'false',
      KIND: 'CertificateSigningRequest',
    })
    expect(byName.get('flowschemas flowcontrol.apiserver.k8s.io/v1')).toMatchObject({ NAMESPACED: 'false', KIND: 'FlowSchema' })
    expect(byName.get('prioritylevelconfigurations flowcontrol.apiserver.k8s.io/v1')).toMatchObject({ NAMESPACED: 'false', KIND: 'PriorityLevelConfiguration' })
  })

  it('apply creates, then reports unchanged, then configured', async () => {
    expect(ok(await k(['apply', '-f', '-'], deployment('nginx:1.14.2')))).toBe('deployment.apps/web created\n')
    expect(ok(await k(['apply', '-f', '-'], deployment('nginx:1.14.2')))).toBe('deployment.apps/web unchanged\n')
    expect(ok(await k(['apply', '-f', '-'], deployment('nginx:1.15.12')))).toBe('deployment.apps/web configured\n')
    const image = ok(await k(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']))
    expect(image).toBe('nginx:1.15.12')
  })

  it('apply with an unknown field fails with the strict-decoding error', async () => {
    const r = await k(['apply', '-f', '-'], typoDeployment)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('unknown field "spec.template.spec.conainters"')
    // apiserver's strict decoder message (protocol-core.md §3.1), wrapped by kubectl's "error when creating".
    expect(r.stderr.trim()).toBe(
      'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" ' +
        'cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.conainters"',
    )
    const get = await k(['get', 'deploy', 'typo'])
    expect(get.stderr.trim()).toBe('Error from server (NotFound): deployments.apps "typo" not found')
  })

  it('create -f a pod fills the PodSpec defaults and admission tolerations', async () => {
    expect(ok(await k(['create', '-f', '-'], pod('defaults', { app: 'defaults' })))).toBe('pod/defaults created\n')
    const jp =
      '{.spec.restartPolicy} {.spec.dnsPolicy} {.spec.containers[0].imagePullPolicy} ' +
      '{.spec.terminationGracePeriodSeconds} {.spec.schedulerName} {.status.phase}'
    expect(ok(await k(['get', 'pod', 'defaults', '-o', `jsonpath=${jp}`]))).toBe('Always ClusterFirst IfNotPresent 30 default-scheduler Pending')
    const obj = JSON.parse(ok(await k(['get', 'pod', 'defaults', '-o', 'json'])))
    // DefaultTolerationSeconds admission (plugin/pkg/admission/defaulttolerationseconds).
    expect(obj.spec.tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ])
    expect(obj.spec.containers[0]).toMatchObject({
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
    })
    expect(obj.spec.nodeName).toBeUndefined()
    expect(obj.metadata.uid).toMatch(uuid)
    // Unschedulable, the pod is Pending on no node: READY 0/1, wide columns <none>.
    const t = parseTable(ok(await k(['get', 'pod', 'defaults', '-o', 'wide'])))
    expect(t.headers).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'])
    expect(t.rows).toEqual([
      expect.objectContaining({
        NAME: 'defaults',
        READY: '0/1',
        STATUS: 'Pending',
        RESTARTS: '0',
        IP: '<none>',
        NODE: '<none>',
        'NOMINATED NODE': '<none>',
        'READINESS GATES': '<none>',
      }),
    ])
  })

  it('get of a missing pod prints the NotFound Status', async () => {
    const r = await k(['get', 'pod', 'nope'])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr.trim()).toBe('Error from server (NotFound): pods "nope" not found')
  })

  it('label and annotate patch metadata', async () => {
    expect(ok(await k(['label', 'pod', 'defaults', 'tier=frontend']))).toBe('pod/defaults labeled\n')
    expect(ok(await k(['annotate', 'pod', 'defaults', 'note=hello world']))).toBe('pod/defaults annotated\n')
    const out = ok(await k(['get', 'pod', 'defaults', '-o', 'jsonpath={.metadata.labels.tier}/{.metadata.annotations.note}']))
    expect(out).toBe('frontend/hello world')
    expect(ok(await k(['label', 'pod', 'defaults', 'tier-']))).toBe('pod/defaults unlabeled\n')
    const labels = JSON.parse(ok(await k(['get', 'pod', 'defaults', '-o', 'jsonpath={.metadata.labels}'])))
    expect(labels).toEqual({ app: 'defaults' })
  })

  it('scale goes through the scale subresource', async () => {
    expect(ok(await k(['scale', 'deployment', 'web', '--replicas=3']))).toBe('deployment.apps/web scaled\n')
    expect(ok(await k(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']))).toBe('3')
  })

  it('wait --for=jsonpath sees the scaled replicas', async () => {
    const r = await k(['wait', '--for=jsonpath={.spec.replicas}=3', 'deploy/web', '--timeout=15s'])
    expect(ok(r)).toBe('deployment.apps/web condition met\n')
  })

  it('set image changes only the image (strategic merge keeps the ports) and bumps generation', async () => {
    const before = JSON.parse(ok(await k(['get', 'deploy', 'web', '-o', 'json'])))
    expect(ok(await k(['set', 'image', 'deployment/web', 'nginx=nginx:1.16.0']))).toBe('deployment.apps/web image updated\n')
    const after = JSON.parse(ok(await k(['get', 'deploy', 'web', '-o', 'json'])))
    expect(after.spec.template.spec.containers).toEqual([{ ...before.spec.template.spec.containers[0], image: 'nginx:1.16.0' }])
    expect(after.spec.template.spec.containers[0].ports).toEqual([{ containerPort: 80, protocol: 'TCP' }])
    expect(after.metadata.generation).toBe(before.metadata.generation + 1)
  })

  it('get deploy -o yaml carries server-maintained metadata and defaults', async () => {
    const obj = parseYaml(ok(await k(['get', 'deploy', 'web', '-o', 'yaml'])))
    expect(obj).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment' })
    expect(Number.isInteger(obj.metadata.generation) && obj.metadata.generation >= 1).toBe(true)
    expect(obj.metadata.resourceVersion).toMatch(/^\d+$/)
    expect(obj.metadata.uid).toMatch(uuid)
    expect(obj.metadata.creationTimestamp).toMatch(rfc3339Seconds)
    expect(obj.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toMatch(/^\{"apiVersion":"apps\/v1".*\}\n$/)
    expect(obj.metadata.managedFields).toBeUndefined()
    // pkg/apis/apps/v1/defaults.go SetDefaults_Deployment.
    expect(obj.spec).toMatchObject({
      replicas: 3,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    })
    expect(obj.spec.template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30 })
  })

  it('get pods -l and --field-selector filter on the server', async () => {
    ok(await k(['create', '-f', '-'], pod('sel-a', { app: 'sel', tier: 'a' })))
    ok(await k(['create', '-f', '-'], pod('sel-b', { app: 'sel', tier: 'b' })))
    expect(ok(await k(['get', 'pods', '-l', 'app=sel', '-o', 'name']))).toBe('pod/sel-a\npod/sel-b\n')
    expect(ok(await k(['get', 'pods', '-l', 'app=sel,tier!=a', '-o', 'name']))).toBe('pod/sel-b\n')
    expect(ok(await k(['get', 'pods', '-l', 'tier in (a,b)', '-o', 'name']))).toBe('pod/sel-a\npod/sel-b\n')
    expect(ok(await k(['get', 'pods', '--field-selector', 'metadata.name=sel-a', '-o', 'name']))).toBe('pod/sel-a\n')
    expect(ok(await k(['get', 'pods', '-l', 'app=sel', '--field-selector', 'status.phase=Pending', '-o', 'name']))).toBe('pod/sel-a\npod/sel-b\n')
    const none = await k(['get', 'pods', '-l', 'app=nothing'])
    expect(none).toMatchObject({ code: 0, stdout: '' })
    expect(none.stderr.trim()).toBe('No resources found in default namespace.')
    const bad = await k(['get', 'pods', '--field-selector', 'spec.foo=bar'])
    expect(bad.code).toBe(1)
    // The server says `field label not supported: spec.foo`; kubectl prefixes the selectors
    // (cli-runtime/pkg/resource/selector.go).
    expect(bad.stderr.trim()).toBe(
      'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match ' +
        'label selector "", field selector "spec.foo=bar": field label not supported: spec.foo',
    )
  })

  it('delete of an unscheduled pod is immediate', async () => {
    const r = await km.kubectl(['delete', 'pod', 'sel-b'], { timeoutMs: 10_000 })
    expect(ok(r)).toBe('pod "sel-b" deleted\n')
    const get = await k(['get', 'pod', 'sel-b'])
    expect(get.stderr.trim()).toBe('Error from server (NotFound): pods "sel-b" not found')
  })

  it('create namespace, then delete it until it is gone', async () => {
    expect(ok(await k(['create', 'namespace', 'scratch']))).toBe('namespace/scratch created\n')
    const ns = JSON.parse(ok(await k(['get', 'ns', 'scratch', '-o', 'json'])))
    expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'scratch' })
    expect(ns.status.phase).toBe('Active')
    // kubectl delete waits (watching) until the namespace is gone, so no polling is needed.
    const del = await km.kubectl(['delete', 'namespace', 'scratch', '--timeout=20s'], { timeoutMs: 25_000 })
    expect(ok(del)).toBe('namespace "scratch" deleted\n')
    const get = await k(['get', 'ns', 'scratch'])
    expect(get.stderr.trim()).toBe('Error from server (NotFound): namespaces "scratch" not found')
  })

  it('--dry-run=server validates and answers but persists nothing', async () => {
    const cm = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' }, data: { a: 'b' } })
    expect(ok(await k(['create', '-f', '-', '--dry-run=server'], cm))).toBe('configmap/dry created (server dry run)\n')
    const dep = deployment('nginx:1.14.2').replace('name: web', 'name: dry')
    expect(ok(await k(['apply', '-f', '-', '--dry-run=server'], dep))).toBe('deployment.apps/dry created (server dry run)\n')
    expect((await k(['get', 'configmap', 'dry'])).stderr.trim()).toBe('Error from server (NotFound): configmaps "dry" not found')
    expect((await k(['get', 'deploy', 'dry'])).stderr.trim()).toBe('Error from server (NotFound): deployments.apps "dry" not found')
  })

  it('generator commands (create configmap/secret/deployment) create what they describe', async () => {
    // From kubectl 1.30 on these typed-client commands POST protobuf bodies
    // (Content-Type: application/vnd.kubernetes.protobuf); 1.28 sends JSON.
    expect(ok(await k(['create', 'configmap', 'gen', '--from-literal=a=b']))).toBe('configmap/gen created\n')
    expect(ok(await k(['create', 'secret', 'generic', 'gen', '--from-literal=a=b']))).toBe('secret/gen created\n')
    expect(ok(await k(['create', 'deployment', 'gen', '--image=nginx:1.14.2', '--port=80']))).toBe('deployment.apps/gen created\n')
    expect(JSON.parse(ok(await k(['get', 'configmap', 'gen', '-o', 'json']))).data).toEqual({ a: 'b' })
    const secret = JSON.parse(ok(await k(['get', 'secret', 'gen', '-o', 'json'])))
    expect(secret).toMatchObject({ type: 'Opaque', data: { a: Buffer.from('b').toString('base64') } })
    const dep = JSON.parse(ok(await k(['get', 'deploy', 'gen', '-o', 'json'])))
    expect(dep.spec.selector).toEqual({ matchLabels: { app: 'gen' } })
    expect(dep.spec.template.spec.containers).toEqual([
      expect.objectContaining({
        name: 'nginx',
        image: 'nginx:1.14.2',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
      }),
    ])
  })

  it('get pods -w prints a row when a pod is created', async () => {
    ok(await k(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'watched' } })))
    ok(await k(['create', '-f', '-'], pod('w0', { app: 'w' }, 'watched')))
    const watch = km.kubectlBackground(['get', 'pods', '-n', 'watched', '-w'], { timeoutMs: 30_000 })
    try {
      // The initial list is printed before the watch starts from its resourceVersion, so a pod
      // created after this line can only arrive through the watch stream.
      await watch.waitForStdout(/^w0\s+0\/1\s+Pending\s+0\s+\S+\s*$/m)
      ok(await k(['create', '-f', '-'], pod('w1', { app: 'w' }, 'watched')))
      const out = await watch.waitForStdout(/^w1\s+0\/1\s+Pending\s+0\s+\S+\s*$/m)
      expect(out.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s*$/)
      // Headers are printed once; the watch row reuses them.
      expect(out.match(/^NAME\s/gm)).toHaveLength(1)
    } finally {
      await watch.stop()
    }
  })

  it('replace with a stale resourceVersion is a Conflict', async () => {
    ok(await k(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stale' }, data: { a: '1' } })))
    const stale = ok(await k(['get', 'configmap', 'stale', '-o', 'json']))
    ok(await k(['label', 'configmap', 'stale', 'touched=yes']))
    const r = await k(['replace', '-f', '-'], stale)
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(
      'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on ' +
        'configmaps "stale": the object has been modified; please apply your changes to the latest version and try again',
    )
  })

  it('explain pods.spec.containers prints the field documentation from OpenAPI', async () => {
    const out = ok(await k(['explain', 'pods.spec.containers']))
    expect(out).toMatch(/^KIND:\s+Pod$/m)
    expect(out).toMatch(/^VERSION:\s+v1$/m)
    expect(out).toMatch(/^FIELD:\s+containers <\[\]Container>$/m)
    expect(out).toMatch(/^DESCRIPTION:$/m)
    expect(out).toMatch(/^FIELDS:$/m)
    expect(out).toMatch(/^\s+image\t<string>/m)
    expect(out).toMatch(/^\s+name\t<string> -required-$/m)
    expect(out).toMatch(/^\s+ports\t<\[\]ContainerPort>/m)
  })
})
