/** @module python-client.test: the official Python client (Debian python3-kubernetes 22.6) against a spawned kubemock — CRUD, watch, exec, port-forward, version, dynamic discovery. */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, ok } from '../helpers/expect-kubectl.js'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'
import { runProcess } from '../helpers/run-process.js'

const python = '/usr/bin/python3'
const probe = spawnSync(python, ['-c', 'import kubernetes; print(kubernetes.__version__)'], { encoding: 'utf8' })
const clientVersion = probe.status === 0 ? probe.stdout.trim() : undefined
const title = clientVersion
  ? `official Python client ${clientVersion}`
  : `official Python client — SKIPPED: \`${python} -c 'import kubernetes'\` failed (install python3-kubernetes, see scripts/install-test-clients.sh)`
if (!clientVersion) console.warn(`python-client.test: ${title}`)

/** Every script starts here: kubeconfig from $KUBECONFIG, results printed as one JSON line. */
const prelude = `
import json, sys, threading, time
from kubernetes import client, config, dynamic, watch
from kubernetes.client.rest import ApiException
from kubernetes.stream import portforward, stream
config.load_kube_config()
core = client.CoreV1Api()
def out(v):
    print(json.dumps(v))
`

const nginxPod = `
apiVersion: v1
kind: Pod
metadata:
  name: py-web
spec:
  containers:
  - name: nginx
    image: nginx:1.27.3
`

describe.skipIf(!clientVersion)(title, () => {
  let km: Kubemock
  let dir: string

  /** Runs a script with the prelude and returns what it printed last (parsed JSON). */
  async function py<T = Record<string, unknown>>(body: string, timeoutMs = 30_000): Promise<T> {
    const file = join(dir, `s${Math.random().toString(36).slice(2)}.py`)
    writeFileSync(file, prelude + body)
    const r = await runProcess(python, [file], { env: { ...process.env, KUBECONFIG: km.kubeconfigPath, HOME: dir }, timeoutMs })
    const last = r.stdout.trim().split('\n').pop() ?? ''
    expect(r.code, `python exited ${r.code}${r.timedOut ? ' (timed out)' : ''}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0)
    return JSON.parse(last) as T
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubemock-py-'))
    km = await startKubemock()
    ok(await km.kubectl(['apply', '-f', '-'], { input: nginxPod }))
    await eventually('py-web running', async () =>
      (await km.kubectl(['get', 'pod', 'py-web', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running' ? true : undefined,
    )
  }, 40_000)
  afterAll(async () => {
    await km?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('VersionApi().get_code() reads /version/', async () => {
    const v = await py(`
info = client.VersionApi().get_code()
out({'git_version': info.git_version, 'major': info.major, 'minor': info.minor})
`)
    expect(v).toEqual({ git_version: 'v1.32.4', major: '1', minor: '32' })
  })

  it('creates, reads, patches, lists by label and deletes; errors are ApiExceptions with the Status', async () => {
    const r = await py(`
cm = core.create_namespaced_config_map('default', {'metadata': {'name': 'py-cm', 'labels': {'app': 'py'}}, 'data': {'a': '1'}})
try:
    core.create_namespaced_config_map('default', {'metadata': {'name': 'py-cm'}})
    dup = None
except ApiException as e:
    dup = [e.status, json.loads(e.body)['reason'], json.loads(e.body)['message']]
patched = core.patch_namespaced_config_map('py-cm', 'default', {'data': {'b': '2'}})
listed = core.list_namespaced_config_map('default', label_selector='app=py')
deleted = core.delete_namespaced_config_map('py-cm', 'default')
try:
    core.read_namespaced_config_map('py-cm', 'default')
    gone = None
except ApiException as e:
    gone = [e.status, json.loads(e.body)['message']]
out({'uid': cm.metadata.uid, 'dup': dup, 'patched': patched.data, 'listed': [i.metadata.name for i in listed.items], 'deleted': deleted.status, 'gone': gone})
`)
    expect(r.uid).toMatch(/^[0-9a-f-]{36}$/)
    expect(r.dup).toEqual([409, 'AlreadyExists', 'configmaps "py-cm" already exists'])
    expect(r.patched).toEqual({ a: '1', b: '2' })
    expect(r.listed).toEqual(['py-cm'])
    expect(r.deleted).toBe('Success')
    expect(r.gone).toEqual([404, 'configmaps "py-cm" not found'])
  })

  it("runs the client's own e2e ReplicationController and APIService cases: create, read, scale, conflict, delete", async () => {
    const r = await py(`
name = 'frontend-py'
rc = {'apiVersion': 'v1', 'kind': 'ReplicationController', 'metadata': {'name': name, 'labels': {'name': name}},
      'spec': {'replicas': 2, 'selector': {'name': name},
               'template': {'metadata': {'labels': {'name': name}}, 'spec': {'containers': [{'name': 'nginx', 'image': 'nginx', 'ports': [{'containerPort': 80}]}]}}}}
made = core.create_namespaced_replication_controller('default', rc)
read = core.read_namespaced_replication_controller(name, 'default')
for _ in range(100):
    pods = core.list_namespaced_pod('default', label_selector='name=' + name).items
    if len(pods) == 2:
        break
    time.sleep(0.1)
scaled = core.patch_namespaced_replication_controller_scale(name, 'default', {'spec': {'replicas': 1}})
core.delete_namespaced_replication_controller(name, 'default')
reg = client.ApiregistrationV1Api()
svc = {'apiVersion': 'apiregistration.k8s.io/v1', 'kind': 'APIService', 'metadata': {'name': 'v1alpha1.wardle.example.com'},
       'spec': {'group': 'wardle.example.com', 'version': 'v1alpha1', 'groupPriorityMinimum': 1000, 'versionPriority': 15,
                'insecureSkipTLSVerify': True, 'service': {'name': 'api', 'namespace': 'wardle'}}}
reg.create_api_service(svc)
got = reg.read_api_service('v1alpha1.wardle.example.com')
try:
    reg.create_api_service(svc)
    dup = None
except ApiException as e:
    dup = [e.status, json.loads(e.body)['reason']]
builtin = reg.read_api_service('v1.apps')
reg.delete_api_service('v1alpha1.wardle.example.com')
out({'replicas': read.spec.replicas, 'selector': made.spec.selector, 'pods': len(pods), 'scaled': scaled.spec.replicas,
     'svc': [got.spec.group, got.spec.service.name], 'dup': dup,
     'builtin': [builtin.spec.service, [(c.type, c.status, c.reason) for c in builtin.status.conditions]]})
`)
    expect(r).toEqual({
      replicas: 2,
      selector: { name: 'frontend-py' },
      pods: 2,
      scaled: 1,
      svc: ['wardle.example.com', 'api'],
      dup: [409, 'AlreadyExists'],
      builtin: [null, [['Available', 'True', 'Local']]],
    })
  })

  it('lists with resource_version_match Exact (the state then) and rejects it without a resourceVersion', async () => {
    const r = await py(`
rv = core.list_namespaced_config_map('default').metadata.resource_version
core.create_namespaced_config_map('default', {'metadata': {'name': 'py-exact'}})
then = core.list_namespaced_config_map('default', resource_version=rv, resource_version_match='Exact')
now = core.list_namespaced_config_map('default', resource_version=rv, resource_version_match='NotOlderThan')
try:
    core.list_namespaced_config_map('default', resource_version_match='Exact')
    bad = None
except ApiException as e:
    bad = [e.status, json.loads(e.body)['message']]
core.delete_namespaced_config_map('py-exact', 'default')
out({'rv': rv, 'then_rv': then.metadata.resource_version, 'then': [i.metadata.name for i in then.items], 'now': [i.metadata.name for i in now.items], 'bad': bad})
`)
    expect(r.then_rv).toBe(r.rv)
    expect(r.then).not.toContain('py-exact')
    expect(r.now).toContain('py-exact')
    expect(r.bad).toEqual([
      422,
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
    ])
  })

  it('watches (watch=True): ADDED, MODIFIED, DELETED resumed from a resource_version, ended by timeout_seconds', async () => {
    const r = await py(`
rv = core.list_namespaced_config_map('default').metadata.resource_version
core.create_namespaced_config_map('default', {'metadata': {'name': 'py-w'}, 'data': {'a': '1'}})
core.patch_namespaced_config_map('py-w', 'default', {'data': {'a': '2'}})
core.delete_namespaced_config_map('py-w', 'default')
w = watch.Watch()
t0 = time.time()
events = [[e['type'], e['object'].metadata.name, e['object'].data] for e in w.stream(core.list_namespaced_config_map, 'default', resource_version=rv, timeout_seconds=1)]
out({'events': events, 'elapsed': time.time() - t0, 'resumed_at': w.resource_version})
`)
    expect(r.events).toEqual([
      ['ADDED', 'py-w', { a: '1' }],
      ['MODIFIED', 'py-w', { a: '2' }],
      ['DELETED', 'py-w', { a: '2' }],
    ])
    expect(r.elapsed as number).toBeGreaterThanOrEqual(0.9)
    expect(r.elapsed as number).toBeLessThan(5)
    expect(Number(r.resumed_at)).toBeGreaterThan(0)
  })

  it("keeps a watch with a timeout_seconds beyond Node's timer limit open until told to stop", async () => {
    const r = await py(`
def later():
    time.sleep(0.5)
    core.create_namespaced_config_map('default', {'metadata': {'name': 'py-long'}})
creator = threading.Thread(target=later)
creator.start()
w = watch.Watch()
seen = []
for e in w.stream(core.list_namespaced_config_map, 'default', timeout_seconds=3000000):
    seen.append([e['type'], e['object'].metadata.name])
    if e['object'].metadata.name == 'py-long':
        w.stop()
creator.join()
core.delete_namespaced_config_map('py-long', 'default')
out({'seen': seen})
`)
    expect(r.seen).toContainEqual(['ADDED', 'py-long'])
  })

  it('execs over v4.channel.k8s.io: stdout, stderr, the exit code from the error channel, and stdin', async () => {
    const r = await py(`
merged = stream(core.connect_get_namespaced_pod_exec, 'py-web', 'default', command=['sh', '-c', 'echo out; echo err >&2'], stdout=True, stderr=True, stdin=False, tty=False)
ws = stream(core.connect_get_namespaced_pod_exec, 'py-web', 'default', command=['sh', '-c', 'echo out; echo err >&2; exit 3'], stdout=True, stderr=True, stdin=False, tty=False, _preload_content=False)
ws.run_forever(timeout=10)
split = [ws.read_stdout(), ws.read_stderr(), ws.returncode]
cat = stream(core.connect_get_namespaced_pod_exec, 'py-web', 'default', command=['cat'], stdout=True, stderr=True, stdin=True, tty=False, _preload_content=False)
cat.write_stdin('hello from python\\n')
echoed = ''
deadline = time.time() + 10
while cat.is_open() and 'hello' not in echoed and time.time() < deadline:
    cat.update(timeout=1)
    echoed += cat.read_stdout()
cat.close()
out({'merged': merged, 'split': split, 'echoed': echoed, 'protocol': ws.sock.getheaders().get('sec-websocket-protocol')})
`)
    expect(r.merged).toBe('out\nerr\n')
    expect(r.split).toEqual(['out\n', 'err\n', 3])
    expect(r.echoed).toBe('hello from python\n')
    // The client offers only v4 (stream/ws_client.py); kubemock must answer with it (the 101's Sec-WebSocket-Protocol).
    expect(r.protocol).toBe('v4.channel.k8s.io')
  })

  it('port-forwards to nginx with kubernetes.stream.portforward and gets an HTTP answer', async () => {
    const r = await py(`
pf = portforward(core.connect_get_namespaced_pod_portforward, 'py-web', 'default', ports='80')
s = pf.socket(80)
s.setblocking(True)
s.settimeout(10)
s.sendall(b'GET / HTTP/1.1\\r\\nHost: py-web\\r\\nConnection: close\\r\\n\\r\\n')
data = b''
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
s.close()
head, _, body = data.decode().partition('\\r\\n\\r\\n')
out({'protocol': pf.websocket.getheaders().get('sec-websocket-protocol'), 'status': head.split('\\r\\n')[0], 'server': [l for l in head.split('\\r\\n') if l.lower().startswith('server:')], 'body': body, 'error': pf.error(80)})
`)
    expect(r.protocol).toBe('v4.channel.k8s.io')
    expect(r.status).toBe('HTTP/1.1 200 OK')
    expect(r.server).toEqual(['Server: nginx/1.27.3'])
    expect(r.body).toContain('<title>Welcome to nginx!</title>')
    expect(r.error).toBeNull()
  })

  it("reads logs with tail_lines and timestamps, and gets pods/log's validation errors", async () => {
    const r = await py(`
full = core.read_namespaced_pod_log('py-web', 'default')
last = core.read_namespaced_pod_log('py-web', 'default', tail_lines=1, timestamps=True)
try:
    core.read_namespaced_pod_log('py-web', 'default', tail_lines=-1)
    bad = None
except ApiException as e:
    bad = [e.status, json.loads(e.body)['message']]
out({'full': full, 'last': last, 'bad': bad})
`)
    const lines = (r.full as string).trimEnd().split('\n')
    expect(lines.length).toBeGreaterThan(1)
    const last = lines[lines.length - 1]
    expect((r.last as string).endsWith(` ${last}\n`)).toBe(true)
    expect(r.last).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z /)
    expect(r.bad).toEqual([422, 'PodLogOptions "py-web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0'])
  })

  it('runs the dynamic client: discovery over /apis and /api/v1, then create, get, patch, list and delete', async () => {
    const r = await py(`
dc = dynamic.DynamicClient(client.ApiClient(), cache_file='${join(dir, 'discovery.json')}')
deployments = dc.resources.get(api_version='apps/v1', kind='Deployment')
pods = dc.resources.get(api_version='v1', kind='Pod')
body = {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': {'name': 'py-dyn'}, 'spec': {'replicas': 1, 'selector': {'matchLabels': {'app': 'py-dyn'}}, 'template': {'metadata': {'labels': {'app': 'py-dyn'}}, 'spec': {'containers': [{'name': 'c', 'image': 'nginx:1.27.3'}]}}}}
created = deployments.create(body=body, namespace='default')
patched = deployments.patch(name='py-dyn', namespace='default', body={'spec': {'replicas': 2}}, content_type='application/merge-patch+json')
got = deployments.get(name='py-dyn', namespace='default')
names = [d.metadata.name for d in deployments.get(namespace='default').items]
deployments.delete(name='py-dyn', namespace='default')
out({'namespaced': deployments.namespaced, 'pods_kind': pods.kind, 'created': created.metadata.name, 'replicas': [patched.spec.replicas, got.spec.replicas], 'names': names, 'groups': sorted(dc.resources.api_groups)[:3] if hasattr(dc.resources, 'api_groups') else None})
`)
    expect(r).toMatchObject({ namespaced: true, pods_kind: 'Pod', created: 'py-dyn', replicas: [2, 2] })
    expect(r.names).toContain('py-dyn')
    const journal = (await (await fetch(`${km.url}/kubemock/v1/requests?userAgent=OpenAPI-Generator`)).json()) as { items: { path: string; status: number }[] }
    const discovery = journal.items.filter((i) => /^\/(apis?)(\/[^/]+){0,2}\/?$/.test(i.path) || i.path.startsWith('/version'))
    expect(discovery.map((i) => i.path)).toEqual(expect.arrayContaining(['/version', '/apis', '/api/v1', '/apis/apps/v1']))
    expect(discovery.filter((i) => i.status !== 200)).toEqual([])
  })
})
