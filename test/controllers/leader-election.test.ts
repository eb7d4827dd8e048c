/** @module leader-election.test: a leader keeps renewing its Lease while its start-up work (seeding) runs. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { Cluster } from '../../src/cluster.js'
import { LeaderElector } from '../../src/controllers/leader-election.js'

let cluster: Cluster
beforeAll(async () => {
  cluster = await Cluster.open({ speed: 0 })
})
afterAll(() => cluster.close())

const renewTime = () =>
  (
    cluster.registry.resource('coordination.k8s.io', 'leases').getStored('kube-system', 'kube-controller-manager')?.obj as
      | { spec?: { renewTime?: string } }
      | undefined
  )?.spec?.renewTime

describe('LeaderElector', () => {
  it('renews the Lease while onStartedLeading is still running, longer than the lease duration', async () => {
    let finish!: () => void
    const seeding = new Promise<void>((r) => {
      finish = r
    })
    let started = 0
    const elector = new LeaderElector({
      registry: cluster.registry,
      name: 'kube-controller-manager',
      identity: 'me',
      now: () => Date.now(),
      onStartedLeading: async () => {
        started++
        await seeding
      },
      onStoppedLeading: () => {},
      leaseDurationMs: 1000,
      renewDeadlineMs: 800,
      retryPeriodMs: 50,
    })
    elector.start()
    try {
      await vi.waitFor(() => expect(started).toBe(1), { timeout: 5000, interval: 10 })
      const first = renewTime()
      // Past the lease duration with the start-up work unfinished: still the leader, the Lease renewed.
      await new Promise((r) => setTimeout(r, 1200))
      expect(elector.isLeader()).toBe(true)
      expect(renewTime()! > first!).toBe(true)
      expect(started).toBe(1)
    } finally {
      finish()
      await elector.stop()
    }
  })
})
