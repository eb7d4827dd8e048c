import { describe, expect, test } from 'vitest'
import { FaultInjector, faultMatches, faultStatus, validateFaultSpec } from '../../src/api/faults.js'
import { requestInfo } from '../../src/api/journal.js'
import { StatusError } from '../../src/errors.js'

const listPods = requestInfo('GET', '/api/v1/namespaces/default/pods', '')
const getPod = requestInfo('GET', '/api/v1/namespaces/default/pods/web', '')
const podStatus = requestInfo('PUT', '/api/v1/namespaces/default/pods/web/status', '')
const watchDeploys = requestInfo('GET', '/apis/apps/v1/deployments', 'watch=true')

describe('faultStatus', () => {
  test('texts fit the code and name the object as apimachinery errors do', () => {
    expect(faultStatus({ status: 500 }, listPods).status).toMatchObject({
      code: 500,
      reason: 'InternalError',
      message: 'Internal error occurred: injected fault',
    })
    expect(faultStatus({ status: 404 }, getPod).status).toMatchObject({
      reason: 'NotFound',
      message: 'pods "web" not found',
      details: { name: 'web', kind: 'pods' },
    })
    expect(faultStatus({ status: 409 }, podStatus).message).toBe(
      'Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again',
    )
    expect(faultStatus({ status: 409 }, requestInfo('POST', '/api/v1/namespaces/default/pods', ''), 'x').status).toMatchObject({
      reason: 'AlreadyExists',
      message: 'pods "x" already exists',
    })
    expect(faultStatus({ status: 403 }, listPods).message).toBe(
      'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"',
    )
    expect(faultStatus({ status: 403 }, watchDeploys).message).toBe(
      'deployments.apps is forbidden: User "system:anonymous" cannot watch resource "deployments" in API group "apps" at the cluster scope',
    )
    expect(faultStatus({ status: 503 }, listPods).status).toMatchObject({
      reason: 'ServiceUnavailable',
      message: 'the server is currently unable to handle the request',
    })
    const tooMany = faultStatus({ status: 429, retryAfterSeconds: 3 }, listPods)
    expect(tooMany.status).toMatchObject({ reason: 'TooManyRequests', details: { retryAfterSeconds: 3 } })
    expect(tooMany.headers['Retry-After']).toBe('3')
    expect(faultStatus({ status: 429 }, listPods).headers['Retry-After']).toBe('1')
    expect(faultStatus({ status: 500, message: 'etcdserver: leader changed' }, listPods).message).toBe('etcdserver: leader changed')
    expect(faultStatus({ status: 502 }, listPods).status).toMatchObject({ reason: 'InternalError', code: 502 })
  })
})

describe('matching', () => {
  test('plural does not match its subresources; group qualifiers and names narrow', () => {
    expect(faultMatches({ resource: 'pods' }, getPod)).toBe(true)
    expect(faultMatches({ resource: 'pods' }, podStatus)).toBe(false)
    expect(faultMatches({ resource: 'pods/status', verb: 'update' }, podStatus)).toBe(true)
    expect(faultMatches({ resource: 'deployments.apps' }, watchDeploys)).toBe(true)
    expect(faultMatches({ resource: 'deployments.batch' }, watchDeploys)).toBe(false)
    expect(faultMatches({ name: 'web' }, listPods)).toBe(false)
    expect(faultMatches({ namespace: 'default', verb: 'list' }, listPods)).toBe(true)
    expect(faultMatches({ dropWatch: true }, listPods)).toBe(false)
    expect(faultMatches({}, requestInfo('GET', '/version', ''))).toBe(false)
  })

  test('count is consumed, rate is a probability, status stops the scan after latency adds up', () => {
    let dice = 0.5
    const f = new FaultInjector(
      () => 0,
      () => dice,
    )
    f.add({ verb: 'list', latencyMs: 10 })
    f.add({ verb: 'list', latencyMs: 5, rate: 0.4 })
    const once = f.add({ verb: 'list', status: 500, count: 1 })
    expect(f.apply(listPods)).toMatchObject({ latencyMs: 10, error: expect.any(StatusError) })
    dice = 0.1
    const second = f.apply(listPods)
    expect(second.latencyMs).toBe(15)
    expect(second.error).toBeUndefined()
    expect(f.get(once.id)).toMatchObject({ remaining: 0, hits: 1 })
    expect(f.list().map((x) => x.hits)).toEqual([2, 1, 1])
    expect(f.remove(once.id)?.id).toBe(once.id)
    expect(f.clear()).toHaveLength(2)
    expect(f.active).toBe(false)
  })
})

describe('validateFaultSpec', () => {
  test.each([
    [{ verb: 'list' }, 'FaultSpec is invalid: status: Required value: one effect is required: status, latencyMs or dropWatch'],
    [{ status: 500, latencyMs: 5 }, 'FaultSpec is invalid: latencyMs: Invalid value: 5: only one effect per fault (also given: status)'],
    [{ status: 500, count: 1, rate: 0.5 }, 'FaultSpec is invalid: rate: Invalid value: 0.5: give count or rate, not both'],
    [{ dropWatch: true, verb: 'list' }, 'FaultSpec is invalid: verb: Invalid value: "list": dropWatch applies to watch requests only'],
    [{ status: 200 }, 'FaultSpec is invalid: status: Invalid value: 200: must be >= 400'],
    [{ status: 500, rate: 2 }, 'FaultSpec is invalid: rate: Invalid value: 2: must be <= 1'],
    [
      { status: 500, verb: 'lst' },
      'FaultSpec is invalid: verb: Unsupported value: "lst": supported values: "get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"',
    ],
    [{ status: 500, nmae: 'x' }, 'FaultSpec is invalid: nmae: Forbidden: unknown field'],
    [{ status: '500' }, 'FaultSpec is invalid: status: Invalid value: "500": must be an integer'],
    [[], 'FaultSpec is invalid: <root>: Invalid value: []string{}: must be an object'],
  ])('%j', (spec, message) => {
    try {
      validateFaultSpec(spec)
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(StatusError)
      expect((err as StatusError).code).toBe(422)
      expect((err as StatusError).message).toBe(message)
    }
  })
})
