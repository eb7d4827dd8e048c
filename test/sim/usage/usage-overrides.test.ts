/** @module usage-overrides.test: the control API's usage bodies and which override a container gets. */
import { describe, expect, it } from 'vitest'
import { StatusError } from '../../../src/errors.js'
import { parseUsageOverride, UsageOverrides } from '../../../src/sim/usage/usage-overrides.js'

const status = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    if (err instanceof StatusError) return { code: err.code, message: err.status.message }
    throw err
  }
  throw new Error('expected a StatusError')
}

describe('parseUsageOverride', () => {
  it('takes quantities for every container and per container', () => {
    expect(parseUsageOverride({ cpu: '500m', memory: '200Mi', containers: [{ name: 'c', cpu: '1', memory: '64Mi' }] }, 'p')).toEqual({
      cpuNanoCores: 500_000_000,
      memoryBytes: 200 * 2 ** 20,
      containers: { c: { cpuNanoCores: 1e9, memoryBytes: 64 * 2 ** 20 } },
    })
    expect(parseUsageOverride({ memory: '1G' }, 'p')).toEqual({ memoryBytes: 1e9, containers: {} })
    expect(parseUsageOverride({}, 'p')).toEqual({ containers: {} })
  })

  it('refuses what is not a body (400) and bad quantities (422)', () => {
    expect(status(() => parseUsageOverride([], 'p')).code).toBe(400)
    expect(status(() => parseUsageOverride({ cpus: '1' }, 'p'))).toEqual({ code: 400, message: 'invalid control request: unknown field "cpus"' })
    expect(status(() => parseUsageOverride({ cpu: true }, 'p')).code).toBe(400)
    expect(status(() => parseUsageOverride({ containers: {} }, 'p')).code).toBe(400)
    expect(status(() => parseUsageOverride({ cpu: 'lots' }, 'p'))).toEqual({
      code: 422,
      message: `Usage "p" is invalid: cpu: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    })
    expect(status(() => parseUsageOverride({ containers: [{ memory: '-1Mi', name: 'c' }, { cpu: '1' }] }, 'p'))).toEqual({
      code: 422,
      message: 'Usage "p" is invalid: [containers[0].memory: Invalid value: "-1Mi": must be greater than or equal to 0, containers[1].name: Required value]',
    })
  })
})

describe('UsageOverrides', () => {
  it("a pod's own override wins over a selector's; container entries over the top level", () => {
    const t = new UsageOverrides()
    const changes: string[] = []
    t.onChange((ns) => changes.push(ns))
    t.setSelector('default', 'app=web', parseUsageOverride({ cpu: '250m', containers: [{ name: 'side', memory: '10Mi' }] }, 'default'))
    expect(t.forContainer('default', 'web-1', { app: 'web' }, 'main')).toEqual({ cpuNanoCores: 250_000_000, memoryBytes: undefined })
    expect(t.forContainer('default', 'web-1', { app: 'web' }, 'side')).toEqual({ cpuNanoCores: 250_000_000, memoryBytes: 10 * 2 ** 20 })
    expect(t.forContainer('default', 'db-1', { app: 'db' }, 'main')).toBeUndefined()
    expect(t.forContainer('other', 'web-1', { app: 'web' }, 'main')).toBeUndefined()
    t.setPod('default', 'web-1', parseUsageOverride({ memory: '1Gi' }, 'web-1'))
    expect(t.forContainer('default', 'web-1', { app: 'web' }, 'main')).toEqual({ cpuNanoCores: undefined, memoryBytes: 2 ** 30 })
    expect(t.deletePod('default', 'web-1')).toBe(true)
    expect(t.deletePod('default', 'web-1')).toBe(false)
    expect(t.deleteSelector('default', 'app=web')).toBe(true)
    expect(t.empty).toBe(true)
    expect(changes).toEqual(['default', 'default', 'default', 'default'])
    expect(status(() => t.setSelector('default', 'a===b', { containers: {} })).code).toBe(400)
  })
})
