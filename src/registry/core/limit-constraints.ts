/**
 * @module limit-constraints: LimitRanger's per-resource checks (plugin/pkg/admission/limitranger/admission.go
 * minConstraint, maxConstraint, maxRequestConstraint, limitRequestRatioConstraint): each returns the
 * upstream refusal text, or undefined. `type` is the limit type (Container, Pod, PersistentVolumeClaim).
 */
import { type Quantity, formatQuantity, milliValue, unitValue } from '../shared/quantity-format.js'

type QList = Map<string, Quantity>

/** requestLimitEnforcedValues: milli-values when the enforced amount allows, else whole units. */
function values(req: Quantity | undefined, lim: Quantity | undefined, enforced: Quantity): [bigint, bigint, bigint] {
  const milli = unitValue(enforced) <= 9223372036854775n
  const v = (q: Quantity | undefined) => (q ? (milli ? milliValue(q) : unitValue(q)) : 0n)
  return [v(req), v(lim), v(enforced)]
}

const s = formatQuantity

/** The request (and a limit, if set) is at least `enforced`; a missing request fails. */
export function minConstraint(type: string, name: string, enforced: Quantity, requests: QList, limits: QList): string | undefined {
  const req = requests.get(name)
  const lim = limits.get(name)
  const [r, l, e] = values(req, lim, enforced)
  if (!req) return `minimum ${name} usage per ${type} is ${s(enforced)}.  No request is specified`
  if (r < e) return `minimum ${name} usage per ${type} is ${s(enforced)}, but request is ${s(req)}`
  if (lim && l < e) return `minimum ${name} usage per ${type} is ${s(enforced)}, but limit is ${s(lim)}`
}

/** The limit (required) and a request, if set, are at most `enforced`. */
export function maxConstraint(type: string, name: string, enforced: Quantity, requests: QList, limits: QList): string | undefined {
  const req = requests.get(name)
  const lim = limits.get(name)
  const [r, l, e] = values(req, lim, enforced)
  if (!lim) return `maximum ${name} usage per ${type} is ${s(enforced)}.  No limit is specified`
  if (l > e) return `maximum ${name} usage per ${type} is ${s(enforced)}, but limit is ${s(lim)}`
  if (req && r > e) return `maximum ${name} usage per ${type} is ${s(enforced)}, but request is ${s(req)}`
}

/** Claims: the request (required) is at most `enforced`. */
export function maxRequestConstraint(type: string, name: string, enforced: Quantity, requests: QList): string | undefined {
  const req = requests.get(name)
  const [r, , e] = values(req, undefined, enforced)
  if (!req) return `maximum ${name} usage per ${type} is ${s(enforced)}.  No request is specified`
  if (r > e) return `maximum ${name} usage per ${type} is ${s(enforced)}, but request is ${s(req)}`
}

/** limit / request is at most `enforced`; both must be set and non-zero. */
export function ratioConstraint(type: string, name: string, enforced: Quantity, requests: QList, limits: QList): string | undefined {
  const [r, l] = values(requests.get(name), limits.get(name), enforced)
  const e = s(enforced)
  if (!requests.has(name) || r === 0n) return `${name} max limit to request ratio per ${type} is ${e}, but no request is specified or request is 0`
  if (!limits.has(name) || l === 0n) return `${name} max limit to request ratio per ${type} is ${e}, but no limit is specified or limit is 0`
  const observed = Number(l) / Number(r)
  const milli = unitValue(enforced) <= 9223372036854775n
  const [obs, max] = milli ? [observed * 1000, Number(milliValue(enforced))] : [observed, Number(unitValue(enforced))]
  if (obs > max) return `${name} max limit to request ratio per ${type} is ${e}, but provided ratio is ${observed.toFixed(6)}`
}
