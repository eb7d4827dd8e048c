import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { Cluster } from '../../src/cluster.js'
import { loadScenario, parseScenario } from '../../src/sim/scenario.js'

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/scenarios/${name}`, import.meta.url))

describe('scenario files', () => {
  test('nodes, images, timings, manifests and extra documents are loaded', async () => {
    const s = loadScenario(fixture('small.yaml'))
    expect(s.nodes?.map((n) => n.name)).toEqual(['cp', 'gpu-1'])
    expect(s.timings).toEqual({ 'kubelet.containerStart': 250 })
    expect(s.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/shop', 'ConfigMap/one', 'ConfigMap/two', 'ConfigMap/settings'])
    const cluster = await Cluster.open({ speed: 0, scenario: s })
    try {
      const node = cluster.registry.resource('', 'nodes').read('', 'gpu-1')!
      expect(node.metadata.labels).toMatchObject({ accelerator: 'nvidia' })
      expect(node.spec).toMatchObject({ taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }] })
      expect((node.status as any).capacity).toMatchObject({ cpu: '8', memory: '32Gi' })
      expect(cluster.registry.resource('', 'configmaps').read('shop', 'settings')?.data).toEqual({ color: 'blue' })
      expect(cluster.images.pull('myorg/app:1.1').ok).toBe(true)
      expect(cluster.images.pull('myorg/app:2.0').ok).toBe(false)
      expect(cluster.images.pull('nginx:1.16.0').ok).toBe(false)
      expect(cluster.images.pull('nginx:1.15.12').ok).toBe(true)
    } finally {
      cluster.close()
    }
  })

  test('the shipped tutorial scenario boots its four nodes and objects', async () => {
    const cluster = await Cluster.open({ speed: 0, scenario: loadScenario(fileURLToPath(new URL('../../scenarios/tutorial.yaml', import.meta.url))) })
    try {
      expect(cluster.nodes.map((n) => n.name)).toEqual([
        'dev-umon-kube-test001-ncl',
        'dev-umon-kube-test002-ncl',
        'dev-umon-kube-test003-ncl',
        'dev-umon-kube-test004-ncl',
      ])
      expect(cluster.registry.resource('', 'pods').read('default', 'nginx-pod')).toMatchObject({ spec: { containers: [{ image: 'nginx:1.15.12' }] } })
      expect(cluster.registry.resource('apps', 'deployments').read('default', 'echo-hname')).toMatchObject({ spec: { replicas: 3 } })
      expect(cluster.registry.resource('apps', 'daemonsets').read('kube-system', 'kube-proxy')).toBeDefined()
    } finally {
      cluster.close()
    }
  })

  test('bad files are rejected with the file and every bad field named', () => {
    const path = fixture('bad-node.yaml')
    expect(() => loadScenario(path)).toThrow(
      `scenario ${path}: is invalid: nodes[1].name: Required value, nodes[1].nmae: Forbidden: unknown field, nodes[1].capacity.cpu: Invalid value: "lots": must match the regex ^[0-9.]+[a-zA-Z]*$`,
    )
    expect(() => loadScenario('/nonexistent/s.yaml')).toThrow('scenario /nonexistent/s.yaml: cannot read the file: ENOENT')
    expect(() => parseScenario('nodes: [', 'x.yaml')).toThrow(/^scenario x.yaml: not valid YAML/)
    expect(() => parseScenario('kind: Scenario\ntimings: { a: -1 }', 'x.yaml')).toThrow(
      'scenario x.yaml: is invalid: timings.a: Invalid value: -1: must be >= 0',
    )
    expect(() => parseScenario('kind: Scenario\nnodes: [{ name: a }, { name: a }]', 'x.yaml')).toThrow('nodes[1].name: Duplicate value: "a"')
    expect(() => parseScenario('kind: Scenario\n---\nkind: Pod\nmetadata: { name: p }', 'x.yaml')).toThrow(
      'scenario x.yaml: is invalid: documents[0].apiVersion: Required value',
    )
  })

  test('objects that fail validation stop the boot, naming the object', async () => {
    const s = parseScenario('kind: Scenario\n---\napiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec: { containers: [] }', 'x.yaml')
    await expect(Cluster.open({ speed: 0, scenario: s })).rejects.toThrow('scenario x.yaml: Pod p: Pod "p" is invalid: spec.containers: Required value')
  })
})

describe('scenario clusters', () => {
  const text = `apiVersion: kubemock.dev/v1alpha1
kind: Scenario
name: fleet
nodes: [{ name: shared-node }]
timings: { kubelet.containerStart: 100 }
objects:
- { apiVersion: v1, kind: ConfigMap, metadata: { name: everywhere, namespace: default } }
clusters:
- name: east
- name: west
  nodes: [{ name: west-1 }, { name: west-2 }]
  timings: { kubelet.containerStart: 700 }
  objects:
  - { apiVersion: v1, kind: ConfigMap, metadata: { name: west-only, namespace: default } }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: from-document, namespace: default }
`

  test('each entry is a whole scenario: top-level nodes unless replaced, timings overridden, objects appended', () => {
    const s = parseScenario(text, 'fleet.yaml')
    expect(s.clusters?.map((c) => [c.source, c.name, c.nodes?.map((n) => n.name), c.timings, c.objects.map((o) => o.metadata.name)])).toEqual([
      ['fleet.yaml clusters[0]', 'east', ['shared-node'], { 'kubelet.containerStart': 100 }, ['everywhere', 'from-document']],
      ['fleet.yaml clusters[1]', 'west', ['west-1', 'west-2'], { 'kubelet.containerStart': 700 }, ['everywhere', 'from-document', 'west-only']],
    ])
    expect(parseScenario('kind: Scenario\n').clusters).toBeUndefined()
  })

  test('bad entries are refused naming the field', () => {
    expect(() => parseScenario('clusters: []\n', 's.yaml')).toThrow(/^scenario s\.yaml: is invalid: clusters: .*1/)
    expect(() => parseScenario('clusters: [{ kind: Scenario }]\n', 's.yaml')).toThrow('clusters[0].kind: Forbidden: unknown field')
    expect(() => parseScenario('clusters: [{}, { nodes: [{ name: a }, { name: a }] }]\n', 's.yaml')).toThrow(
      'scenario s.yaml: is invalid: clusters[1].nodes[1].name: Duplicate value: "a"',
    )
  })
})
