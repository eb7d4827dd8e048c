/** @module json-decode.test: duplicate detection paths and Go-worded syntax errors. */
import { describe, expect, it } from 'vitest'
import {
  JSONSyntaxError,
  duplicateFieldMessages,
  maxJSONDepth,
  parseJSONWithDuplicates,
  summarizeData,
  unrecognizedBodyMessage,
} from '../../src/store/json-decode.js'

const syntax = (text: string): string => {
  try {
    parseJSONWithDuplicates(text)
  } catch (e) {
    expect(e).toBeInstanceOf(JSONSyntaxError)
    return (e as Error).message
  }
  throw new Error('expected a syntax error')
}

describe('parseJSONWithDuplicates', () => {
  it('returns no duplicates for ordinary bodies', () => {
    expect(parseJSONWithDuplicates('{"a":{"b":[{"c":1},{"c":"x\\"y:"}]},"d":"e:"}')).toEqual({
      value: { a: { b: [{ c: 1 }, { c: 'x"y:' }] }, d: 'e:' },
      duplicates: [],
    })
    expect(parseJSONWithDuplicates('3').duplicates).toEqual([])
  })

  it('reports duplicate paths with [i], keeping the last value', () => {
    const text = '{"metadata":{"name":"a","name":"b"},"spec":{"paused":true,"template":{"spec":{"containers":[{"name":"x","name":"y"}]}},"paused":false}}'
    const r = parseJSONWithDuplicates(text)
    expect(r.duplicates).toEqual(['metadata.name', 'spec.template.spec.containers[0].name', 'spec.paused'])
    expect((r.value as { metadata: { name: string } }).metadata.name).toBe('b')
    expect(duplicateFieldMessages(r.duplicates)[0]).toBe('duplicate field "metadata.name"')
  })

  it('reports top-level array paths like a JSON patch body', () => {
    expect(parseJSONWithDuplicates('[{"op":"add"},{"path":"/a","path":"/b"}]').duplicates).toEqual(['[1].path'])
  })

  it('reports each duplicate path once and handles escaped keys', () => {
    expect(parseJSONWithDuplicates('{"a\\"b":1,"a\\"b":2,"a\\"b":3}').duplicates).toEqual(['a"b'])
  })

  it('words syntax errors as Go does', () => {
    expect(syntax('x')).toBe("invalid character 'x' looking for beginning of value")
    expect(syntax('')).toBe('unexpected end of JSON input')
    expect(syntax('{"a":1')).toBe('unexpected end of JSON input')
    expect(syntax('{"a" 1}')).toBe("invalid character '1' after object key")
    expect(syntax('{"a":1 "b":2}')).toBe("invalid character '\"' after object key:value pair")
    expect(syntax('{,}')).toBe("invalid character ',' looking for beginning of object key string")
    expect(syntax('[1 2]')).toBe("invalid character '2' after array element")
    expect(syntax('{"a":tru}')).toBe("invalid character '}' in literal true (expecting 'e')")
    expect(syntax('{"a":-x}')).toBe("invalid character 'x' in numeric literal")
    expect(syntax('{"a":1.}')).toBe("invalid character '}' after decimal point in numeric literal")
    expect(syntax('{"a":"\\q"}')).toBe("invalid character 'q' in string escape code")
    expect(syntax('{"a":"\n"}')).toBe("invalid character '\\n' in string literal")
    expect(syntax('{} x')).toBe("invalid character 'x' after top-level value")
    expect(syntax("'a'")).toBe("invalid character '\\'' looking for beginning of value")
    expect(syntax('{"a":01}')).toBe("invalid character '1' after object key:value pair")
  })

  it('builds the create-time 400 text', () => {
    expect(unrecognizedBodyMessage('Pod', new Error("invalid character 'x' looking for beginning of value"), 'xyz')).toBe(
      "the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: invalid character 'x' looking for beginning of value (78797a)",
    )
    expect(summarizeData('{"kind":"Pod","apiVersion":"v1","metadata":{}}', 30)).toBe('{"kind":"Pod","apiVersion":"v1 ...')
    expect(summarizeData('', 30)).toBe('<empty>')
  })

  it('refuses nesting past maxJSONDepth with Go scanner\'s "exceeded max depth", unless a syntax error comes first', () => {
    const n = maxJSONDepth
    expect(parseJSONWithDuplicates('['.repeat(n) + ']'.repeat(n)).value).toBeInstanceOf(Array)
    expect(syntax(`${'{"a":'.repeat(n + 1)}1${'}'.repeat(n + 1)}`)).toBe("invalid character '{' exceeded max depth")
    expect(syntax('['.repeat(100000))).toBe("invalid character '[' exceeded max depth")
    expect(syntax(`{"x":[${'{"a":['.repeat(100000)}`)).toBe("invalid character '{' exceeded max depth")
    // brackets inside strings do not count
    expect(parseJSONWithDuplicates(JSON.stringify({ s: '['.repeat(n * 3) })).value).toEqual({ s: '['.repeat(n * 3) })
    // an error before the bracket that is one too deep is the one reported
    expect(syntax(`[x${'['.repeat(n * 2)}`)).toBe("invalid character 'x' looking for beginning of value")
    expect(syntax('{"a":'.repeat(n - 10))).toBe('unexpected end of JSON input')
  })

  it('stays fast on a large body without duplicates', () => {
    const items = Array.from({ length: 20000 }, (_, i) => ({ name: `c${i}`, image: 'nginx:1.27', env: [{ name: 'A', value: 'x:y' }], labels: { a: 'b' } }))
    const text = JSON.stringify({ items })
    const t0 = performance.now()
    const r = parseJSONWithDuplicates(text)
    const took = performance.now() - t0
    const t1 = performance.now()
    JSON.parse(text)
    const base = performance.now() - t1
    expect(r.duplicates).toEqual([])
    // generous bound: the duplicate check must not be an order of magnitude slower than JSON.parse
    expect(took).toBeLessThan(base * 10 + 50)
  })
})

describe('parseJSONWithDuplicates on long paths', () => {
  it('reports a repeated key once per object without comparing long path strings', () => {
    const key = 'k'.repeat(10_000)
    let inner = `{${'"a":1,'.repeat(40_000)}"a":1}`
    for (let i = 0; i < 100; i++) inner = `{"${key}":${inner}}`
    const t = performance.now()
    const { duplicates } = parseJSONWithDuplicates(inner)
    expect(performance.now() - t).toBeLessThan(2_000)
    expect(duplicates).toHaveLength(1)
    expect(duplicates[0].endsWith('.a')).toBe(true)
  })
})
