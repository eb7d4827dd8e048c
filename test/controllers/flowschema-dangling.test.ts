/** @module flowschema-dangling.test: the Dangling condition of the bootstrap FlowSchemas, on an in-process cluster with a manual clock. */
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster } from '../../src/cluster.js'
import type { FlowSchema } from '../../src/registry/flowcontrol/flowschemas.js'

let cluster: Cluster | undefined
afterEach(() => {
  cluster?.close()
  cluster = undefined
})

async function start(): Promise<Cluster> {
  cluster = await Cluster.open({ speed: 0, nodes: 0 })
  return cluster
}

describe('FlowSchema Dangling', () => {
  it('marks the bootstrap FlowSchemas Dangling=False and one whose level is deleted Dangling=True', async () => {
    const c = await start()
    const fs = c.registry.resource<FlowSchema>('flowcontrol.apiserver.k8s.io', 'flowschemas')
    await c.clock.advance(10)
    expect(fs.list(undefined).items).toHaveLength(13)
    expect(fs.read('', 'exempt')?.status?.conditions).toEqual([
      {
        type: 'Dangling',
        status: 'False',
        lastTransitionTime: expect.any(String),
        reason: 'Found',
        message: 'This FlowSchema references the PriorityLevelConfiguration object named "exempt" and it exists',
      },
    ])
    await c.registry.resource('flowcontrol.apiserver.k8s.io', 'prioritylevelconfigurations').delete('', 'workload-low', {})
    await c.clock.advance(10)
    expect(fs.read('', 'service-accounts')?.status?.conditions?.[0]).toMatchObject({ status: 'True', reason: 'NotFound' })
  })
})
