/**
 * @module cel-escaping: how an object property name becomes a CEL field name (`x-y` →
 * `x__dash__y`, `namespace` → `__namespace__`), as k8s.io/apiserver/pkg/cel/escaping.go.
 * https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/cel/escaping.go
 */

/** CEL's reserved words and the language keywords; a property with one of these names is `__name__`. */
const reserved = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
])

const expand = /(__|[-./]|[^a-zA-Z0-9\-./_])/g

/** The CEL name of a property, or undefined when the name cannot be written in CEL (it is then not accessible). */
export function escapeCelName(name: string): string | undefined {
  if (name === '' || (name[0] >= '0' && name[0] <= '9')) return undefined
  if (reserved.has(name)) return `__${name}__`
  let ok = true
  const out = name.replace(expand, (s) => {
    switch (s) {
      case '__':
        return '__underscores__'
      case '.':
        return '__dot__'
      case '-':
        return '__dash__'
      case '/':
        return '__slash__'
      default:
        ok = false
        return ''
    }
  })
  return ok ? out : undefined
}
