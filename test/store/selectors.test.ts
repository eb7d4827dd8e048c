/** @module selectors.test: label selector grammar, matching, errors and formatting. */
import { describe, expect, it } from 'vitest'
import { StoreError } from '../../src/store/store-error.js'
import { labelSelectorAsString, labelSelectorFromObject, matchRequirements, parseLabelSelector, requirementsToString } from '../../src/store/selectors.js'

const parseError = (s: string): string => {
  try {
    parseLabelSelector(s)
  } catch (e) {
    expect(e).toBeInstanceOf(StoreError)
    expect((e as StoreError).code).toBe('BadRequest')
    return (e as StoreError).message
  }
  throw new Error(`expected ${s} to fail`)
}

describe('parseLabelSelector', () => {
  it('parses every operator and sorts by key', () => {
    const reqs = parseLabelSelector('z=1, y==2,x!=3,w in (b,a,a),v notin (c), u, !t, s>4, r<5')
    expect(reqs.map((r) => [r.key, r.operator, r.values])).toEqual([
      ['r', 'LessThan', ['5']],
      ['s', 'GreaterThan', ['4']],
      ['t', 'DoesNotExist', []],
      ['u', 'Exists', []],
      ['v', 'NotIn', ['c']],
      ['w', 'In', ['a', 'b']],
      ['x', 'NotEquals', ['3']],
      ['y', 'DoubleEquals', ['2']],
      ['z', 'Equals', ['1']],
    ])
  })

  it('empty selector matches everything', () => {
    expect(parseLabelSelector('')).toEqual([])
    expect(parseLabelSelector('  ')).toEqual([])
  })

  it('allows empty values', () => {
    expect(parseLabelSelector('a=')[0].values).toEqual([''])
    expect(parseLabelSelector('a in (x,)')[0].values).toEqual(['', 'x'])
    expect(parseLabelSelector('a in ()')[0].values).toEqual([''])
  })

  it('treats in/notin as identifiers in value position', () => {
    expect(parseLabelSelector('a=in')[0].values).toEqual(['in'])
  })

  it('accepts prefixed keys', () => {
    expect(parseLabelSelector('app.kubernetes.io/name=web')[0].key).toBe('app.kubernetes.io/name')
  })

  it('reports upstream parser errors', () => {
    expect(parseError('a,')).toBe("found '', expected: identifier after ','")
    expect(parseError('(a)')).toBe("found '(', expected: !, identifier, or 'end of string'")
    expect(parseError('a b')).toBe("unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt")
    expect(parseError('a in b')).toBe("unable to parse requirement: found 'b' expected: '('")
    expect(parseError('a in (b')).toBe("unable to parse requirement: found '', expected: ',' or ')'")
    expect(parseError('a=b c')).toBe("found 'c', expected: ',' or 'end of string'")
    expect(parseError('!a=b')).toBe("found '=', expected: ',' or 'end of string'")
    expect(parseError('a=(b)')).toBe("unable to parse requirement: found '(', expected: identifier")
  })

  it('validates keys and values with the upstream texts', () => {
    expect(parseError('-a=b')).toBe(
      "unable to parse requirement: <nil>: Invalid value: \"-a\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    )
    expect(parseError('a=b$')).toBe(
      "unable to parse requirement: values[0][a]: Invalid value: \"b$\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    )
    expect(parseError('a>b')).toBe("unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer")
    expect(parseError('x/y/z')).toContain('a qualified name must consist of alphanumeric characters')
    expect(parseError(`${'a'.repeat(64)}=b`)).toContain('name part must be no more than 63 characters')
  })
})

describe('matchRequirements', () => {
  const m = (sel: string, labels?: Record<string, string>) => matchRequirements(parseLabelSelector(sel), labels)
  it('implements set semantics', () => {
    expect(m('app=web', { app: 'web' })).toBe(true)
    expect(m('app=web', {})).toBe(false)
    expect(m('app!=web', {})).toBe(true)
    expect(m('app!=web', { app: 'web' })).toBe(false)
    expect(m('tier in (a,b)', { tier: 'b' })).toBe(true)
    expect(m('tier in (a,b)', undefined)).toBe(false)
    expect(m('tier notin (a,b)', undefined)).toBe(true)
    expect(m('tier notin (a,b)', { tier: 'a' })).toBe(false)
    expect(m('tier', { tier: '' })).toBe(true)
    expect(m('!tier', { tier: '' })).toBe(false)
    expect(m('n>3', { n: '4' })).toBe(true)
    expect(m('n>3', { n: 'x' })).toBe(false)
    expect(m('n<3', { n: '-1' })).toBe(true)
    expect(m('a=1,b=2', { a: '1' })).toBe(false)
    expect(m('', undefined)).toBe(true)
  })
})

describe('label selector objects', () => {
  it('formats like FormatLabelSelector', () => {
    expect(
      labelSelectorAsString({
        matchLabels: { tier: 'fe', app: 'web' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['b', 'a'] },
          { key: 'x', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('app=web,env in (a,b),tier=fe,!x')
    expect(labelSelectorAsString({})).toBe('<none>')
    expect(labelSelectorAsString(undefined)).toBe('<none>')
    expect(labelSelectorAsString({}, { empty: '' })).toBe('')
    expect(labelSelectorAsString({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] })).toBe('<error>')
  })

  it('rejects unknown operators with the upstream text', () => {
    try {
      labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] })
      throw new Error('no error')
    } catch (e) {
      expect((e as StoreError).message).toBe('"Bogus" is not a valid label selector operator')
    }
  })

  it('matches object selectors', () => {
    const reqs = labelSelectorFromObject({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] })
    expect(matchRequirements(reqs, { app: 'web', tier: 'fe' })).toBe(true)
    expect(matchRequirements(reqs, { app: 'web', tier: 'db' })).toBe(false)
    expect(requirementsToString(reqs)).toBe('app=web,tier notin (db)')
  })
})
