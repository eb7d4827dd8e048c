/**
 * @module validation-rules: CRD `x-kubernetes-validations`: the rules' checks when a CRD is written
 * (checkRules) and their evaluation against custom objects (validateRules), as apiextensions-
 * apiserver's schema/cel (validation.go, compilation.go) and apis/apiextensions/validation.
 * https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go
 * https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go
 */
import { isDeepStrictEqual } from 'node:util'
import { fieldErrorString } from '../../errors.js'
import type { FieldError } from '../../types.js'
import { duplicate, forbidden, invalid, notSupported, required } from '../shared/field-errors.js'
import { CelEvaluationError, compileCel, type CelProgram } from './compile-expression.js'
import { optionalNone, optionalOf } from './library-optional.js'
import { normalizeRuleFieldPath } from './rule-field-path.js'
import { toCelValue, type CelSchema } from './cel-value.js'
import type { CelValue } from '@bufbuild/cel'

/** One entry of `x-kubernetes-validations`. */
export interface ValidationRule {
  rule?: string
  message?: string
  messageExpression?: string
  reason?: string
  fieldPath?: string
  optionalOldSelf?: boolean
}

const supportedReasons = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired']

function schemaOf(v: unknown): CelSchema | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as CelSchema) : undefined
}

function rulesOf(s: CelSchema): ValidationRule[] {
  const r = s['x-kubernetes-validations']
  return Array.isArray(r) ? (r as ValidationRule[]) : []
}

/**
 * A resource root (and an embedded resource) shows `apiVersion`, `kind` and of `metadata` only
 * `name` and `generateName`, as model.WithTypeAndObjectMeta.
 */
function withTypeAndObjectMeta(s: CelSchema): CelSchema {
  const props = schemaOf(s.properties) ?? {}
  return {
    ...s,
    type: 'object',
    properties: {
      ...props,
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object', properties: { name: { type: 'string' }, generateName: { type: 'string' } } },
    },
  }
}

/** The schema CEL types `self` by at a node. */
function celNodeSchema(s: CelSchema, isRoot: boolean): CelSchema {
  return isRoot || s['x-kubernetes-embedded-resource'] === true ? withTypeAndObjectMeta(s) : s
}

/** A rule compiled for one schema node. */
interface CompiledRule {
  rule: ValidationRule
  program?: CelProgram
  error?: string
  message?: CelProgram
  messageError?: string
  usesOldSelf: boolean
  fieldPath?: string
  fieldPathError?: string
}

const compiledBySchema = new WeakMap<CelSchema, Map<boolean, CompiledRule[]>>()

function compileRules(node: CelSchema, rulesFrom: CelSchema, isRoot: boolean): CompiledRule[] {
  let byRoot = compiledBySchema.get(rulesFrom)
  const hit = byRoot?.get(isRoot)
  if (hit) return hit
  const typed = celNodeSchema(node, isRoot)
  const out = rulesOf(rulesFrom).map((rule): CompiledRule => {
    const c: CompiledRule = { rule, usesOldSelf: false }
    if (!rule.rule?.trim()) return c
    const decls = { self: typed, oldSelf: rule.optionalOldSelf ? null : typed }
    const r = compileCel(rule.rule, decls)
    if ('error' in r) c.error = `compilation failed: ${r.error}`
    else {
      c.program = r.program
      c.usesOldSelf = r.program.uses.has('oldSelf')
    }
    if (rule.messageExpression?.trim()) {
      const m = compileCel(rule.messageExpression, { self: typed, oldSelf: typed })
      if ('error' in m) c.messageError = `messageExpression compilation failed: ${m.error}`
      else c.message = m.program
    }
    if (rule.fieldPath) {
      const p = normalizeRuleFieldPath(rule.fieldPath, node)
      if ('error' in p) c.fieldPathError = p.error
      else c.fieldPath = p.path
    }
    return c
  })
  if (!byRoot) compiledBySchema.set(rulesFrom, (byRoot = new Map()))
  byRoot.set(isRoot, out)
  return out
}

/** field.Path rendering: the root is `<nil>` (the CRD handler validates from a nil path). */
function child(path: string, name: string): string {
  return path ? `${path}.${name}` : name
}
const rootPath = ''
const shown = (path: string) => path || '<nil>'

/** What evaluating a node's rules needs to know about where it is. */
interface NodeContext {
  errors: FieldError[]
  warnings: string[]
  /** Whether the nearest correlatable ancestor equals its old value: a rule's errors there are only warnings (CRD validation ratcheting). */
  ancestorUnchanged: boolean
}

function ruleText(rule: ValidationRule): string {
  return rule.message?.trim() ? rule.message.trim() : (rule.rule ?? '').trim()
}

function messageFrom(c: CompiledRule, bindings: Record<string, unknown>): string {
  if (c.message) {
    try {
      const v = c.message.run(bindings)
      // An unusable messageExpression result falls back to the static message, as upstream.
      if (typeof v === 'string' && v.trim() && !/[\n]/.test(v.trim()) && v.trim().length <= 5120) return v.trim()
    } catch {
      /* falls back to the static message */
    }
  }
  return rule(c.rule)
}

function rule(r: ValidationRule): string {
  return r.message?.trim() ? r.message.trim() : `failed rule: ${ruleText(r)}`
}

function errorForReason(path: string, type: string, detail: string, reason: string | undefined): FieldError {
  switch (reason) {
    case 'FieldValueForbidden':
      return forbidden(shown(path), detail)
    case 'FieldValueRequired':
      return required(shown(path), detail)
    case 'FieldValueDuplicate':
      return duplicate(shown(path), type)
    default:
      return invalid(shown(path), type, detail)
  }
}

function evaluateNode(schema: CelSchema, obj: unknown, old: unknown, path: string, isRoot: boolean, ctx: NodeContext, unchanged: boolean): void {
  const sources = [schema, ...(Array.isArray(schema.allOf) ? (schema.allOf as unknown[]).map(schemaOf).filter((s) => s !== undefined) : [])]
  const type = typeof schema.type === 'string' ? schema.type : ''
  const typed = celNodeSchema(schema, isRoot)
  let self: CelValue | undefined
  for (const from of sources) {
    for (const c of compileRules(schema, from, isRoot)) {
      if (c.error) {
        ctx.errors.push(invalid(shown(path), type, `rule compile error: ${c.error}`))
        continue
      }
      if (!c.program) continue
      if (c.usesOldSelf && old === undefined && !c.rule.optionalOldSelf) continue
      self ??= toCelValue(obj, typed) as CelValue
      const oldSelf = old === undefined ? null : (toCelValue(old, typed) as CelValue)
      const bindings: Record<string, unknown> = { self, oldSelf }
      const ruleBindings = c.rule.optionalOldSelf ? { self, oldSelf: old === undefined ? optionalNone() : optionalOf(oldSelf as CelValue) } : bindings
      let result: unknown
      try {
        result = c.program.run(ruleBindings)
      } catch (e) {
        if (!(e instanceof CelEvaluationError)) throw e
        const text = e.message.startsWith('no such overload')
          ? `'${e.message}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleText(c.rule)}`
          : `${e.message} evaluating rule: ${ruleText(c.rule)}`
        ctx.errors.push(invalid(shown(path), type, text))
        continue
      }
      if (result === true) continue
      const at = c.fieldPath ? child(path, c.fieldPath) : path
      const err = errorForReason(at, type, messageFrom(c, bindings), c.rule.reason)
      if (!c.usesOldSelf && unchanged) ctx.warnings.push(fieldErrorString(err))
      else ctx.errors.push(err)
    }
  }
}

function listMapKey(item: unknown, keys: string[]): string | undefined {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return undefined
  return JSON.stringify(keys.map((k) => (item as Record<string, unknown>)[k] ?? null))
}

function walk(schema: CelSchema, obj: unknown, old: unknown, path: string, isRoot: boolean, ctx: NodeContext): void {
  // Rules validate values, not absence or null: a parent's rule checks those.
  if (obj === null || obj === undefined) return
  const unchanged = old !== undefined ? isDeepStrictEqual(obj, old) : ctx.ancestorUnchanged
  evaluateNode(schema, obj, old, path, isRoot, ctx, unchanged)
  const inner: NodeContext = { ...ctx, ancestorUnchanged: unchanged }
  if (Array.isArray(obj)) {
    const items = schemaOf(schema.items)
    if (!items) return
    // Only map-type lists correlate items with old ones (by their keys).
    const keys =
      schema['x-kubernetes-list-type'] === 'map' && Array.isArray(schema['x-kubernetes-list-map-keys'])
        ? (schema['x-kubernetes-list-map-keys'] as string[])
        : undefined
    const oldByKey = new Map<string, unknown>()
    if (keys && Array.isArray(old)) for (const o of old) oldByKey.set(listMapKey(o, keys) ?? '', o)
    obj.forEach((item, i) => {
      const oldItem = keys ? oldByKey.get(listMapKey(item, keys) ?? '\u0000') : undefined
      walk(items, item, oldItem, `${path}[${i}]`, false, inner)
    })
    return
  }
  if (typeof obj !== 'object') return
  const rec = obj as Record<string, unknown>
  const oldRec = old && typeof old === 'object' && !Array.isArray(old) ? (old as Record<string, unknown>) : undefined
  const props = schemaOf(schema.properties)
  const additional = schemaOf(schema.additionalProperties)
  for (const [k, v] of Object.entries(rec)) {
    const sub = props && Object.hasOwn(props, k) ? schemaOf(props[k]) : undefined
    if (sub) walk(sub, v, oldRec?.[k], child(path, k), false, inner)
    else if (additional) walk(additional, v, oldRec?.[k], `${path}[${k}]`, false, inner)
  }
}

/**
 * Evaluates every `x-kubernetes-validations` rule of `schema` (the version's openAPIV3Schema)
 * against `obj`, with `self` the value at each node; transition rules (those using `oldSelf`) run
 * only when `old` is given and the node correlates with an old value. Errors of rules on values
 * that did not change are ratcheted: returned in `warnings` (when given) instead. Never mutates.
 */
export function validateRules(schema: Record<string, unknown>, obj: unknown, old: unknown | undefined, warnings: string[] = []): FieldError[] {
  const ctx: NodeContext = { errors: [], warnings, ancestorUnchanged: false }
  walk(schema, obj, old ?? undefined, rootPath, true, ctx)
  return ctx.errors
}

/** Go's %#v of an apiextensions.ValidationRule, the bad value of a rule's compile error. */
function ruleGoString(r: ValidationRule): { goString: string } {
  const ptr = (v: unknown, t: string) => (v === undefined ? `(*${t})(nil)` : `(*${t})(0xc000000000)`)
  return {
    goString: `apiextensions.ValidationRule{Rule:${JSON.stringify(r.rule ?? '')}, Message:${JSON.stringify(r.message ?? '')}, MessageExpression:${JSON.stringify(r.messageExpression ?? '')}, Reason:${ptr(r.reason, 'apiextensions.FieldValueErrorReason')}, FieldPath:${JSON.stringify(r.fieldPath ?? '')}, OptionalOldSelf:${ptr(r.optionalOldSelf, 'bool')}}`,
  }
}

function checkNode(schema: CelSchema, path: string, isRoot: boolean, uncorrelatable: string | undefined, errs: FieldError[]): void {
  const rules = rulesOf(schema)
  const schemaErrs: FieldError[] = []
  rules.forEach((r, i) => {
    const at = `${path}.x-kubernetes-validations[${i}]`
    const msg = (r.message ?? '').trim()
    if (!(r.rule ?? '').trim()) schemaErrs.push(required(`${at}.rule`, 'rule is not specified'))
    else if ((r.message ?? '').length > 0 && msg.length === 0) schemaErrs.push(invalid(`${at}.message`, r.message, 'message must be non-empty if specified'))
    else if ((r.message ?? '').length > 2048)
      schemaErrs.push(invalid(`${at}.message`, `${(r.message ?? '').slice(0, 10)}...`, 'message must have a maximum length of 2048 characters'))
    else if (/[\n\r]/.test(msg)) schemaErrs.push(invalid(`${at}.message`, r.message, 'message must not contain line breaks'))
    else if (/[\n\r]/.test((r.rule ?? '').trim()) && !msg) schemaErrs.push(required(`${at}.message`, 'message must be specified if rule contains line breaks'))
    if ((r.messageExpression ?? '').length > 0 && !(r.messageExpression ?? '').trim())
      schemaErrs.push(required(`${at}.messageExpression`, 'messageExpression must be non-empty if specified'))
    if (r.reason !== undefined && !supportedReasons.includes(r.reason)) schemaErrs.push(notSupported(`${at}.reason`, r.reason, supportedReasons))
    if (r.fieldPath !== undefined && r.fieldPath.length > 0) {
      if (!r.fieldPath.trim()) schemaErrs.push(invalid(`${at}.fieldPath`, r.fieldPath, 'fieldPath must be non-empty if specified'))
      if (/[\n\r]/.test(r.fieldPath)) schemaErrs.push(invalid(`${at}.fieldPath`, r.fieldPath, 'fieldPath must not contain line breaks'))
      const p = normalizeRuleFieldPath(r.fieldPath, schema)
      if ('error' in p) schemaErrs.push(invalid(`${at}.fieldPath`, r.fieldPath, `fieldPath must be a valid path: ${p.error}`))
    }
  })
  errs.push(...schemaErrs)
  // As upstream, CEL is compiled only where the schema itself is valid.
  if (schemaErrs.length > 0) return
  compileRules(schema, schema, isRoot).forEach((c, i) => {
    const at = `${path}.x-kubernetes-validations[${i}]`
    if (c.error) errs.push(invalid(`${at}.rule`, ruleGoString(c.rule), c.error))
    if (c.messageError) errs.push(invalid(`${at}.messageExpression`, ruleGoString(c.rule), c.messageError))
    if (c.usesOldSelf && uncorrelatable !== undefined)
      errs.push(invalid(`${at}.rule`, c.rule.rule, `oldSelf cannot be used on the uncorrelatable portion of the schema within ${uncorrelatable}`))
  })
}

function checkTree(schema: CelSchema, path: string, isRoot: boolean, uncorrelatable: string | undefined, errs: FieldError[]): void {
  checkNode(schema, path, isRoot, uncorrelatable, errs)
  const props = schemaOf(schema.properties)
  if (props) for (const [k, v] of Object.entries(props)) if (schemaOf(v)) checkTree(v as CelSchema, `${path}.properties[${k}]`, false, uncorrelatable, errs)
  const items = schemaOf(schema.items)
  if (items) {
    const p = `${path}.items`
    checkTree(items, p, false, uncorrelatable ?? (schema['x-kubernetes-list-type'] === 'map' ? undefined : p), errs)
  }
  const additional = schemaOf(schema.additionalProperties)
  if (additional) checkTree(additional, `${path}.additionalProperties`, false, uncorrelatable, errs)
  if (Array.isArray(schema.allOf))
    (schema.allOf as unknown[]).forEach((s, i) => {
      if (schemaOf(s)) checkNode(s as CelSchema, `${path}.allOf[${i}]`, isRoot, uncorrelatable, errs)
    })
}

/**
 * The errors of the `x-kubernetes-validations` rules in `schema` (a version's openAPIV3Schema, at
 * `path`, e.g. `spec.versions[0].schema.openAPIV3Schema`) when a CRD is written: missing rules, bad
 * messages, reasons and fieldPaths, compile errors (`…x-kubernetes-validations[0].rule: Invalid
 * value: apiextensions.ValidationRule{…}: compilation failed: ERROR: <input>:1:6: …`), and
 * transition rules where old values cannot be correlated.
 */
export function checkRules(schema: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = []
  checkTree(schema, path, true, undefined, errs)
  return errs
}
