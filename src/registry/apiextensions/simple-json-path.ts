/**
 * @module simple-json-path: the simple JSONPaths CRDs name fields with (`.spec.replicas`,
 * `.status.conditions[0].type`, `.metadata.labels['app']`): read and write one value.
 */

/** The steps of a simple path: property names and list indexes. */
export function parseSimpleJSONPath(path: string): (string | number)[] {
  const steps: (string | number)[] = []
  const re = /\.([A-Za-z0-9_-]+)|\[(\d+)\]|\['([^']+)'\]|\["([^"]+)"\]/gy
  let m: RegExpExecArray | null
  while ((m = re.exec(path))) steps.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3] ?? m[4]))
  return steps
}

/** The value at `path` in `obj`, or undefined when any step is missing. */
export function getAtPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj
  for (const step of parseSimpleJSONPath(path)) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string | number, unknown>)[step]
  }
  return cur
}

/** Sets the value at `path` (a path of property names), creating the objects on the way. Mutates `obj`. */
export function setAtPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const steps = parseSimpleJSONPath(path)
  let cur: Record<string | number, unknown> = obj
  for (const step of steps.slice(0, -1)) {
    const next = cur[step]
    if (next === null || typeof next !== 'object') cur[step] = {}
    cur = cur[step] as Record<string | number, unknown>
  }
  cur[steps[steps.length - 1]] = value
}
