/** @module crd-fixtures: the real prometheus-operator CRDs and examples, and a CronTab schema builder for the schema tests. */
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

const dir = new URL('../../../../../shared/data/crds/prometheus-operator-v0.93.0/', import.meta.url)

/** A CRD or example from the prometheus-operator v0.93.0 set. */
export function loadYAML(file: string): Record<string, unknown> {
  return parse(readFileSync(new URL(file, dir), 'utf8')) as Record<string, unknown>
}

/** The prometheus-operator CRD plurals stored in shared/data. */
export const prometheusCRDs = ['podmonitors', 'probes', 'prometheuses', 'prometheusrules', 'servicemonitors']

/** The served versions of a CRD with their openAPIV3Schema. */
export function versionsOf(crd: Record<string, unknown>): { name: string; schema: Record<string, unknown>; status: boolean }[] {
  const spec = crd.spec as { versions: { name: string; schema: { openAPIV3Schema: Record<string, unknown> }; subresources?: { status?: unknown } }[] }
  return spec.versions.map((v) => ({ name: v.name, schema: v.schema.openAPIV3Schema, status: !!v.subresources?.status }))
}

/** The root schema of a CRD whose spec is `spec`. */
export function rootWith(spec: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'object', properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec, ...extra } }
}
