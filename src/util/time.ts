/** @module time: Kubernetes timestamp formats. */

let lastSecond = Number.NaN
let lastText = ''

/** metav1.Time: RFC 3339 in UTC at second precision, e.g. `2026-11-27T22:12:36Z`. */
export function rfc3339(ms: number): string {
  // Every write of a busy second stamps the same text: format it once per second.
  const second = Math.floor(ms / 1000)
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().replace('.000Z', 'Z')
    lastSecond = second
  }
  return lastText
}

/** metav1.MicroTime: RFC 3339 with microseconds, e.g. `2026-11-27T22:12:36.123456Z`. */
export function rfc3339Micro(ms: number): string {
  const iso = new Date(ms).toISOString()
  return iso.replace(/\.(\d{3})Z$/, '.$1000Z')
}
