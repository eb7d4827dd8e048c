/** The union of authorization modes: system:masters first, then the first Allow or Deny, reasons joined. */
import { describe, expect, it } from 'vitest'
import { alwaysAllow, type Authorizer } from '../../../src/registry/authorization/authorizer.js'
import { alwaysDeny, authorizerForModes, unionAuthorizer } from '../../../src/registry/authorization/modes.js'

const attrs = (groups: string[]) => ({ user: { username: 'u', uid: '', groups }, verb: 'get', resourceRequest: false, path: '/x' })
const noOpinion = (reason: string): Authorizer => ({ authorize: () => ({ decision: 'NoOpinion', reason }) })

describe('authorization modes', () => {
  it('allows system:masters before asking any mode', () => {
    expect(unionAuthorizer([alwaysDeny]).authorize(attrs(['system:masters']))).toEqual({ decision: 'Allow', reason: '' })
    expect(unionAuthorizer([alwaysDeny]).authorize(attrs([]))).toEqual({ decision: 'Deny', reason: 'Everything is forbidden.' })
  })

  it('asks the modes in order and joins the reasons of those without an opinion', () => {
    expect(unionAuthorizer([noOpinion('a'), noOpinion(''), noOpinion('b')]).authorize(attrs([]))).toEqual({ decision: 'NoOpinion', reason: 'a\nb' })
    expect(unionAuthorizer([noOpinion('a'), alwaysAllow]).authorize(attrs([])).decision).toBe('Allow')
  })

  it('keeps the plain AlwaysAllow for the default, so requests skip attribute parsing', () => {
    expect(authorizerForModes(['AlwaysAllow'], () => alwaysDeny)).toBe(alwaysAllow)
    expect(authorizerForModes(['AlwaysDeny'], () => alwaysAllow).authorize(attrs([])).decision).toBe('Deny')
  })
})
