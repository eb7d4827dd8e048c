/** @module yaml-decode.test: untrusted YAML — bounded depth, aliasing and key shapes, goyaml's texts, and nothing printed. */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { decodeYAML, decodeYAMLDocuments, depthExceeds, maxDecodeDepth } from '../../src/util/yaml-decode.js'

const bomb = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  ...Array.from({ length: 8 }, (_, i) => {
    const name = String.fromCharCode(98 + i)
    return `${name}: &${name} [${Array(9)
      .fill(`*${String.fromCharCode(97 + i)}`)
      .join(',')}]`
  }),
].join('\n')

describe('decodeYAMLDocuments', () => {
  afterEach(() => vi.restoreAllMocks())

  it('decodes every document of a stream, empty ones as null', () => {
    expect(decodeYAMLDocuments('a: 1\n---\n---\n- b\n')).toEqual([{ a: 1 }, null, ['b']])
    expect(decodeYAML('')).toBeNull()
  })

  it("accepts nesting up to the limit and refuses deeper flow, block and sequence nesting with goyaml's words", () => {
    const flow = (d: number) => '['.repeat(d) + ']'.repeat(d)
    expect(depthExceeds(decodeYAML(flow(maxDecodeDepth)), maxDecodeDepth)).toBe(false)
    for (const text of [
      flow(maxDecodeDepth + 1),
      `a: ${'['.repeat(100_000)}`,
      `${'- '.repeat(5000)}x`,
      `${Array.from({ length: 600 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')} 1`,
    ]) {
      expect(() => decodeYAMLDocuments(text)).toThrow(`exceeded max depth of ${maxDecodeDepth}`)
    }
    expect(() => decodeYAMLDocuments(`a: 1\nb: ${'{'.repeat(600)}`)).toThrow(`line 2: exceeded max depth of ${maxDecodeDepth}`)
    // Brackets inside quoted scalars and comments are text, not nesting.
    expect(decodeYAML(`a: "${'['.repeat(2000)}"\nb: '${'{'.repeat(2000)}' # ${'['.repeat(2000)}\n`)).toEqual({ a: '['.repeat(2000), b: '{'.repeat(2000) })
  })

  it("bounds the depth before parsing, so compact and block nesting never reach the parser's stack limit", () => {
    // Each of these, twice in one process, used to abort Node ("RegExpCompiler Allocation failed").
    const anchors = `${Array.from({ length: 2000 }, (_, i) => `- &a${i} `).join('')}x`
    for (const text of [
      `${'- '.repeat(10_005)}x`,
      `${'- '.repeat(5007)}x`,
      `${'? '.repeat(5007)}x`,
      '- {a: '.repeat(5007),
      '[- '.repeat(5007),
      `${'- !!seq '.repeat(2000)}x`,
      `${'? !t '.repeat(2000)}x`,
      anchors,
    ]) {
      expect(() => decodeYAMLDocuments(text)).toThrow(`exceeded max depth of ${maxDecodeDepth}`)
    }
    // Aliases repeat their targets: five anchors of 300 levels each make 1500.
    let chain = `a0: &a0 ${'['.repeat(300)}x${']'.repeat(300)}\n`
    for (let k = 1; k < 5; k++) chain += `a${k}: &a${k} ${'['.repeat(300)}*a${k - 1}${']'.repeat(300)}\n`
    expect(() => decodeYAMLDocuments(chain)).toThrow(`exceeded max depth of ${maxDecodeDepth}`)
    expect(() => decodeYAMLDocuments('- '.repeat(600))).toThrow(`exceeded max depth of ${maxDecodeDepth}`)
    // Many keys on one line are not nesting: JSON with spaces after colons, or a long flow mapping.
    const wide = `{${Array.from({ length: 2000 }, (_, i) => `"k${i}": ${i}`).join(', ')}}`
    expect(Object.keys(decodeYAML(wide) as object)).toHaveLength(2000)
    expect(decodeYAML(`a: ${'x - '.repeat(1000)}y`)).toEqual({ a: `${'x - '.repeat(1000)}y` })
    // Block scalars are text: brackets, quotes and indicators in them do not count.
    const script = Array.from({ length: 2000 }, () => `    echo "[" don't [[[ {{{ - ? : x`).join('\n')
    expect(decodeYAML(`data:\n  run.sh: |\n${script}\nb: 1\n`)).toMatchObject({ b: 1 })
  })

  it('refuses an alias bomb as goyaml.v2 does', () => {
    expect(() => decodeYAMLDocuments(bomb)).toThrow('document contains excessive aliasing')
    expect(decodeYAML('a: &x [1]\nb: *x\n')).toEqual({ a: [1], b: [1] })
  })

  it('refuses collections as keys at once (the yaml library would take seconds stringifying them)', () => {
    const started = Date.now()
    expect(() => decodeYAMLDocuments(`${'- ? '.repeat(200)}x`)).toThrow('invalid map key: []interface {}{…}')
    expect(() => decodeYAMLDocuments('? {a: 1}\n: b\n')).toThrow('invalid map key: map[interface {}]interface {}{…}')
    expect(() => decodeYAMLDocuments('k: &k [1]\n*k : 2\n')).toThrow('invalid map key')
    expect(Date.now() - started).toBeLessThan(2000)
    expect(decodeYAML('k: &k name\n*k : 2\n? plain\n: 3\n')).toEqual({ k: 'name', name: 2, plain: 3 })
  })

  it('accepts only %YAML 1.1 (goyaml.v2) and prints nothing for other directives', () => {
    const emit = vi.spyOn(process, 'emitWarning')
    const write = vi.spyOn(process.stderr, 'write')
    expect(decodeYAML('%YAML 1.1\n---\na: yes\n')).toEqual({ a: true })
    for (const v of ['9.9', '1.2', '2.0']) expect(() => decodeYAMLDocuments(`%YAML ${v}\n---\na: 1\n`)).toThrow('found incompatible YAML document')
    expect(() => decodeYAMLDocuments('%FOO bar\n---\na: 1\n')).toThrow('found unknown directive name')
    // kubemock's own files may say 1.2; 9.9 is refused there too, not warned about.
    expect(decodeYAMLDocuments('%YAML 1.2\n---\na: 1\n', { yaml12: true })).toEqual([{ a: 1 }])
    expect(() => decodeYAMLDocuments('%YAML 9.9\n---\na: 1\n', { yaml12: true })).toThrow('found incompatible YAML document')
    expect(emit).not.toHaveBeenCalled()
    expect(write).not.toHaveBeenCalled()
  })
})

describe('depthExceeds', () => {
  it('measures arrays and objects iteratively, even far past the stack limit', () => {
    let deep: unknown = 1
    for (let i = 0; i < 200_000; i++) deep = [deep]
    expect(depthExceeds(deep, 10)).toBe(true)
    expect(depthExceeds({ a: [{ b: 1 }] }, 3)).toBe(false)
    expect(depthExceeds({ a: [{ b: {} }] }, 3)).toBe(true)
  })
})

describe('decodeYAMLDocuments on hostile single lines', () => {
  it('scans a long line of ` |#` in linear time (the block-scalar test skips the comment)', () => {
    const line = `a: ${' |#'.repeat(32_000)}\rx\n`
    const t = performance.now()
    try {
      decodeYAMLDocuments(line)
    } catch {
      // a 400 is fine; the time is what matters
    }
    expect(performance.now() - t).toBeLessThan(1_000)
  })
})
