/** @module go-duration: Go's time.Duration.String(), for kubelet messages (`1.2s`, `523ms`, `1m20s`, `5m0s`). */

/**
 * Formats milliseconds as Go prints a Duration truncated to milliseconds: `0s`, `523ms`, `1.2s`,
 * `1m2.5s`, `1h0m0s` (time/time.go Duration.String; trailing fraction zeros dropped).
 */
export function goDuration(ms: number): string {
  ms = Math.trunc(ms)
  if (ms === 0) return '0s'
  const neg = ms < 0
  let rest = Math.abs(ms)
  let out: string
  if (rest < 1000) {
    out = `${rest}ms`
  } else {
    const h = Math.floor(rest / 3_600_000)
    rest -= h * 3_600_000
    const m = Math.floor(rest / 60_000)
    rest -= m * 60_000
    const s = Math.floor(rest / 1000)
    const frac = rest % 1000
    const secs = frac ? `${s}.${String(frac).padStart(3, '0').replace(/0+$/, '')}s` : `${s}s`
    out = h ? `${h}h${m}m${secs}` : m ? `${m}m${secs}` : secs
  }
  return neg ? `-${out}` : out
}
