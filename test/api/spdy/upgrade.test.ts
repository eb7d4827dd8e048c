/** @module spdy/upgrade.test: httpstream.Handshake's negotiation and the SPDY upgrade header check. */
import { describe, expect, test } from 'vitest'
import { isSpdyUpgrade, negotiateStreamProtocol } from '../../../src/api/spdy/upgrade.js'

describe('SPDY upgrade negotiation', () => {
  const ours = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io']
  test('the first client value we speak wins; repeated and comma-separated headers both count', () => {
    expect(negotiateStreamProtocol(['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io'], ours)).toEqual({ protocol: 'v4.channel.k8s.io' })
    expect(negotiateStreamProtocol('v2.channel.k8s.io, v4.channel.k8s.io', ours)).toEqual({ protocol: 'v2.channel.k8s.io' })
  })
  test('missing → 400, no overlap → 403 naming both sides', () => {
    expect(negotiateStreamProtocol(undefined, ours)).toMatchObject({ code: 400, message: 'unable to upgrade: X-Stream-Protocol-Version is required' })
    expect(negotiateStreamProtocol(' , ', ours)).toMatchObject({ code: 400 })
    expect(negotiateStreamProtocol('x', ['portforward.k8s.io'])).toEqual({
      code: 403,
      message: 'unable to upgrade: unable to negotiate protocol: client supports [x], server accepts [portforward.k8s.io]',
      headers: { 'X-Accepted-Stream-Protocol-Versions': ['portforward.k8s.io'] },
    })
  })
  test('an upgrade is SPDY when Upgrade names SPDY/3.1 and Connection says upgrade', () => {
    expect(isSpdyUpgrade({ upgrade: 'SPDY/3.1', connection: 'Upgrade' })).toBe(true)
    expect(isSpdyUpgrade({ upgrade: 'spdy/3.1', connection: 'keep-alive, upgrade' })).toBe(true)
    expect(isSpdyUpgrade({ upgrade: 'websocket', connection: 'Upgrade' })).toBe(false)
    expect(isSpdyUpgrade({ upgrade: 'SPDY/3.1' })).toBe(false)
  })
})
