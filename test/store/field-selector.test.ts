/** @module field-selector.test: field selector parsing, escaping, matching and error texts. */
import { describe, expect, it } from 'vitest'
import { StoreError } from '../../src/store/store-error.js'
import { matchFields, parseFieldSelector } from '../../src/store/field-selector.js'

const err = (s: string): StoreError => {
  try {
    parseFieldSelector(s)
  } catch (e) {
    expect(e).toBeInstanceOf(StoreError)
    expect((e as StoreError).code).toBe('BadRequest')
    return e as StoreError
  }
  throw new Error('expected failure')
}

describe('parseFieldSelector', () => {
  it('parses =, == and != terms', () => {
    expect(parseFieldSelector('metadata.name=web,status.phase!=Running,spec.nodeName==n1')).toEqual([
      { field: 'metadata.name', operator: '=', value: 'web' },
      { field: 'spec.nodeName', operator: '==', value: 'n1' },
      { field: 'status.phase', operator: '!=', value: 'Running' },
    ])
    expect(parseFieldSelector('')).toEqual([])
  })

  it('unescapes \\, \\= and \\\\ in values', () => {
    expect(parseFieldSelector('a=x\\,y\\=z\\\\')).toEqual([{ field: 'a', operator: '=', value: 'x,y=z\\' }])
  })

  it('reports upstream texts', () => {
    const e = err('metadata.name=a,foo')
    expect(e.code).toBe('BadRequest')
    expect(e.message).toBe("invalid selector: 'metadata.name=a,foo'; can't understand 'foo'")
    expect(err('a=b\\x').message).toBe('invalid field selector: invalid escape sequence: \\x')
    expect(err('a=b=c').message).toBe('invalid field selector: unescaped character in value: =')
  })

  it('matches, treating missing fields as empty', () => {
    const reqs = parseFieldSelector('spec.nodeName=,metadata.name!=x')
    expect(matchFields(reqs, { 'metadata.name': 'y' })).toBe(true)
    expect(matchFields(reqs, { 'metadata.name': 'x' })).toBe(false)
    expect(matchFields(reqs, { 'metadata.name': 'y', 'spec.nodeName': 'n' })).toBe(false)
  })
})
