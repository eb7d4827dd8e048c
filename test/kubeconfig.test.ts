/** @module kubeconfig.test: merging kubemock's entries into a user's kubeconfig and taking them out again, as kind does. */
import { mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync, readdirSync, lstatSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import {
  defaultKubeconfigPath,
  kubeconfigYAML,
  kubeconfigYAMLFor,
  kubemockEntryName,
  mergeKubeconfig,
  removeKubeconfigEntries,
  writeKubeconfigFile,
} from '../src/kubeconfig.js'

const existing = `# the team's clusters
apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://prod.example:6443
    certificate-authority-data: Q0E=
- name: kubemock
  cluster:
    server: http://127.0.0.1:1
contexts:
- name: prod
  context:
    cluster: prod
    user: admin
    namespace: payments
current-context: prod
preferences:
  colors: true
users:
- name: admin
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: aws
extensions:
- name: custom
  extension: { a: 1 }
`

describe('mergeKubeconfig', () => {
  it('adds the cluster, user and context, replaces a stale entry of the same name, sets current-context and keeps everything else', () => {
    const merged = mergeKubeconfig(existing, [{ name: 'kubemock', server: 'https://127.0.0.1:6443', token: 't0k', certificateAuthorityData: 'Q0Ey' }])
    const cfg = parse(merged)
    expect(cfg['current-context']).toBe('kubemock')
    expect(cfg.clusters).toEqual([
      { name: 'prod', cluster: { server: 'https://prod.example:6443', 'certificate-authority-data': 'Q0E=' } },
      { name: 'kubemock', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': 'Q0Ey' } },
    ])
    expect(cfg.contexts).toEqual([
      { name: 'prod', context: { cluster: 'prod', user: 'admin', namespace: 'payments' } },
      { name: 'kubemock', context: { cluster: 'kubemock', user: 'kubemock', namespace: 'default' } },
    ])
    expect(cfg.users).toEqual([
      { name: 'admin', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'aws' } } },
      { name: 'kubemock', user: { token: 't0k' } },
    ])
    expect(cfg.preferences).toEqual({ colors: true })
    expect(cfg.extensions).toEqual([{ name: 'custom', extension: { a: 1 } }])
    expect(merged.startsWith("# the team's clusters\n")).toBe(true)
  })

  it('merges several clusters, the first one current, into an empty or missing file', () => {
    for (const start of ['', '\n']) {
      const cfg = parse(
        mergeKubeconfig(start, [
          { name: 'kubemock-1', server: 'http://127.0.0.1:8080' },
          { name: 'kubemock-2', server: 'http://127.0.0.1:8081' },
        ]),
      )
      expect(cfg).toMatchObject({ apiVersion: 'v1', kind: 'Config', 'current-context': 'kubemock-1' })
      expect(cfg.contexts.map((c: { name: string }) => c.name)).toEqual(['kubemock-1', 'kubemock-2'])
      expect(cfg.clusters[1].cluster.server).toBe('http://127.0.0.1:8081')
    }
  })

  it('fills in null lists and refuses a file that is not a kubeconfig, naming it', () => {
    expect(parse(mergeKubeconfig('apiVersion: v1\nkind: Config\nclusters: null\n', [{ name: 'kubemock', server: 'http://x:1' }])).clusters).toHaveLength(1)
    expect(() => mergeKubeconfig('clusters: [', [{ name: 'kubemock', server: 'http://x:1' }], '/home/u/.kube/config')).toThrow(
      /^\/home\/u\/\.kube\/config is not valid YAML: /,
    )
    expect(() => mergeKubeconfig('- a\n- b\n', [{ name: 'kubemock', server: 'http://x:1' }], 'cfg')).toThrow('cfg is not a kubeconfig')
    expect(() => mergeKubeconfig('clusters: 3\n', [{ name: 'kubemock', server: 'http://x:1' }], 'cfg')).toThrow('cfg: clusters is not a list')
  })
})

describe('removeKubeconfigEntries', () => {
  it('takes out exactly the named entries, empties a current-context that named one, and keeps the rest', () => {
    const merged = mergeKubeconfig(existing, [
      { name: 'kubemock-1', server: 'http://127.0.0.1:8080' },
      { name: 'kubemock-2', server: 'http://127.0.0.1:8081' },
    ])
    const { text, removed } = removeKubeconfigEntries(merged, (n) => kubemockEntryName.test(n))
    expect(removed).toEqual(['kubemock-1', 'kubemock-2'])
    const cfg = parse(text)
    expect(cfg['current-context']).toBe('')
    // The stale `kubemock` cluster of the original file is kubemock's too.
    expect(cfg.clusters.map((c: { name: string }) => c.name)).toEqual(['prod'])
    expect(cfg.users.map((c: { name: string }) => c.name)).toEqual(['admin'])
    expect(cfg.extensions).toEqual([{ name: 'custom', extension: { a: 1 } }])
  })

  it('leaves current-context alone when it names another context, and the text unchanged when nothing matches', () => {
    const merged = mergeKubeconfig(existing, [{ name: 'kubemock', server: 'http://127.0.0.1:8080' }]).replace(
      'current-context: kubemock',
      'current-context: prod',
    )
    expect(parse(removeKubeconfigEntries(merged, (n) => n === 'kubemock').text)['current-context']).toBe('prod')
    const none = removeKubeconfigEntries(existing, (n) => n === 'kubemock-7')
    expect(none).toEqual({ text: existing, removed: [] })
    expect(removeKubeconfigEntries('', () => true)).toEqual({ text: '', removed: [] })
  })

  it('kubemockEntryName matches kubemock and kubemock-N only', () => {
    for (const n of ['kubemock', 'kubemock-1', 'kubemock-300']) expect(kubemockEntryName.test(n)).toBe(true)
    for (const n of ['kubemock-0', 'kubemock-dev', 'my-kubemock', 'kubemock-1x', 'kind-kubemock']) expect(kubemockEntryName.test(n)).toBe(false)
  })
})

describe('kubeconfig files', () => {
  it('defaults to the first non-empty $KUBECONFIG entry, else ~/.kube/config', () => {
    expect(defaultKubeconfigPath({}, '/home/u')).toBe('/home/u/.kube/config')
    expect(defaultKubeconfigPath({ KUBECONFIG: '' }, '/home/u')).toBe('/home/u/.kube/config')
    expect(defaultKubeconfigPath({ KUBECONFIG: `${delimiter}/a/one${delimiter}/b/two` }, '/home/u')).toBe('/a/one')
  })

  it('writes with mode 0600 through a rename, leaving no temporary file, and through a symlink to its target', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubemock-kubeconfig-'))
    const file = join(dir, 'nested', 'config')
    writeKubeconfigFile(file, 'a: 1\n')
    expect(readFileSync(file, 'utf8')).toBe('a: 1\n')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const target = join(dir, 'real-config')
    writeFileSync(target, 'old\n', { mode: 0o644 })
    const link = join(dir, 'link')
    symlinkSync(target, link)
    writeKubeconfigFile(link, 'new\n')
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(readFileSync(target, 'utf8')).toBe('new\n')
    expect(statSync(target).mode & 0o777).toBe(0o600)
    expect(readdirSync(dir).sort()).toEqual(['link', 'nested', 'real-config'])
  })

  it('kubeconfigYAML is kubeconfigYAMLFor one entry named kubemock', () => {
    expect(kubeconfigYAML({ server: 'http://127.0.0.1:8080' })).toBe(kubeconfigYAMLFor([{ name: 'kubemock', server: 'http://127.0.0.1:8080' }]))
    expect(parse(kubeconfigYAML({ server: 'http://127.0.0.1:8080' }))).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'kubemock', cluster: { server: 'http://127.0.0.1:8080' } }],
      contexts: [{ name: 'kubemock', context: { cluster: 'kubemock', user: 'kubemock', namespace: 'default' } }],
      'current-context': 'kubemock',
      preferences: {},
      users: [{ name: 'kubemock', user: {} }],
    })
  })
})
