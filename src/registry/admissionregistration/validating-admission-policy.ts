/**
 * @module validating-admission-policy: the ValidatingAdmissionPolicy admission plugin: every binding
 * whose policy and match resources select the write evaluates the policy's matchConditions,
 * variables and validations (CEL) with `object`, `oldObject`, `request`, `params`,
 * `namespaceObject`, `variables` and `authorizer`, and Denies, Warns or Audits what fails.
 * https://github.com/kubernetes/kubernetes/tree/master/staging/src/k8s.io/apiserver/pkg/admission/plugin/policy/validating
 */
import type { CelValue } from '@bufbuild/cel'
import { StatusError } from '../../errors.js'
import type { KubeObject } from '../../types.js'
import type { AdmissionAttributes, AdmissionPlugin } from '../admission.js'
import type { CelProgram } from '../cel/compile-expression.js'
import { cel, celLoaded, loadCel } from '../cel/load-cel.js'
import type { Registry } from '../registry.js'
import { labelSelectorMatches } from '../shared/label-selector-match.js'
import { matchesResources, namespaceObjectFor } from './policy-matching.js'
import type { PolicyExpression, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from './policy-types.js'
import { policyVariables } from './policy-validation.js'

const group = 'admissionregistration.k8s.io'
const decls = Object.fromEntries(policyVariables(true).map((v) => [v, null]))
const programs = new Map<string, CelProgram | { error: string }>()

function program(expr: string): CelProgram | { error: string } {
  let p = programs.get(expr)
  if (!p) {
    const c = cel().compileCel(expr, decls)
    p = 'error' in c ? c : c.program
    if (programs.size > 2000) programs.clear()
    programs.set(expr, p)
  }
  return p
}

/** Runs `expr`; an error (compile or evaluation) comes back as its text. */
function run(expr: string, bindings: Record<string, unknown>): { value: CelValue } | { error: string } {
  const p = program(expr)
  if ('error' in p) return { error: `compilation error: ${p.error}` }
  try {
    return { value: p.run(bindings) }
  } catch (e) {
    if (e instanceof cel().CelEvaluationError) return { error: e.message }
    throw e
  }
}

const reasonCodes: Record<string, number> = { Unauthorized: 401, Forbidden: 403, Invalid: 422, RequestEntityTooLarge: 413 }

function requestOf(registry: Registry, a: AdmissionAttributes): Record<string, unknown> {
  const def = registry.find(a.resource.group, a.resource.resource)?.def
  const version = def?.version ?? ''
  const kind = { group: a.resource.group, version, kind: a.kind }
  const resource = { group: a.resource.group, version, resource: a.resource.resource }
  // The object is evaluated in its storage version; the request names the version it came in at.
  const requestVersion = a.version ?? version
  return {
    kind,
    resource,
    subResource: a.subresource ?? '',
    requestKind: { ...kind, version: requestVersion },
    requestResource: { ...resource, version: requestVersion },
    name: a.name,
    namespace: a.namespace,
    operation: a.operation,
    userInfo: a.user ? { username: a.user.username, uid: a.user.uid, groups: a.user.groups, extra: a.user.extra ?? {} } : {},
    dryRun: a.dryRun,
    options: a.options ?? null,
  }
}

/** The params of a binding: one object, a selected list, or a refusal when none is found and the action is Deny. */
function paramsFor(
  registry: Registry,
  policy: ValidatingAdmissionPolicy,
  binding: ValidatingAdmissionPolicyBinding,
  a: AdmissionAttributes,
): (KubeObject | null)[] | 'allow' | string {
  const kind = policy.spec?.paramKind
  if (!kind) return [null]
  const ref = binding.spec?.paramRef
  if (!ref) return 'failed to configure binding: no paramRef specified'
  const rs = registry.forKind(kind.apiVersion ?? '', kind.kind ?? '')
  if (!rs) return `failed to configure policy: failed to find resource referenced by paramKind: '${kind.apiVersion}, Kind=${kind.kind}'`
  const ns = rs.def.namespaced ? (ref.namespace ?? a.namespace) : ''
  let found: KubeObject[]
  if (ref.name) {
    const o = rs.getStored(ns, ref.name)?.obj
    found = o ? [o] : []
  } else {
    found = registry.store
      .list(rs.key)
      .map((s) => s.obj)
      .filter((o) => (!rs.def.namespaced || o.metadata.namespace === ns) && labelSelectorMatches(ref.selector, o.metadata.labels ?? {}))
  }
  if (found.length) return found
  if (ref.parameterNotFoundAction === 'Deny') return 'no params found for policy binding with `Deny` parameterNotFoundAction'
  return 'allow'
}

interface Failure {
  message: string
  reason: string
}

/** Evaluates one policy for one params object: undefined when it admits, else the failures. */
function evaluate(policy: ValidatingAdmissionPolicy, base: Record<string, unknown>, params: KubeObject | null): Failure[] {
  const spec = policy.spec ?? {}
  const bindings: Record<string, unknown> = { ...base, params }
  // Variables are evaluated in order; a later one (and every expression) sees the earlier ones.
  const vars = new Map<string, CelValue>()
  bindings.variables = vars
  const failClosed = spec.failurePolicy !== 'Ignore'
  const failures: Failure[] = []
  for (const v of spec.variables ?? []) {
    const r = run(v.expression ?? '', bindings)
    if ('value' in r) vars.set(v.name ?? '', r.value)
  }
  for (const m of spec.matchConditions ?? []) {
    const r = run(m.expression ?? '', bindings)
    if ('error' in r) {
      if (failClosed) return [{ message: `failed to evaluate matchCondition '${m.name}': ${r.error}`, reason: 'Invalid' }]
      return []
    }
    if (r.value !== true) return []
  }
  for (const v of spec.validations ?? []) {
    const r = run(v.expression ?? '', bindings)
    if ('error' in r) {
      if (failClosed) failures.push({ message: `expression '${v.expression}' resulted in error: ${r.error}`, reason: 'Invalid' })
      continue
    }
    if (r.value === true) continue
    failures.push({ message: messageOf(v, bindings), reason: v.reason ?? 'Invalid' })
  }
  for (const an of spec.auditAnnotations ?? []) run(an.valueExpression ?? '', bindings)
  return failures
}

function messageOf(v: PolicyExpression, bindings: Record<string, unknown>): string {
  if (v.messageExpression) {
    const r = run(v.messageExpression, bindings)
    if ('value' in r && typeof r.value === 'string' && r.value.trim() && !/[\n\r]/.test(r.value)) return r.value.trim()
  }
  if (v.message) return v.message
  return `failed expression: ${(v.expression ?? '').trim()}`
}

/** The plugin over the registry's policies and bindings. */
export function createValidatingAdmissionPolicy(registry: Registry): AdmissionPlugin {
  const list = <T>(plural: string): T[] => {
    const rs = registry.find(group, plural)
    return rs ? registry.store.list(rs.key).map((s) => s.obj as T) : []
  }
  const hasBindings = () => {
    const rs = registry.find(group, 'validatingadmissionpolicybindings')
    return !!rs && registry.store.count(rs.key) > 0
  }
  return {
    name: 'ValidatingAdmissionPolicy',
    everyWrite: hasBindings,
    validate(a) {
      // The admission configuration kinds are exempt (rules.IsExemptAdmissionConfigurationResource).
      if (a.resource.group === group || !hasBindings()) return
      // Bindings restored from a snapshot or a data directory were written without loading CEL.
      if (!celLoaded()) return loadCel().then(() => this.validate!(a))
      const policies = new Map(list<ValidatingAdmissionPolicy>('validatingadmissionpolicies').map((p) => [p.metadata.name ?? '', p]))
      const bindings = list<ValidatingAdmissionPolicyBinding>('validatingadmissionpolicybindings').sort((x, y) =>
        (x.metadata.name ?? '') < (y.metadata.name ?? '') ? -1 : 1,
      )
      let base: Record<string, unknown> | undefined
      for (const b of bindings) {
        const policy = policies.get(b.spec?.policyName ?? '')
        if (!policy) continue
        if (!matchesResources(registry, policy.spec?.matchConstraints, a, true)) continue
        if (b.spec?.matchResources && !matchesResources(registry, b.spec.matchResources, a, false)) continue
        base ??= {
          object: a.operation === 'DELETE' ? null : a.obj,
          oldObject: a.old ?? null,
          request: requestOf(registry, a),
          namespaceObject: namespaceObjectFor(registry, a),
          authorizer: cel().authorizerValue(),
          'authorizer.requestResource': cel().requestResourceValue({ ...a.resource, subresource: a.subresource, namespace: a.namespace, name: a.name }),
        }
        const subject = `ValidatingAdmissionPolicy '${policy.metadata.name}' with binding '${b.metadata.name}'`
        const actions = b.spec?.validationActions ?? []
        const params = paramsFor(registry, policy, b, a)
        if (params === 'allow') continue
        const failures: Failure[] =
          typeof params === 'string'
            ? policy.spec?.failurePolicy === 'Ignore'
              ? []
              : [{ message: params, reason: 'Invalid' }]
            : params.flatMap((p) => evaluate(policy, base as Record<string, unknown>, p))
        for (const f of failures) {
          if (actions.includes('Warn')) a.warnings?.push(`Validation failed for ${subject}: ${f.message}`)
          if (actions.includes('Deny')) {
            // admission.NewForbidden (`deployments.apps "big" is forbidden: …`), then the
            // validation's reason and its code, and the message again as a cause.
            const message = `${subject} denied request: ${f.message}`
            const meta = (a.obj ?? a.old)?.metadata
            const forbidden = StatusError.forbidden(a.resource, meta?.name || meta?.generateName || 'Unknown', message)
            const details = { ...forbidden.status.details, causes: [{ message }] }
            throw new StatusError(reasonCodes[f.reason] ?? 422, f.reason, forbidden.message, details)
          }
        }
      }
    },
  }
}
