/** @module definitions.test: generated schemas against the upstream 1.32 OpenAPI v3 documents. */
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { definitionForKind, loadDefinitions, referenceClosure, type SchemaObject } from '../../src/openapi/definitions.js'

const upstreamDir = fileURLToPath(new URL('../../../shared/k8s-openapi/v3/', import.meta.url))
const haveUpstream = existsSync(upstreamDir)

function upstreamSchemas(file: string): Record<string, SchemaObject> {
  return (JSON.parse(readFileSync(upstreamDir + file, 'utf8')) as { components: { schemas: Record<string, SchemaObject> } }).components.schemas
}

/** Fields kubernetes-types 1.30 lacks that the generator fills from the Go structs; none expected missing today. */
const allowedMissing: string[] = []

const compared: [string, string][] = [
  ['api__v1_openapi.json', 'io.k8s.api.core.v1.Pod'],
  ['api__v1_openapi.json', 'io.k8s.api.core.v1.PodSpec'],
  ['api__v1_openapi.json', 'io.k8s.api.core.v1.Container'],
  ['api__v1_openapi.json', 'io.k8s.api.core.v1.Node'],
  ['api__v1_openapi.json', 'io.k8s.api.core.v1.NodeStatus'],
  ['api__v1_openapi.json', 'io.k8s.api.core.v1.ServiceSpec'],
  ['api__v1_openapi.json', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'],
  ['apis__apps__v1_openapi.json', 'io.k8s.api.apps.v1.Deployment'],
  ['apis__apps__v1_openapi.json', 'io.k8s.api.apps.v1.DeploymentSpec'],
  ['apis__apps__v1_openapi.json', 'io.k8s.api.apps.v1.DeploymentStatus'],
]

/** The bits of a property schema that matter to clients: type, format, reference and patch/list extensions. */
function shape(p: SchemaObject | undefined): unknown {
  if (!p) return undefined
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(p)) {
    if (k === 'description' || k === 'default') continue
    if (k === 'allOf') Object.assign(out, shape((v as SchemaObject[])[0]) as object)
    else if (k === 'items' || k === 'additionalProperties') out[k] = shape(v as SchemaObject)
    else out[k] = v
  }
  return out
}

describe.skipIf(!haveUpstream)('definitions.json against upstream v1.32 (../shared/k8s-openapi)', () => {
  const ours = loadDefinitions()

  it.each(compared)('%s %s: same properties, required, types and patch metadata', (file, name) => {
    const up = upstreamSchemas(file)[name]
    const mine = ours[name]
    expect(mine, name).toBeDefined()
    const upProps = Object.keys(up.properties ?? {}).sort()
    const myProps = Object.keys(mine.properties ?? {}).sort()
    expect(myProps).toEqual(upProps.filter((p) => !allowedMissing.includes(`${name}.${p}`)))
    expect(mine.required ?? []).toEqual(up.required ?? [])
    for (const p of upProps) expect(shape(mine.properties![p]), `${name}.${p}`).toEqual(shape(up.properties![p]))
  })

  it('has every definition the upstream apps/v1 and policy/v1 documents carry', () => {
    for (const file of ['apis__apps__v1_openapi.json', 'apis__policy__v1_openapi.json', 'apis__coordination.k8s.io__v1_openapi.json']) {
      for (const name of Object.keys(upstreamSchemas(file))) expect(ours[name], `${file}: ${name}`).toBeDefined()
    }
  })

  it('matches the upstream merge keys and strategies on every property of every shared definition', () => {
    const up = upstreamSchemas('api__v1_openapi.json')
    const keys = [
      'x-kubernetes-patch-merge-key',
      'x-kubernetes-patch-strategy',
      'x-kubernetes-list-type',
      'x-kubernetes-list-map-keys',
      'x-kubernetes-map-type',
    ]
    let checked = 0
    for (const [name, def] of Object.entries(up)) {
      for (const [prop, schema] of Object.entries(def.properties ?? {})) {
        const mine = ours[name]?.properties?.[prop]
        if (!mine) continue
        for (const k of keys) expect(mine[k], `${name}.${prop} ${k}`).toEqual(schema[k])
        checked++
      }
    }
    expect(checked).toBeGreaterThan(1000)
  })
})

describe('definitions.json shape', () => {
  const defs = loadDefinitions()

  it('uses the upstream forms for IntOrString, Quantity, Time and free-form objects', () => {
    expect(defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({ format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] })
    expect(defs['io.k8s.apimachinery.pkg.api.resource.Quantity']).toMatchObject({ oneOf: [{ type: 'string' }, { type: 'number' }] })
    expect(defs['io.k8s.apimachinery.pkg.apis.meta.v1.Time']).toMatchObject({ type: 'string', format: 'date-time' })
    expect(defs['io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime']).toMatchObject({ type: 'string', format: 'date-time' })
    expect(defs['io.k8s.apimachinery.pkg.runtime.RawExtension']).toMatchObject({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true })
    expect(defs['io.k8s.api.core.v1.ServicePort'].properties!.targetPort).toMatchObject({
      allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString' }],
    })
  })

  it('tags every top-level kind with its GVK and finds definitions by GVK', () => {
    expect(definitionForKind({ group: '', version: 'v1', kind: 'Pod' })).toBe('io.k8s.api.core.v1.Pod')
    expect(definitionForKind({ group: 'apps', version: 'v1', kind: 'DeploymentList' })).toBe('io.k8s.api.apps.v1.DeploymentList')
    expect(definitionForKind({ group: 'events.k8s.io', version: 'v1', kind: 'Event' })).toBe('io.k8s.api.events.v1.Event')
    expect(definitionForKind({ group: 'autoscaling', version: 'v1', kind: 'Scale' })).toBe('io.k8s.api.autoscaling.v1.Scale')
    expect(definitionForKind({ group: '', version: 'v1', kind: 'Status' })).toBe('io.k8s.apimachinery.pkg.apis.meta.v1.Status')
  })

  it('carries the SMP metadata from the Go struct tags', () => {
    const prop = (def: string, p: string): SchemaObject => defs[def].properties![p]
    expect(prop('io.k8s.api.core.v1.PodSpec', 'volumes')).toMatchObject({
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge,retainKeys',
    })
    expect(prop('io.k8s.api.core.v1.Container', 'ports')).toMatchObject({
      'x-kubernetes-patch-merge-key': 'containerPort',
      'x-kubernetes-patch-strategy': 'merge',
    })
    expect(prop('io.k8s.api.core.v1.Container', 'volumeMounts')).toMatchObject({ 'x-kubernetes-patch-merge-key': 'mountPath' })
    expect(prop('io.k8s.api.core.v1.PodSpec', 'tolerations')).toMatchObject({ 'x-kubernetes-list-type': 'atomic' })
    expect(prop('io.k8s.api.core.v1.PodSpec', 'tolerations')).not.toHaveProperty('x-kubernetes-patch-strategy')
    expect(prop('io.k8s.api.apps.v1.DeploymentSpec', 'strategy')).toMatchObject({ 'x-kubernetes-patch-strategy': 'retainKeys' })
    expect(prop('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'ownerReferences')).toMatchObject({ 'x-kubernetes-patch-merge-key': 'uid' })
    expect(prop('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'finalizers')).toMatchObject({ 'x-kubernetes-patch-strategy': 'merge' })
    expect(prop('io.k8s.api.core.v1.ServiceSpec', 'ports')).toMatchObject({ 'x-kubernetes-patch-merge-key': 'port' })
  })

  it('has no dangling references', () => {
    expect(() => referenceClosure(Object.keys(defs))).not.toThrow()
  })
})
