/** @module volume-files: the files the kubelet mounts into a container from its volumes (configMap and secret keys → files under the mount path; hostPath → the node's files). */
import type { Pod, Volume } from 'kubernetes-types/core/v1.js'
import type { Registry } from '../../registry/registry.js'
import { nodeHostFacts, nodeRootFiles } from '../node-host.js'
import type { FileSpec } from './behaviours.js'
import { resolvePath } from './fs.js'
import { podContainerSpec } from './pod-container-spec.js'

/** The key → content map of a configMap or secret volume (undefined when the object is missing). */
function volumeData(
  registry: Registry,
  ns: string,
  v: Volume,
): { data: Record<string, string>; items?: { key: string; path: string }[]; mode?: number } | undefined {
  if (v.configMap) {
    const cm = registry.find('', 'configmaps')?.getStored(ns, v.configMap.name ?? '')?.obj as { data?: Record<string, string> } | undefined
    return cm && { data: cm.data ?? {}, items: v.configMap.items, mode: v.configMap.defaultMode }
  }
  if (v.secret) {
    const s = registry.find('', 'secrets')?.getStored(ns, v.secret.secretName ?? '')?.obj as { data?: Record<string, string> } | undefined
    if (!s) return undefined
    const data = Object.fromEntries(Object.entries(s.data ?? {}).map(([k, b64]) => [k, Buffer.from(b64, 'base64').toString('utf8')]))
    return { data, items: v.secret.items, mode: v.secret.defaultMode }
  }
  return undefined
}

/**
 * Files of container `name`'s configMap and secret mounts: one file per key (or per `items`
 * entry) under the mount path; with `subPath` the mount path is that one key's file. (The
 * kubelet's atomic writer also makes `..data` symlinks; those are not simulated.)
 */
export function volumeFiles(registry: Registry, pod: Pod | undefined, name: string): Record<string, FileSpec> {
  const c = podContainerSpec(pod, name)
  const out: Record<string, FileSpec> = {}
  for (const m of c?.volumeMounts ?? []) {
    const v = pod?.spec?.volumes?.find((x) => x.name === m.name)
    const vol = v && volumeData(registry, pod?.metadata?.namespace ?? '', v)
    if (!vol) continue
    const mode = vol.mode ?? 0o644
    const files = vol.items ? vol.items.map((i) => [i.path, vol.data[i.key]] as const) : Object.entries(vol.data)
    const root = m.mountPath.replace(/\/+$/, '')
    if (m.subPath) {
      const content = Object.fromEntries(files)[m.subPath]
      if (content !== undefined) out[root] = { content, mode }
      continue
    }
    out[root] = { dir: true }
    for (const [path, content] of files) if (content !== undefined) out[`${root}/${path}`] = { content, mode }
  }
  return out
}

/** What container `name`'s `hostPath` volumes mount: the node's files under the volume's path, at the mount path. */
export function hostPathFiles(registry: Registry, pod: Pod | undefined, name: string, nodeName: string | undefined): Record<string, FileSpec> {
  const out: Record<string, FileSpec> = {}
  const hostPaths = (podContainerSpec(pod, name)?.volumeMounts ?? []).flatMap((m) => {
    const path = pod?.spec?.volumes?.find((v) => v.name === m.name)?.hostPath?.path
    return path ? [{ from: resolvePath(path), to: resolvePath(m.mountPath) }] : []
  })
  if (hostPaths.length === 0 || !nodeName) return out
  const node = registry.find('', 'nodes')?.getStored('', nodeName)?.obj
  const files = nodeRootFiles(nodeHostFacts(node, nodeName))
  for (const { from, to } of hostPaths) {
    out[to] = { dir: true }
    const prefix = from === '/' ? '/' : `${from}/`
    for (const [path, spec] of Object.entries(files)) {
      if (path.startsWith(prefix)) out[`${to === '/' ? '' : to}/${path.slice(prefix.length)}`] = spec
    }
  }
  return out
}
