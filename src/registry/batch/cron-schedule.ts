/** @module cron-schedule: the error text of robfig/cron/v3 ParseStandard, which CronJob validation reports verbatim. */

interface Bounds {
  min: number
  max: number
  names?: Record<string, number>
}

const months = Object.fromEntries(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m, i) => [m, i + 1]))
const days = Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d, i) => [d, i]))
// minute, hour, day of month, month, day of week (ParseStandard's five fields).
const fieldBounds: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: months },
  { min: 0, max: 6, names: days },
]
const descriptors = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'])

/** strconv.Atoi plus cron's negative check (its `%s` of an int really prints `%!s(int=-1)`). */
function mustParseInt(expr: string): number {
  if (!/^[+-]?[0-9]+$/.test(expr)) throw new Error(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`)
  const n = parseInt(expr, 10)
  if (n < 0) throw new Error(`negative number (${n}) not allowed: %!s(int=${n})`)
  return n
}

function parseIntOrName(expr: string, names?: Record<string, number>): number {
  const named = names?.[expr.toLowerCase()]
  return named !== undefined ? named : mustParseInt(expr)
}

/** getRange: `a`, `a-b`, `*`, `?`, each optionally `/step`. */
function checkRange(expr: string, r: Bounds): void {
  const rangeAndStep = expr.split('/')
  const lowAndHigh = rangeAndStep[0].split('-')
  let start: number
  let end: number
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = r.min
    end = r.max
  } else {
    start = parseIntOrName(lowAndHigh[0], r.names)
    if (lowAndHigh.length === 1) end = start
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1], r.names)
    else throw new Error(`too many hyphens: ${expr}`)
  }
  let step = 1
  if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1])
    if (lowAndHigh.length === 1) end = r.max
  } else if (rangeAndStep.length > 2) {
    throw new Error(`too many slashes: ${expr}`)
  }
  if (start < r.min) throw new Error(`beginning of range (${start}) below minimum (${r.min}): ${expr}`)
  if (end > r.max) throw new Error(`end of range (${end}) above maximum (${r.max}): ${expr}`)
  if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`)
  if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`)
}

/** A Go duration such as `1h30m` or `90s` (time.ParseDuration's accepted shape). */
const goDuration = /^[+-]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h))+$|^[+-]?0$/

/**
 * Returns the error message cron.ParseStandard gives for `schedule`, or undefined when it parses.
 * A leading `TZ=`/`CRON_TZ=` zone is skipped (CronJob validation rejects it separately).
 */
export function cronScheduleError(schedule: string): string | undefined {
  let spec = schedule
  if (spec.length === 0) return 'empty spec string'
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const i = spec.indexOf(' ')
    spec = i < 0 ? '' : spec.slice(i).trim()
  }
  if (spec.startsWith('@')) {
    if (descriptors.has(spec)) return undefined
    if (spec.startsWith('@every ')) {
      const d = spec.slice('@every '.length)
      return goDuration.test(d) ? undefined : `failed to parse duration ${spec}: time: invalid duration ${JSON.stringify(d)}`
    }
    return `unrecognized descriptor: ${spec}`
  }
  const fields = spec.split(/\s+/).filter(Boolean)
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`
  try {
    fields.forEach((f, i) => {
      for (const part of f.split(',')) checkRange(part, fieldBounds[i])
    })
  } catch (e) {
    return (e as Error).message
  }
  return undefined
}
