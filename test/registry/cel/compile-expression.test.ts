import { describe, expect, test } from 'vitest'
import { CelEvaluationError, compileExpression } from '../../../src/registry/cel/compile-expression.js'
import { authorizerValue } from '../../../src/registry/cel/library-authz.js'

const vars = ['object', 'oldObject', 'request', 'authorizer']
const activation = {
  object: { spec: { replicas: 3, name: 'a-b', items: [3, 1, 2], ratio: 0.5 }, metadata: { labels: { app: 'web' } } },
  oldObject: null,
  request: { operation: 'CREATE' },
  authorizer: authorizerValue(),
}

function evaluate(expression: string): unknown {
  const c = compileExpression(expression, vars)
  if ('error' in c) throw new Error(`compile: ${c.error}`)
  return c.evaluate(activation)
}

function compileError(expression: string): string {
  const c = compileExpression(expression, vars)
  return 'error' in c ? c.error : ''
}

describe('compileExpression', () => {
  test.each([
    ['object.spec.replicas <= 5', true],
    ['object.spec.replicas == 3 && object.spec.ratio == 0.5', true],
    ['has(object.spec.foo)', false],
    ['has(object.spec.name)', true],
    ['oldObject == null', true],
    ["request.operation == 'CREATE' && object.metadata.labels.app == 'web'", true],
    ['object.spec.items.all(x, x > 0)', true],
    ['object.spec.items.exists_one(x, x == 2)', true],
    ['object.spec.items.map(x, x * 2)', [6, 2, 4]],
    ['object.spec.items.filter(x, x > 1)', [3, 2]],
    ["object.metadata.labels.exists(k, k == 'app')", true],
  ])('macros and JSON values: %s', (e, want) => {
    expect(evaluate(e)).toEqual(want)
  })

  test.each([
    ["'Hello'.lowerAscii() + 'x'.upperAscii()", 'helloX'],
    ["'a,b,c'.split(',')", ['a', 'b', 'c']],
    ["['a', 'b'].join('-')", 'a-b'],
    ["'  x '.trim()", 'x'],
    ["'abcabc'.lastIndexOf('b')", 4],
    ["'abc'.substring(1, 2)", 'b'],
    ["'aaa'.replace('a', 'b', 2)", 'bba'],
    ['object.spec.name.charAt(1)', '-'],
  ])('strings extension: %s', (e, want) => {
    expect(evaluate(e)).toEqual(want)
  })

  test.each([
    ['object.spec.items.sum()', 6],
    ['[1.5, 2.5].sum()', 4],
    ['[].sum()', 0],
    ['object.spec.items.min()', 1],
    ['object.spec.items.max()', 3],
    ['object.spec.items.isSorted()', false],
    ["['a', 'b'].isSorted()", true],
    ['object.spec.items.indexOf(1)', 1],
    ['[1, 2, 1].lastIndexOf(1)', 2],
    ['[1, 2].indexOf(5)', -1],
    ["'a1b22'.find('[0-9]+')", '1'],
    ["'abc'.find('[0-9]+')", ''],
    ["'a1b22c333'.findAll('[0-9]+')", ['1', '22', '333']],
    ["'a1b22c333'.findAll('[0-9]+', 2)", ['1', '22']],
    ['sets.contains([1, 2, 3], [1, 3])', true],
    ['sets.equivalent([1, 2], [2, 1, 1])', true],
    ['sets.intersects([1], [2])', false],
  ])('lists, regex and sets libraries: %s', (e, want) => {
    expect(evaluate(e)).toEqual(want)
  })

  test.each([
    ["url('https://user@example.com:8443/a%20b/c?x=1&x=2&y').getScheme()", 'https'],
    ["url('https://user@example.com:8443/a%20b/c').getHost()", 'example.com:8443'],
    ["url('https://example.com:8443/a').getHostname()", 'example.com'],
    ["url('https://[::1]:80/a').getHostname()", '::1'],
    ["url('https://[::1]:80/a').getHost()", '[::1]:80'],
    ["url('https://example.com/a').getPort()", ''],
    ["url('https://example.com/a%20b/c').getEscapedPath()", '/a%20b/c'],
    ["url('https://example.com/?x=1&x=2&y').getQuery()", { x: ['1', '2'], y: [''] }],
    ["url('/absolute/path').getScheme()", ''],
    ["isURL('https://example.com')", true],
    ["isURL('example.com')", false],
  ])('urls library: %s', (e, want) => {
    expect(evaluate(e)).toEqual(want)
  })

  test.each([
    ["quantity('1Gi').isGreaterThan(quantity('1000M'))", true],
    ["quantity('500m').isLessThan(quantity('1'))", true],
    ["quantity('1k').compareTo(quantity('1000'))", 0],
    ["quantity('500m').add(quantity('1')).asApproximateFloat()", 1.5],
    ["string(quantity('1500m').add(1))", '2500m'],
    ["string(quantity('1Gi').sub(quantity('512Mi')))", '512Mi'],
    ["quantity('2k').asInteger()", 2000],
    ["quantity('1.5').isInteger()", false],
    ["quantity('-1').sign()", -1],
    ["isQuantity('1x')", false],
    ["isQuantity('20Mi')", true],
  ])('quantity library: %s', (e, want) => {
    expect(evaluate(e)).toEqual(want)
  })

  test.each([
    ["ip('10.0.0.1').family()", 4],
    ["ip('::1').family()", 6],
    ["ip('127.0.0.1').isLoopback()", true],
    ["ip('169.254.1.1').isLinkLocalUnicast()", true],
    ["ip('10.0.0.1').isGlobalUnicast()", true],
    ["ip('0.0.0.0').isUnspecified()", true],
    ["ip('ff02::1').isLinkLocalMulticast()", true],
    ["string(ip('2001:db8:0:0:0:0:0:1'))", '2001:db8::1'],
    ["ip.isCanonical('2001:DB8::1')", false],
    ["ip.isCanonical('2001:db8::1')", true],
    ["isIP('10.0.0.256')", false],
    ["isIP('010.0.0.1')", false],
    ["cidr('10.0.0.0/8').containsIP('10.1.2.3')", true],
    ["cidr('10.0.0.0/8').containsIP(ip('11.0.0.1'))", false],
    ["cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16')", true],
    ["cidr('10.0.0.0/16').containsCIDR(cidr('10.0.0.0/8'))", false],
    ["string(cidr('10.1.2.3/8').masked())", '10.0.0.0/8'],
    ["cidr('10.1.2.3/8').prefixLength()", 8],
    ["string(cidr('10.1.2.3/8').ip())", '10.1.2.3'],
    ["isCIDR('10.0.0.0')", false],
  ])('ip and cidr libraries: %s', (e, want) => {
    expect(evaluate(e)).toEqual(want)
  })

  test('the authorizer allows every check (authorization is not simulated)', () => {
    expect(evaluate("authorizer.group('apps').resource('deployments').namespace('d').name('x').check('create').allowed()")).toBe(true)
    expect(evaluate("authorizer.path('/healthz').check('get').allowed()")).toBe(true)
    expect(evaluate("authorizer.serviceAccount('ns', 'sa').group('').resource('pods').check('list').reason()")).toBe('')
  })

  test.each([
    ['object.spec.missing', 'no such key: missing'],
    ['1 / 0', 'int divide by zero'],
    ['[].min()', 'min called on empty list'],
    ["quantity('bad')", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
    ["url('nope')", 'URL parse error during conversion from string: parse "nope": invalid URI for request'],
    ["ip('1.2.3')", 'IP Address "1.2.3" parse error during conversion from string: ParseAddr("1.2.3"): unable to parse IP'],
    ["ip('::ffff:1.2.3.4')", 'IPv4-mapped IPv6 address is not allowed'],
  ])('evaluation errors throw CelEvaluationError: %s', (e, msg) => {
    expect(() => evaluate(e)).toThrow(CelEvaluationError)
    expect(() => evaluate(e)).toThrow(msg)
  })

  test('compile errors are cel-go formatted, with the source line and a caret', () => {
    expect(compileError('foo == 1')).toBe("ERROR: <input>:1:1: undeclared reference to 'foo' (in container '')\n | foo == 1\n | ^")
    expect(compileError('object.spec.x.nope()')).toMatch(/^ERROR: <input>:1:\d+: undeclared reference to 'nope'/)
    expect(compileError('size(object, 1)')).toContain("found no matching overload for 'size'")
    expect(compileError('object.spec.')).toMatch(/^ERROR: <input>:1:\d+: Syntax error: /)
    expect(compileError('object.spec.items.all(x, x > y)')).toContain("undeclared reference to 'y'")
    expect(compileError('object.spec.items.all(x, x > 0)')).toBe('')
    expect(compileError('sets.contains([1], [1], [1])')).toContain("found no matching overload for 'sets.contains'")
  })

  test('the evaluation does not mutate the activation', () => {
    const before = JSON.stringify(activation.object)
    evaluate('object.spec.items.map(x, x + 1)')
    expect(JSON.stringify(activation.object)).toBe(before)
  })
})
