/** @module human-duration: AGE cells, after apimachinery/pkg/util/duration.HumanDuration and printers' translateTimestampSince. */

/**
 * HumanDuration (k8s.io/apimachinery/pkg/util/duration/duration.go): coarse, two-unit ages.
 * `ms` may be negative (clock skew): below -1 s gives `<invalid>`, -1 s … 0 gives `0s`.
 * Integer division (truncation) throughout, 365-day years.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000)
  if (seconds < -1) return '<invalid>'
  if (seconds < 0) return '0s'
  if (seconds < 60 * 2) return `${seconds}s`
  const minutes = Math.trunc(ms / 60_000)
  if (minutes < 10) {
    const s = seconds % 60
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`
  }
  if (minutes < 60 * 3) return `${minutes}m`
  const hours = Math.trunc(ms / 3_600_000)
  if (hours < 8) {
    const m = minutes % 60
    return m === 0 ? `${hours}h` : `${hours}h${m}m`
  }
  if (hours < 48) return `${hours}h`
  if (hours < 24 * 8) {
    const h = hours % 24
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365
    const y = Math.trunc(hours / 24 / 365)
    return dy === 0 ? `${y}y` : `${y}y${dy}d`
  }
  return `${Math.trunc(hours / 24 / 365)}y`
}

/**
 * translateTimestampSince (pkg/printers/internalversion/printers.go): `<unknown>` for a missing
 * or zero timestamp (Go's zero time `0001-01-01T00:00:00Z`), else humanDuration(now - ts).
 * Also used for MicroTime values (translateMicroTimestampSince behaves the same).
 */
export function translateTimestampSince(ts: string | undefined | null, now: Date): string {
  if (!ts) return '<unknown>'
  const t = Date.parse(ts)
  if (Number.isNaN(t) || t <= zeroTime) return '<unknown>'
  return humanDuration(now.getTime() - t)
}

/** Date.parse('0001-01-01T00:00:00Z'): Go's zero time.Time, which IsZero() reports. */
const zeroTime = Date.parse('0001-01-01T00:00:00Z')
