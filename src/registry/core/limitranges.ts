/** @module limitranges: the core/v1 LimitRange definition (pkg/registry/core/limitrange/strategy.go, ValidateLimitRange). */
import type { LimitRangeItem, LimitRangeSpec } from 'kubernetes-types/core/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { duplicate, forbidden, invalid, required } from '../shared/field-errors.js'
import { isQualifiedName } from '../shared/validation.js'
import { type Quantity, formatQuantity, milliValue, quantity } from '../shared/quantity-format.js'

/** A LimitRange as stored. */
export type LimitRange = KubeObject & { spec?: LimitRangeSpec }

type Lists = Record<string, string>
const standardTypes = ['Container', 'PersistentVolumeClaim', 'Pod']

/**
 * SetDefaults_LimitRangeItem: for Container items a missing default limit is the max, a missing
 * default request the default limit, else the min.
 */
function applyDefaults(obj: LimitRange): void {
  for (const item of obj.spec?.limits ?? []) {
    if (item.type !== 'Container') continue
    const def = (item.default ??= {}) as Lists
    const req = (item.defaultRequest ??= {}) as Lists
    for (const [k, v] of Object.entries((item.max ?? {}) as Lists)) def[k] ??= v
    for (const [k, v] of Object.entries(def)) req[k] ??= v
    for (const [k, v] of Object.entries((item.min ?? {}) as Lists)) req[k] ??= v
  }
}

/** validateLimitRangeResourceName: standard container resources (or qualified names); storage for claims. */
function resourceNameErrors(type: string, name: string, field: string): FieldError[] {
  if (name.includes('/')) return isQualifiedName(name).map((m) => invalid(field, name, m))
  if (type === 'PersistentVolumeClaim') return name === 'storage' ? [] : [invalid(field, name, 'must be a standard resource type or fully qualified')]
  const standard = ['cpu', 'memory', 'ephemeral-storage'].includes(name) || name.startsWith('hugepages-')
  return standard ? [] : [invalid(field, name, 'must be a standard resource for containers')]
}

/** The quantities of one list, validated (an unparsable one is an Invalid error at its key). */
function quantities(list: unknown, type: string, field: string, errs: FieldError[]): Map<string, Quantity> {
  const out = new Map<string, Quantity>()
  for (const [k, v] of Object.entries((list ?? {}) as Record<string, string | number>).sort(([a], [b]) => (a < b ? -1 : 1))) {
    errs.push(...resourceNameErrors(type, k, `${field}[${k}]`))
    const q = quantity(v)
    if (q) out.set(k, q)
    else errs.push(invalid(`${field}[${k}]`, v, 'must be a valid resource quantity'))
  }
  return out
}

const cmp = (a: Quantity, b: Quantity) => (a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0)

/** ValidateLimitRange's per-item rules (pkg/apis/core/validation/validation.go). */
function validateItem(item: LimitRangeItem, i: number, seen: Set<string>): FieldError[] {
  const errs: FieldError[] = []
  const p = `spec.limits[${i}]`
  const type = item.type ?? ''
  const typeErrs = isQualifiedName(type).map((m) => invalid(`${p}.type`, type, m))
  if (!typeErrs.length && !type.includes('/') && !standardTypes.includes(type))
    typeErrs.push(invalid(`${p}.type`, type, 'must be a standard limit type or fully qualified'))
  errs.push(...typeErrs)
  if (seen.has(type)) errs.push(duplicate(`${p}.type`, type))
  seen.add(type)
  const max = quantities(item.max, type, `${p}.max`, errs)
  const min = quantities(item.min, type, `${p}.min`, errs)
  let def = new Map<string, Quantity>()
  let defReq = new Map<string, Quantity>()
  if (type === 'Pod') {
    if (Object.keys(item.default ?? {}).length) errs.push(forbidden(`${p}.default`, "may not be specified when `type` is 'Pod'"))
    if (Object.keys(item.defaultRequest ?? {}).length) errs.push(forbidden(`${p}.defaultRequest`, "may not be specified when `type` is 'Pod'"))
  } else {
    def = quantities(item.default, type, `${p}.default`, errs)
    defReq = quantities(item.defaultRequest, type, `${p}.defaultRequest`, errs)
  }
  if (type === 'PersistentVolumeClaim' && !min.has('storage') && !max.has('storage'))
    errs.push(required(`${p}.limits`, 'either minimum or maximum storage value is required, but neither was provided'))
  const ratio = quantities(item.maxLimitRequestRatio, type, `${p}.maxLimitRequestRatio`, errs)
  const keys = [...new Set([...max.keys(), ...min.keys(), ...def.keys(), ...defReq.keys(), ...ratio.keys()])].sort()
  const s = formatQuantity
  for (const k of keys) {
    const [mn, mx, d, dr, r] = [min.get(k), max.get(k), def.get(k), defReq.get(k), ratio.get(k)]
    if (mn && mx && cmp(mn, mx) > 0) errs.push(invalid(`${p}.min[${k}]`, s(mn), `min value ${s(mn)} is greater than max value ${s(mx)}`))
    if (dr && mn && cmp(mn, dr) > 0) errs.push(invalid(`${p}.defaultRequest[${k}]`, s(dr), `min value ${s(mn)} is greater than default request value ${s(dr)}`))
    if (dr && mx && cmp(dr, mx) > 0) errs.push(invalid(`${p}.defaultRequest[${k}]`, s(dr), `default request value ${s(dr)} is greater than max value ${s(mx)}`))
    if (dr && d && cmp(dr, d) > 0)
      errs.push(invalid(`${p}.defaultRequest[${k}]`, s(dr), `default request value ${s(dr)} is greater than default limit value ${s(d)}`))
    if (d && mn && cmp(mn, d) > 0) errs.push(invalid(`${p}.default[${k}]`, s(mn), `min value ${s(mn)} is greater than default value ${s(d)}`))
    if (d && mx && cmp(d, mx) > 0) errs.push(invalid(`${p}.default[${k}]`, s(mx), `default value ${s(d)} is greater than max value ${s(mx)}`))
    if (r && r.nanos < 1_000_000_000n) errs.push(invalid(`${p}.maxLimitRequestRatio[${k}]`, s(r), `ratio ${s(r)} is less than 1`))
    if (r && mn && mx) {
      const limit = Number(milliValue(mx)) / Number(milliValue(mn))
      const value = Number(milliValue(r)) / 1000
      if (value > limit) errs.push(invalid(`${p}.maxLimitRequestRatio[${k}]`, s(r), `ratio ${s(r)} is greater than max/min = ${limit.toFixed(6)}`))
    }
  }
  return errs
}

/** `limits`: no printer upstream, so kubectl shows NAME CREATED AT. */
export const limitRanges: ResourceDefinition<LimitRange> = {
  group: '',
  version: 'v1',
  kind: 'LimitRange',
  plural: 'limitranges',
  singular: 'limitrange',
  namespaced: true,
  shortNames: ['limits'],
  applyDefaults,
  validate(obj) {
    const seen = new Set<string>()
    return (obj.spec?.limits ?? []).flatMap((item, i) => validateItem(item, i, seen))
  },
}
