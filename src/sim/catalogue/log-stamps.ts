/** @module log-stamps: the timestamp formats servers print in their start-up logs, from simulated ms (UTC containers). */

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const p = (n: number, w = 2) => String(n).padStart(w, '0')
const iso = (ms: number) => new Date(ms).toISOString()

/** PostgreSQL `log_line_prefix = '%m [%p] '`: `2025-08-14 10:00:00.123 UTC`. */
export const pgStamp = (ms: number): string => `${iso(ms).slice(0, 10)} ${iso(ms).slice(11, 23)} UTC`

/** The mysql/mariadb entrypoint's `mysql_note`: `2025-08-14 10:00:00+00:00`. */
export const entrypointStamp = (ms: number): string => `${iso(ms).slice(0, 10)} ${iso(ms).slice(11, 19)}+00:00`

/** mysqld's error log (log_timestamps=UTC): `2025-08-14T10:00:00.123000Z`. */
export const mysqldStamp = (ms: number): string => `${iso(ms).slice(0, 23)}000Z`

/** MariaDB's server log: `2025-08-14 10:00:00`. */
export const mariadbStamp = (ms: number): string => `${iso(ms).slice(0, 10)} ${iso(ms).slice(11, 19)}`

/** redis-server: `14 Aug 2025 10:00:00.123`. */
export function redisStamp(ms: number): string {
  const d = new Date(ms)
  return `${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${iso(ms).slice(11, 23)}`
}

/** RabbitMQ 3.9+: `2025-08-14 10:00:00.123000+00:00`. */
export const rabbitStamp = (ms: number): string => `${iso(ms).slice(0, 10)} ${iso(ms).slice(11, 23)}000+00:00`

/** MongoDB structured logs' `$date`: `2025-08-14T10:00:00.123+00:00`. */
export const mongoStamp = (ms: number): string => `${iso(ms).slice(0, 23)}+00:00`

/** Bitnami's scripts (`info`): `10:00:00.12`. */
export const bitnamiStamp = (ms: number): string => iso(ms).slice(11, 22)

/** RFC 3339 with milliseconds and Z (Go's zerolog/logfmt): `2025-08-14T10:00:00.123Z`. */
export const rfc3339Milli = (ms: number): string => iso(ms)

/** RFC 3339 in seconds (`2025-08-14T10:00:00Z`, traefik's default console format). */
export const rfc3339 = (ms: number): string => `${iso(ms).slice(0, 19)}Z`
