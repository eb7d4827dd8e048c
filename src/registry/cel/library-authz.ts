/**
 * @module library-authz: Kubernetes' CEL authorizer library (`authorizer.group(g).resource(r)
 * .namespace(ns).name(n).check(verb).allowed()`, `authorizer.path(p)`, `serviceAccount`).
 * Authorization is not simulated yet, so every check is allowed, as for a cluster admin.
 * https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/cel/library/authz.go
 */
import { celMethod, CelScalar, type CelFunc } from '@bufbuild/cel'
import { kubeText, kubeTypes, kubeValue, type KubeTypeName } from './kube-types.js'

const { STRING, BOOL } = CelScalar
const { authorizer, pathCheck, groupCheck, resourceCheck, decision } = kubeTypes

/** The fields a check has gathered so far (kept as JSON in the value's text). */
type CheckFields = Record<string, string>

function fields(v: unknown, type: KubeTypeName): CheckFields {
  return JSON.parse(kubeText(v, type) || '{}') as CheckFields
}

function withField(type: KubeTypeName, v: unknown, key: string, value: string) {
  return kubeValue(type, JSON.stringify({ ...fields(v, type), [key]: value }))
}

/** The authorizer value bound to the `authorizer` variable. */
export function authorizerValue() {
  return kubeValue('authorizer', '{}')
}

/** `authorizer.requestResource`: a resource check for the request's own resource. */
export function requestResourceValue(r: { group: string; resource: string; subresource?: string; namespace: string; name: string }) {
  return kubeValue(
    'resourceCheck',
    JSON.stringify({ group: r.group, resource: r.resource, subresource: r.subresource ?? '', namespace: r.namespace, name: r.name }),
  )
}

const allowed = () => kubeValue('decision', JSON.stringify({ allowed: true, reason: '' }))

/** The authorizer library's functions. */
export const authzLibrary: CelFunc[] = [
  celMethod('path', authorizer, [STRING], pathCheck, (p) => kubeValue('pathCheck', JSON.stringify({ path: p }))),
  celMethod('group', authorizer, [STRING], groupCheck, (g) => kubeValue('groupCheck', JSON.stringify({ group: g }))),
  celMethod('serviceAccount', authorizer, [STRING, STRING], authorizer, (ns, name) =>
    kubeValue('authorizer', JSON.stringify({ user: `system:serviceaccount:${ns}:${name}` })),
  ),
  celMethod('resource', groupCheck, [STRING], resourceCheck, function (r) {
    return kubeValue('resourceCheck', JSON.stringify({ ...fields(this, 'groupCheck'), resource: r }))
  }),
  celMethod('subresource', resourceCheck, [STRING], resourceCheck, function (s) {
    return withField('resourceCheck', this, 'subresource', s)
  }),
  celMethod('namespace', resourceCheck, [STRING], resourceCheck, function (s) {
    return withField('resourceCheck', this, 'namespace', s)
  }),
  celMethod('name', resourceCheck, [STRING], resourceCheck, function (s) {
    return withField('resourceCheck', this, 'name', s)
  }),
  celMethod('check', resourceCheck, [STRING], decision, () => allowed()),
  celMethod('check', pathCheck, [STRING], decision, () => allowed()),
  celMethod('allowed', decision, [], BOOL, function () {
    return fields(this, 'decision').allowed as unknown as boolean
  }),
  celMethod('reason', decision, [], STRING, function () {
    return fields(this, 'decision').reason ?? ''
  }),
  celMethod('errored', decision, [], BOOL, () => false),
  celMethod('error', decision, [], STRING, () => ''),
]
