/**
 * @module webhook-validation: defaults and validation of Mutating/ValidatingWebhookConfiguration, as
 * pkg/apis/admissionregistration/v1/defaults.go and pkg/apis/admissionregistration/validation/validation.go
 * (plus staging/src/k8s.io/apiserver/pkg/util/webhook/validation.go for the client config).
 */
import type { FieldError } from '../../types.js'
import { duplicate, invalid, notSupported, required } from '../shared/field-errors.js'
import { isDNS1035Label, isDNS1123Subdomain, isQualifiedName, validateLabelSelector } from '../shared/validation.js'
import { isValidPortNum } from '../shared/container-validation.js'
import type { MatchCondition, Webhook, WebhookConfiguration, WebhookRule } from './webhook-types.js'
import { matchConditionCompileError } from './match-conditions.js'

/** SetDefaults_ValidatingWebhook / SetDefaults_MutatingWebhook, SetDefaults_Rule, SetDefaults_ServiceReference (v1). */
export function defaultWebhooks(c: WebhookConfiguration, mutating: boolean): void {
  for (const w of c.webhooks ?? []) {
    w.failurePolicy ??= 'Fail'
    w.matchPolicy ??= 'Equivalent'
    w.namespaceSelector ??= {}
    w.objectSelector ??= {}
    w.timeoutSeconds ??= 10
    if (mutating) w.reinvocationPolicy ??= 'Never'
    for (const r of w.rules ?? []) r.scope ??= '*'
    if (w.clientConfig?.service) w.clientConfig.service.port ??= 443
  }
}

/** What an update relaxes for webhooks that were already stored that way (ValidateXWebhookConfigurationUpdate). */
interface Options {
  requireNoSideEffects: boolean
  requireRecognizedAdmissionReviewVersion: boolean
  requireUniqueWebhookNames: boolean
}

const strictOptions: Options = { requireNoSideEffects: true, requireRecognizedAdmissionReviewVersion: true, requireUniqueWebhookNames: true }

/** ValidateValidatingWebhookConfiguration / ValidateMutatingWebhookConfiguration (metadata is checked generically). */
export function validateWebhookConfiguration(c: WebhookConfiguration, mutating: boolean, opts: Options = strictOptions): FieldError[] {
  const errs: FieldError[] = []
  const names = new Set<string>()
  ;(c.webhooks ?? []).forEach((w, i) => {
    const p = `webhooks[${i}]`
    errs.push(...validateWebhook(w, mutating, opts, p))
    errs.push(...validateAdmissionReviewVersions(w.admissionReviewVersions, opts.requireRecognizedAdmissionReviewVersion, `${p}.admissionReviewVersions`))
    if (opts.requireUniqueWebhookNames && w.name) {
      if (names.has(w.name)) errs.push(duplicate(`${p}.name`, w.name))
      else names.add(w.name)
    }
  })
  return errs
}

/** The update variant: rules the stored object already broke are not enforced again. */
export function validateWebhookConfigurationUpdate(c: WebhookConfiguration, old: WebhookConfiguration, mutating: boolean): FieldError[] {
  const hooks = old.webhooks ?? []
  const noSideEffects = ['None', 'NoneOnDryRun']
  return validateWebhookConfiguration(c, mutating, {
    requireNoSideEffects: hooks.every((w) => noSideEffects.includes(w.sideEffects ?? '')),
    requireRecognizedAdmissionReviewVersion: hooks.every(
      (w) => !w.admissionReviewVersions?.length || w.admissionReviewVersions.some((v) => accepted.includes(v)),
    ),
    requireUniqueWebhookNames: new Set(hooks.map((w) => w.name)).size === hooks.length,
  })
}

/** AcceptedAdmissionReviewVersions. */
const accepted = ['v1', 'v1beta1']

function validateAdmissionReviewVersions(versions: string[] | undefined, requireRecognized: boolean, p: string): FieldError[] {
  if (!versions?.length) return [required(p, `must specify one of ${accepted.join(', ')}`)]
  const errs: FieldError[] = []
  const seen = new Set<string>()
  versions.forEach((v, i) => {
    if (seen.has(v)) {
      errs.push(invalid(`${p}[${i}]`, v, 'duplicate version'))
      return
    }
    seen.add(v)
    for (const m of isDNS1035Label(v)) errs.push(invalid(`${p}[${i}]`, v, m))
  })
  if (requireRecognized && !versions.some((v) => accepted.includes(v))) errs.push(invalid(p, versions, `must include at least one of ${accepted.join(', ')}`))
  return errs
}

const failurePolicies = ['Fail', 'Ignore']
const matchPolicies = ['Equivalent', 'Exact']
const sideEffectClasses = ['None', 'NoneOnDryRun', 'Some', 'Unknown']
const noSideEffectClasses = ['None', 'NoneOnDryRun']
const reinvocationPolicies = ['IfNeeded', 'Never']

function validateWebhook(w: Webhook, mutating: boolean, opts: Options, p: string): FieldError[] {
  const errs = validateFullyQualifiedName(w.name, `${p}.name`)
  ;(w.rules ?? []).forEach((r, i) => {
    errs.push(...validateRuleWithOperations(r, `${p}.rules[${i}]`))
  })
  if (w.failurePolicy !== undefined && !failurePolicies.includes(w.failurePolicy))
    errs.push(notSupported(`${p}.failurePolicy`, w.failurePolicy, failurePolicies))
  if (w.matchPolicy !== undefined && !matchPolicies.includes(w.matchPolicy)) errs.push(notSupported(`${p}.matchPolicy`, w.matchPolicy, matchPolicies))
  const allowed = opts.requireNoSideEffects ? noSideEffectClasses : sideEffectClasses
  if (w.sideEffects === undefined || w.sideEffects === null) errs.push(required(`${p}.sideEffects`, `must specify one of ${allowed.join(', ')}`))
  else if (!allowed.includes(w.sideEffects)) errs.push(notSupported(`${p}.sideEffects`, w.sideEffects, allowed))
  if (w.timeoutSeconds !== undefined && (w.timeoutSeconds > 30 || w.timeoutSeconds < 1))
    errs.push(invalid(`${p}.timeoutSeconds`, w.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'))
  errs.push(...validateLabelSelector(w.namespaceSelector, `${p}.namespaceSelector`))
  errs.push(...validateLabelSelector(w.objectSelector, `${p}.objectSelector`))
  if (mutating && w.reinvocationPolicy !== undefined && !reinvocationPolicies.includes(w.reinvocationPolicy))
    errs.push(notSupported(`${p}.reinvocationPolicy`, w.reinvocationPolicy, reinvocationPolicies))
  const cc = w.clientConfig ?? {}
  if ((cc.url === undefined) === (cc.service === undefined)) errs.push(required(`${p}.clientConfig`, 'exactly one of url or service is required'))
  else if (cc.url !== undefined) errs.push(...validateWebhookURL(`${p}.clientConfig.url`, cc.url))
  else if (cc.service) errs.push(...validateWebhookService(`${p}.clientConfig.service`, cc.service))
  errs.push(...validateMatchConditions(w.matchConditions ?? [], `${p}.matchConditions`))
  return errs
}

/** utilvalidation.IsFullyQualifiedName. */
function validateFullyQualifiedName(name: string | undefined, p: string): FieldError[] {
  if (!name) return [required(p)]
  const msgs = isDNS1123Subdomain(name)
  if (msgs.length) return [invalid(p, name, msgs.join(','))]
  if (name.split('.').length < 3) return [invalid(p, name, 'should be a domain with at least three segments separated by dots')]
  return []
}

const supportedOperations = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE']
const validScopes = ['*', 'Cluster', 'Namespaced']

function validateRuleWithOperations(r: WebhookRule, p: string): FieldError[] {
  const errs: FieldError[] = []
  const ops = r.operations ?? []
  if (ops.length === 0) errs.push(required(`${p}.operations`))
  if (ops.length > 1 && ops.includes('*')) errs.push(invalid(`${p}.operations`, ops, "if '*' is present, must not specify other operations"))
  ops.forEach((op, i) => {
    if (!supportedOperations.includes(op)) errs.push(notSupported(`${p}.operations[${i}]`, op, supportedOperations))
  })
  const groups = r.apiGroups ?? []
  if (groups.length === 0) errs.push(required(`${p}.apiGroups`))
  if (groups.length > 1 && groups.includes('*')) errs.push(invalid(`${p}.apiGroups`, groups, "if '*' is present, must not specify other API groups"))
  const versions = r.apiVersions ?? []
  if (versions.length === 0) errs.push(required(`${p}.apiVersions`))
  if (versions.length > 1 && versions.includes('*')) errs.push(invalid(`${p}.apiVersions`, versions, "if '*' is present, must not specify other API versions"))
  versions.forEach((v, i) => {
    if (v === '') errs.push(required(`${p}.apiVersions[${i}]`))
  })
  errs.push(...validateResources(r.resources ?? [], `${p}.resources`))
  if (r.scope !== undefined && !validScopes.includes(r.scope)) errs.push(notSupported(`${p}.scope`, r.scope, validScopes))
  return errs
}

/** validateResources: `x`, `x/y`, `*`, `x/*`, `*\/y`, `*\/*` and their exclusions. */
function validateResources(resources: string[], p: string): FieldError[] {
  const errs: FieldError[] = []
  if (resources.length === 0) errs.push(required(p))
  const withWildcardSub = new Set<string>()
  const subWithWildcardRes = new Set<string>()
  let doubleWildcard = false
  let singleWildcard = false
  let withoutSub = false
  resources.forEach((rs, i) => {
    if (rs === '') {
      errs.push(required(`${p}[${i}]`))
      return
    }
    if (rs === '*/*') doubleWildcard = true
    if (rs === '*') singleWildcard = true
    const slash = rs.indexOf('/')
    if (slash < 0) {
      withoutSub = rs !== '*'
      return
    }
    const res = rs.slice(0, slash)
    const sub = rs.slice(slash + 1)
    if (withWildcardSub.has(res)) errs.push(invalid(`${p}[${i}]`, rs, `if '${res}/*' is present, must not specify ${rs}`))
    if (subWithWildcardRes.has(sub)) errs.push(invalid(`${p}[${i}]`, rs, `if '*/${sub}' is present, must not specify ${rs}`))
    if (sub === '*') withWildcardSub.add(res)
    if (res === '*') subWithWildcardRes.add(sub)
  })
  if (resources.length > 1 && doubleWildcard) errs.push(invalid(p, resources, "if '*/*' is present, must not specify other resources"))
  if (singleWildcard && withoutSub) errs.push(invalid(p, resources, "if '*' is present, must not specify other resources without subresources"))
  return errs
}

/** ValidateWebhookURL with forceHttps (Go's url.Parse rarely fails: the checks are on its parts). */
export function validateWebhookURL(p: string, url: string): FieldError[] {
  const form = '; desired format: https://host[/path]'
  const u = parseGoURL(url)
  const errs: FieldError[] = []
  if (u.scheme !== 'https') errs.push(invalid(p, u.scheme, `'https' is the only allowed URL scheme${form}`))
  if (!u.host) errs.push(invalid(p, u.host, `host must be provided${form}`))
  if (u.user !== undefined) errs.push(invalid(p, u.user, 'user information is not permitted in the URL'))
  if (u.fragment) errs.push(invalid(p, u.fragment, 'fragments are not permitted in the URL'))
  if (u.query) errs.push(invalid(p, u.query, 'query parameters are not permitted in the URL'))
  return errs
}

/** The parts of a URL as net/url names them (scheme lowercased, host with port, raw query, fragment). */
export function parseGoURL(raw: string): { scheme: string; user?: string; host: string; path: string; query: string; fragment: string } {
  let rest = raw
  let fragment = ''
  const hash = rest.indexOf('#')
  if (hash >= 0) {
    fragment = rest.slice(hash + 1)
    rest = rest.slice(0, hash)
  }
  let query = ''
  const q = rest.indexOf('?')
  if (q >= 0) {
    query = rest.slice(q + 1)
    rest = rest.slice(0, q)
  }
  let scheme = ''
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest)
  if (m) {
    scheme = m[1].toLowerCase()
    rest = rest.slice(m[0].length)
  }
  let host = ''
  let user: string | undefined
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/\//)
    let authority = end < 0 ? rest.slice(2) : rest.slice(2, 2 + end)
    rest = end < 0 ? '' : rest.slice(2 + end)
    const at = authority.lastIndexOf('@')
    if (at >= 0) {
      user = authority.slice(0, at)
      authority = authority.slice(at + 1)
    }
    host = authority
  }
  return { scheme, user, host, path: rest, query, fragment }
}

/** ValidateWebhookService. */
export function validateWebhookService(p: string, svc: { name?: string; namespace?: string; path?: string; port?: number }): FieldError[] {
  const errs: FieldError[] = []
  if (!svc.name) errs.push(required(`${p}.name`, 'service name is required'))
  if (!svc.namespace) errs.push(required(`${p}.namespace`, 'service namespace is required'))
  const portErrs = isValidPortNum(svc.port ?? 443)
  if (portErrs.length) errs.push(invalid(`${p}.port`, svc.port, `port is not valid: ${portErrs.join(', ')}`))
  const path = svc.path
  if (path === undefined || path === '/' || path === '') return errs
  if (path === '//') return [...errs, invalid(`${p}.path`, path, 'segment[0] may not be empty')]
  if (!path.startsWith('/')) errs.push(invalid(`${p}.path`, path, "must start with a '/'"))
  let check = path.slice(1)
  if (check.endsWith('/')) check = check.slice(0, -1)
  check.split('/').forEach((step, i) => {
    if (!step) {
      errs.push(invalid(`${p}.path`, path, `segment[${i}] may not be empty`))
      return
    }
    for (const f of isDNS1123Subdomain(step)) errs.push(invalid(`${p}.path`, path, `segment[${i}]: ${f}`))
  })
  return errs
}

/** validateMatchConditions: at most 64, unique qualified names, non-empty expressions that compile. */
function validateMatchConditions(conds: MatchCondition[], p: string): FieldError[] {
  const errs: FieldError[] = []
  if (conds.length > 64) errs.push({ type: 'FieldValueTooMany', field: p, badValue: conds.length, detail: 'must have at most 64 items' })
  const names = new Set<string>()
  conds.forEach((c, i) => {
    const expr = (c.expression ?? '').trim()
    if (!expr) errs.push(required(`${p}[${i}].expression`))
    else {
      const msg = matchConditionCompileError(expr)
      if (msg) errs.push(invalid(`${p}[${i}].expression`, expr, msg))
    }
    if (!c.name) errs.push(required(`${p}[${i}].name`))
    else for (const m of isQualifiedName(c.name)) errs.push(invalid(`${p}[${i}].name`, c.name, m))
    if (c.name) {
      if (names.has(c.name)) errs.push(duplicate(`${p}[${i}].name`, c.name))
      else names.add(c.name)
    }
  })
  return errs
}
