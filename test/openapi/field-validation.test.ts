/** @module field-validation.test: unknown fields, type errors and pruning as kube-apiserver's strict decoder reports them. */
import { describe, expect, it } from 'vitest'
import { checkUnknownFields, pruneUnknownFields, warmFieldValidation } from '../../src/openapi/field-validation.js'

const deploymentGVK = { group: 'apps', version: 'v1', kind: 'Deployment' }
const podGVK = { group: '', version: 'v1', kind: 'Pod' }

function deployment(
  extra: { spec?: Record<string, unknown>; container?: Record<string, unknown>; podSpec?: Record<string, unknown> } = {},
): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.15.12', ports: [{ containerPort: 80 }], ...extra.container }], ...extra.podSpec },
      },
      ...extra.spec,
    },
  }
}

describe('checkUnknownFields', () => {
  it('accepts a valid Deployment', () => {
    expect(checkUnknownFields(deploymentGVK, deployment())).toEqual({ unknownFields: [], typeErrors: [] })
  })

  it('reports a misspelt field with its dotted path (the field_validation_test.go example)', () => {
    const obj = deployment({ podSpec: { conainters: [{ name: 'x' }] } })
    expect(checkUnknownFields(deploymentGVK, obj).unknownFields).toEqual(['spec.template.spec.conainters'])
  })

  it('reports nested unknowns with [i] for list items, in document order', () => {
    const obj = deployment({ spec: { unknown1: 'a' }, container: { unknownNested: true } })
    // spec.unknown1 comes after template in the document, so after the nested container field.
    expect(checkUnknownFields(deploymentGVK, obj).unknownFields).toEqual(['spec.template.spec.containers[0].unknownNested', 'spec.unknown1'])
    const first = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x', zzz: 1 },
      spec: { unknown1: 1, template: { spec: { containers: [{ name: 'a' }, { name: 'b', nope: 1 }] } } },
    }
    expect(checkUnknownFields(deploymentGVK, first).unknownFields).toEqual(['metadata.zzz', 'spec.unknown1', 'spec.template.spec.containers[1].nope'])
  })

  it('lets maps take any key: labels, annotations, nodeSelector, resource lists, ConfigMap data', () => {
    const obj = deployment({
      container: { resources: { limits: { cpu: '500m', 'example.com/gpu': 1 }, requests: { memory: '64Mi' } } },
      podSpec: { nodeSelector: { 'kubernetes.io/os': 'linux' } },
    })
    ;(obj.metadata as Record<string, unknown>).annotations = { 'kubernetes.io/change-cause': 'x', 'any/key.with.dots': 'y' }
    expect(checkUnknownFields(deploymentGVK, obj)).toEqual({ unknownFields: [], typeErrors: [] })
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'index.html': 'hi', 'a.b': 'c' } }
    expect(checkUnknownFields({ group: '', version: 'v1', kind: 'ConfigMap' }, cm).unknownFields).toEqual([])
  })

  it('accepts IntOrString as number or string and Quantity as string or number', () => {
    for (const v of ['25%', 1]) {
      const obj = deployment({ spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: v, maxUnavailable: v } } } })
      expect(checkUnknownFields(deploymentGVK, obj)).toEqual({ unknownFields: [], typeErrors: [] })
    }
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: {
        ports: [
          { port: 80, targetPort: 'http' },
          { port: 81, targetPort: 8081 },
        ],
      },
    }
    expect(checkUnknownFields({ group: '', version: 'v1', kind: 'Service' }, svc)).toEqual({ unknownFields: [], typeErrors: [] })
    const bad = deployment({ spec: { strategy: { rollingUpdate: { maxSurge: true } } } })
    expect(checkUnknownFields(deploymentGVK, bad).typeErrors.map((e) => e.path)).toEqual(['spec.strategy.rollingUpdate.maxSurge'])
  })

  it('validates status like the rest, and lets free-form fields (RawExtension) hold anything', () => {
    const obj = { ...deployment(), status: { replicas: 1, bogus: 2 } }
    expect(checkUnknownFields(deploymentGVK, obj).unknownFields).toEqual(['status.bogus'])
    const rev = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, revision: 1, data: { spec: { anything: { goes: [1, 'x'] } } } }
    expect(checkUnknownFields({ group: 'apps', version: 'v1', kind: 'ControllerRevision' }, rev)).toEqual({ unknownFields: [], typeErrors: [] })
  })

  it('accepts null anywhere, as Go decodes null to the zero value', () => {
    const obj = deployment({ spec: { replicas: null, strategy: null }, container: { args: null } })
    expect(checkUnknownFields(deploymentGVK, obj)).toEqual({ unknownFields: [], typeErrors: [] })
  })

  it('knows fields Kubernetes 1.31/1.32 added after kubernetes-types 1.30, and rejects ones 1.32 dropped', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'i' }], resources: { limits: { cpu: '1' } } },
    }
    expect(checkUnknownFields(podGVK, pod).unknownFields).toEqual([])
    const claim = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [], resourceClaims: [{ name: 'a', source: {} }] } }
    expect(checkUnknownFields(podGVK, claim).unknownFields).toEqual(['spec.resourceClaims[0].source'])
  })

  it('renders type errors as encoding/json does', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 3 },
      spec: { containers: [{ name: 'c', image: 'i', args: [1], ports: [{ containerPort: 80.5 }] }] },
    }
    const { typeErrors } = checkUnknownFields(podGVK, pod)
    expect(typeErrors).toEqual([
      {
        path: 'metadata.name',
        found: 'number',
        goType: 'string',
        message: 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string',
      },
      {
        path: 'spec.containers[0].args[0]',
        found: 'number',
        goType: 'string',
        message: 'json: cannot unmarshal number into Go struct field Container.spec.containers.args of type string',
      },
      {
        path: 'spec.containers[0].ports[0].containerPort',
        found: 'number 80.5',
        goType: 'int32',
        message: 'json: cannot unmarshal number 80.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
      },
    ])
    const wrongShape = { apiVersion: 'v1', kind: 'Pod', metadata: { labels: { a: 1 } }, spec: { containers: {} } }
    expect(checkUnknownFields(podGVK, wrongShape).typeErrors.map((e) => e.message)).toEqual([
      'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
      'json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container',
    ])
  })

  it('returns nothing for kinds without a schema', () => {
    expect(checkUnknownFields({ group: 'example.com', version: 'v1', kind: 'Widget' }, { anything: 1 })).toEqual({ unknownFields: [], typeErrors: [] })
  })

  it('never mutates its input', () => {
    const obj = deployment({ podSpec: { conainters: [] } })
    const copy = structuredClone(obj)
    checkUnknownFields(deploymentGVK, obj)
    expect(obj).toEqual(copy)
  })

  it('validates a typical Deployment well under 1 ms once compiled', () => {
    warmFieldValidation([deploymentGVK])
    const obj = deployment({ container: { env: [{ name: 'A', value: 'b' }], resources: { limits: { cpu: '1' } } } })
    const n = 500
    const start = performance.now()
    for (let i = 0; i < n; i++) checkUnknownFields(deploymentGVK, obj)
    expect((performance.now() - start) / n).toBeLessThan(1)
  })
})

describe('pruneUnknownFields', () => {
  it('drops unknown fields in place and keeps everything known, map keys included', () => {
    const obj = deployment({ spec: { unknown1: 'a' }, container: { unknownNested: true }, podSpec: { conainters: [] } })
    ;(obj.metadata as Record<string, unknown>).annotations = { 'x/y': 'z' }
    pruneUnknownFields(deploymentGVK, obj)
    const expected = deployment()
    ;(expected.metadata as Record<string, unknown>).annotations = { 'x/y': 'z' }
    expect(obj).toEqual(expected)
    expect(checkUnknownFields(deploymentGVK, obj).unknownFields).toEqual([])
  })

  it('leaves values of the wrong type alone (they are decode errors, not unknown fields)', () => {
    const obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 3 }, spec: { containers: [] } }
    pruneUnknownFields(podGVK, obj)
    expect(obj.metadata.name).toBe(3)
  })
})
