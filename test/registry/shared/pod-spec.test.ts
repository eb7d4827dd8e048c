import { describe, expect, it } from 'vitest'
import type { PodSpec } from 'kubernetes-types/core/v1.js'
import { fieldErrorString } from '../../../src/errors.js'
import { defaultPodSpec, imageTag, validatePodSpec, validatePodTemplateSpec } from '../../../src/registry/shared/pod-spec.js'

const defaulted = (spec: PodSpec, template = true): PodSpec => {
  defaultPodSpec(spec, { template })
  return spec
}

describe('defaultPodSpec', () => {
  it('fills the PodSpec and container defaults', () => {
    const spec = defaulted({ containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { port: 80 } } }] })
    expect(spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
    })
    expect(spec.containers[0]).toEqual({
      name: 'web',
      image: 'nginx',
      imagePullPolicy: 'Always',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      resources: {},
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      readinessProbe: { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
    })
    expect(spec.enableServiceLinks).toBeUndefined()
  })
  it('picks imagePullPolicy from the tag', () => {
    expect(imageTag('nginx:1.25')).toBe('1.25')
    expect(imageTag('localhost:5000/app')).toBe('latest')
    expect(imageTag('nginx@sha256:abc')).toBe('')
    expect(defaulted({ containers: [{ name: 'a', image: 'nginx:1.25' }] }).containers[0].imagePullPolicy).toBe('IfNotPresent')
    expect(defaulted({ containers: [{ name: 'a', image: 'nginx:latest' }] }).containers[0].imagePullPolicy).toBe('Always')
  })
  it('applies the Pod-only defaults when not a template', () => {
    const spec = defaulted({ containers: [{ name: 'a', image: 'x:1', resources: { limits: { cpu: '500m' }, requests: { memory: '64Mi' } } }] }, false)
    expect(spec.enableServiceLinks).toBe(true)
    expect(spec.containers[0].resources).toEqual({ limits: { cpu: '500m' }, requests: { memory: '64Mi', cpu: '500m' } })
  })
  it('keeps user values and is idempotent', () => {
    const spec = defaulted({ restartPolicy: 'Never', containers: [{ name: 'a', image: 'x:1', imagePullPolicy: 'Never' }] })
    const again = structuredClone(spec)
    defaultPodSpec(again, { template: true })
    expect(again).toEqual(spec)
    expect(spec.restartPolicy).toBe('Never')
    expect(spec.containers[0].imagePullPolicy).toBe('Never')
  })
  it('defaults volume sources', () => {
    const spec = defaulted({ containers: [{ name: 'a', image: 'x:1' }], volumes: [{ name: 'tmp' }, { name: 'cfg', configMap: { name: 'c' } }] })
    expect(spec.volumes).toEqual([
      { name: 'tmp', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } },
    ])
  })
})

describe('validatePodSpec', () => {
  const errs = (spec: PodSpec, path = 'spec'): string[] => validatePodSpec(defaulted(spec), path).map(fieldErrorString)

  it('accepts a minimal defaulted spec', () => {
    expect(errs({ containers: [{ name: 'web', image: 'nginx' }] })).toEqual([])
  })
  it('requires containers', () => {
    expect(errs({ containers: [] })).toEqual(['spec.containers: Required value'])
  })
  it('requires container name and image, rejects bad and duplicate names', () => {
    expect(errs({ containers: [{ name: '', image: '' }] })).toEqual(['spec.containers[0].name: Required value', 'spec.containers[0].image: Required value'])
    expect(errs({ containers: [{ name: 'Web_1', image: 'x' }] })[0]).toMatch(
      /^spec\.containers\[0\]\.name: Invalid value: "Web_1": a lowercase RFC 1123 label must consist of/,
    )
    expect(
      errs({
        containers: [
          { name: 'a', image: 'x' },
          { name: 'a', image: 'y' },
        ],
      }),
    ).toEqual(['spec.containers[1].name: Duplicate value: "a"'])
  })
  it('checks ports', () => {
    expect(errs({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 70000 }, { containerPort: 80, protocol: 'HTTP' }] }] })).toEqual([
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
    ])
  })
  it('rejects an unknown restartPolicy with the real text', () => {
    expect(errs({ restartPolicy: 'Sometimes', containers: [{ name: 'a', image: 'x' }] })).toEqual([
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ])
  })
  it('requires mounted volumes to exist', () => {
    expect(errs({ containers: [{ name: 'a', image: 'x', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] })).toEqual([
      'spec.containers[0].volumeMounts[0].name: Not found: "data"',
    ])
  })
  it('requests must not exceed limits', () => {
    expect(errs({ containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] })).toEqual([
      'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
    ])
  })
  it('uses the given path for templates', () => {
    expect(errs({ containers: [] }, 'spec.template.spec')).toEqual(['spec.template.spec.containers: Required value'])
  })
})

describe('validatePodTemplateSpec', () => {
  it('reports a selector that does not match the template labels', () => {
    const tpl = { metadata: { labels: { app: 'x' } }, spec: defaulted({ containers: [{ name: 'a', image: 'x' }] }) }
    const errs = validatePodTemplateSpec(tpl, 'spec.template', { matchLabels: { app: 'web' } })
    expect(errs).toEqual([
      { type: 'FieldValueInvalid', field: 'spec.template.metadata.labels', badValue: { app: 'x' }, detail: '`selector` does not match template `labels`' },
    ])
  })
  it('accepts matching selectors, including expressions', () => {
    const tpl = { metadata: { labels: { app: 'web', tier: 'a' } }, spec: defaulted({ containers: [{ name: 'a', image: 'x' }] }) }
    expect(
      validatePodTemplateSpec(tpl, 'spec.template', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }),
    ).toEqual([])
  })
  it('validates the nested pod spec', () => {
    const tpl = { metadata: { labels: { app: 'web' } }, spec: defaulted({ containers: [{ name: 'a', image: '' }] }) }
    expect(validatePodTemplateSpec(tpl, 'spec.template').map(fieldErrorString)).toEqual(['spec.template.spec.containers[0].image: Required value'])
  })
})
