/** @module kubeconfig: the kubeconfig that points kubectl and client libraries at a kubemock server, written whole or merged into the user's. */
import { existsSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, dirname, join, resolve } from 'node:path'
import type { Document, YAMLMap } from 'yaml'
import { yamlLibrary } from './util/lazy-libraries.js'

export interface KubeconfigOptions {
  server: string
  /** Bearer token for the `kubemock` user (kubectl sends it over https only). */
  token?: string
  /** Base64 of the CA's PEM, as kubeconfig's `certificate-authority-data` wants it. */
  certificateAuthorityData?: string
  namespace?: string
  /** A client certificate and its key (PEM) for the user, instead of a token. */
  clientCertificate?: { cert: string; key: string }
  /** The user entry's name (default: the entry's name, `kubemock`). */
  userName?: string
}

/** One cluster as the kubeconfig names it: a cluster, a user and a context, all called `name`. */
export interface KubeconfigEntry extends KubeconfigOptions {
  name: string
}

/** The names kubemock writes: `kubemock`, and `kubemock-N` with `--clusters`. {@link removeKubeconfigEntries} takes out exactly these. */
export const kubemockEntryName = /^kubemock(-[1-9]\d*)?$/

/** The three list entries (cluster, user, context) of one {@link KubeconfigEntry}, as kubeconfig spells them. */
function entryParts(e: KubeconfigEntry) {
  return {
    cluster: {
      name: e.name,
      cluster: { server: e.server, ...(e.certificateAuthorityData ? { 'certificate-authority-data': e.certificateAuthorityData } : {}) },
    },
    context: { name: e.name, context: { cluster: e.name, user: e.userName ?? e.name, namespace: e.namespace ?? 'default' } },
    user: { name: e.userName ?? e.name, user: userEntry(e) },
  }
}

/** The user's credentials: a token, a client certificate, or none. */
function userEntry(o: KubeconfigOptions): Record<string, string> {
  if (o.token) return { token: o.token }
  if (o.clientCertificate)
    return {
      'client-certificate-data': Buffer.from(o.clientCertificate.cert).toString('base64'),
      'client-key-data': Buffer.from(o.clientCertificate.key).toString('base64'),
    }
  return {}
}

/** A kubeconfig YAML with one cluster, user and context, all named `kubemock`. */
export function kubeconfigYAML(o: KubeconfigOptions): string {
  return kubeconfigYAMLFor([{ name: 'kubemock', ...o }])
}

/** A kubeconfig YAML with the given entries; the current context is the first one's. */
export function kubeconfigYAMLFor(entries: KubeconfigEntry[]): string {
  const parts = entries.map(entryParts)
  return yamlLibrary().stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: parts.map((p) => p.cluster),
    contexts: parts.map((p) => p.context),
    'current-context': entries[0]?.name ?? '',
    preferences: {},
    users: parts.map((p) => p.user),
  })
}

/**
 * The kubeconfig file kubectl reads by default: the first entry of `$KUBECONFIG` (kubectl merges
 * the list for reading and writes new entries to the first file, as kind does), else ~/.kube/config.
 */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const first = (env.KUBECONFIG ?? '').split(delimiter).find((p) => p.trim() !== '')
  return resolve(first ?? join(home, '.kube', 'config'))
}

/** Parses an existing kubeconfig as a YAML document (comments and unknown fields kept); throws naming `where` when it is no YAML mapping. */
function parseKubeconfig(text: string, where: string): Document {
  const yaml = yamlLibrary()
  if (text.trim() === '')
    return new yaml.Document({ apiVersion: 'v1', kind: 'Config', clusters: [], contexts: [], 'current-context': '', preferences: {}, users: [] })
  const doc = yaml.parseDocument(text)
  if (doc.errors.length) throw new Error(`${where} is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`)
  if (!yaml.isMap(doc.contents)) throw new Error(`${where} is not a kubeconfig (a YAML mapping with clusters, contexts and users)`)
  return doc
}

/** The list under `key` (created when missing or null); throws when it is something else. */
function listOf(doc: Document, key: string, where: string) {
  const yaml = yamlLibrary()
  let seq = doc.get(key, true)
  if (seq === undefined || seq === null || (yaml.isScalar(seq) && seq.value === null)) {
    seq = doc.createNode([])
    doc.set(key, seq)
  }
  if (!yaml.isSeq(seq)) throw new Error(`${where}: ${key} is not a list`)
  return seq
}

/** The `name` of a list entry, when it is a mapping with a string name. */
function nameOf(item: unknown): string | undefined {
  const yaml = yamlLibrary()
  if (!yaml.isMap(item)) return undefined
  const name = (item as YAMLMap).get('name')
  return typeof name === 'string' ? name : undefined
}

/**
 * `existing` with the entries' clusters, users and contexts replaced (same name) or appended and
 * the current context set to the first entry, like kind's kubeconfig merge
 * (sigs.k8s.io/kind pkg/cluster/internal/kubeconfig/internal/kubeconfig/merge.go). Every other
 * entry, field and comment stays as it was. Must not be given an empty `entries`.
 */
export function mergeKubeconfig(existing: string, entries: KubeconfigEntry[], where = 'the kubeconfig'): string {
  const doc = parseKubeconfig(existing, where)
  if (!doc.has('apiVersion')) doc.set('apiVersion', 'v1')
  if (!doc.has('kind')) doc.set('kind', 'Config')
  const lists = { cluster: listOf(doc, 'clusters', where), context: listOf(doc, 'contexts', where), user: listOf(doc, 'users', where) }
  for (const e of entries) {
    const parts = entryParts(e)
    for (const key of ['cluster', 'context', 'user'] as const) {
      const seq = lists[key]
      const node = doc.createNode(parts[key])
      const i = seq.items.findIndex((it) => nameOf(it) === e.name)
      if (i >= 0) seq.items[i] = node
      else seq.items.push(node)
    }
  }
  doc.set('current-context', entries[0].name)
  return doc.toString({ indentSeq: false })
}

/**
 * `existing` without the clusters, users and contexts whose names `remove` accepts, and with
 * `current-context` emptied when it named one of them (kind's RemoveKIND does the same).
 * `removed` lists the context names taken out; `text` is `existing` unchanged when nothing matched.
 */
export function removeKubeconfigEntries(existing: string, remove: (name: string) => boolean, where = 'the kubeconfig'): { text: string; removed: string[] } {
  if (existing.trim() === '') return { text: existing, removed: [] }
  const yaml = yamlLibrary()
  const doc = parseKubeconfig(existing, where)
  const removed: string[] = []
  let changed = false
  for (const key of ['clusters', 'contexts', 'users']) {
    const seq = doc.get(key, true)
    if (!yaml.isSeq(seq)) continue
    const kept = seq.items.filter((it) => {
      const name = nameOf(it)
      if (name === undefined || !remove(name)) return true
      if (key === 'contexts') removed.push(name)
      changed = true
      return false
    })
    seq.items = kept
  }
  const current = doc.get('current-context')
  if (typeof current === 'string' && current !== '' && remove(current)) {
    doc.set('current-context', '')
    changed = true
  }
  return { text: changed ? doc.toString({ indentSeq: false }) : existing, removed }
}

/** The text of `path`, or '' when there is no such file. */
export function readKubeconfigFile(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : ''
}

/**
 * Writes `text` to `path` with mode 0600 atomically: a temporary file in the same directory,
 * then a rename, so a reader (or a crash) never sees half a kubeconfig. A symlinked `path` is
 * written through to its target.
 */
export function writeKubeconfigFile(path: string, text: string): void {
  const target = existsSync(path) ? realpathSync(path) : path
  mkdirSync(dirname(target), { recursive: true })
  const tmp = `${target}.kubemock-${process.pid}.tmp`
  try {
    // A leftover from a crash would keep its own mode: the mode option applies to new files only.
    rmSync(tmp, { force: true })
    writeFileSync(tmp, text, { mode: 0o600 })
    renameSync(tmp, target)
  } catch (err) {
    rmSync(tmp, { force: true })
    throw err
  }
}
