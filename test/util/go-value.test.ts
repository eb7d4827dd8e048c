import { describe, expect, it } from 'vitest'
import { goSyntax } from '../../src/util/go-value.js'
import { parseQuantity } from '../../src/registry/shared/quantity.js'
import { containersAndImages } from '../../src/registry/shared/workload-columns.js'
import { formatLabels } from '../../src/registry/shared/columns.js'

describe('goSyntax', () => {
  it('renders string maps like %#v, keys sorted', () => {
    expect(goSyntax({ tier: 'db', app: 'x' })).toBe('map[string]string{"app":"x", "tier":"db"}')
  })
  it('renders string slices', () => {
    expect(goSyntax(['10.96.0.9'])).toBe('[]string{"10.96.0.9"}')
  })
})

describe('parseQuantity', () => {
  it.each([
    ['500m', 0.5],
    ['2', 2],
    ['128Mi', 128 * 2 ** 20],
    ['1G', 1e9],
    ['1e3', 1000],
  ])('%s', (q, v) => expect(parseQuantity(q)).toBeCloseTo(v))
  it('rejects garbage', () => expect(parseQuantity('lots')).toBeUndefined())
})

describe('columns helpers', () => {
  it('containersAndImages joins names and images', () => {
    expect(
      containersAndImages({
        containers: [
          { name: 'web', image: 'nginx:1.25' },
          { name: 'log', image: 'busybox' },
        ],
      }),
    ).toEqual(['web,log', 'nginx:1.25,busybox'])
  })
  it('formatLabels sorts and says <none>', () => {
    expect(formatLabels({ tier: 'a', app: 'web' })).toBe('app=web,tier=a')
    expect(formatLabels({})).toBe('<none>')
  })
})
