/** @module default-storage-class.test: a new cluster has kind's `standard` StorageClass, and claims default to it. */
import { describe, expect, it } from 'vitest'
import { Cluster } from '../../src/cluster.js'

describe('the default StorageClass', () => {
  it('is seeded at boot as kind has it, and a claim without a class gets it', async () => {
    const c = await Cluster.open({ speed: 0, nodes: 1 })
    try {
      const sc = c.registry.resource('storage.k8s.io', 'storageclasses').getStored('', 'standard')?.obj as Record<string, unknown> & {
        metadata: { annotations?: Record<string, string> }
      }
      expect(sc).toMatchObject({ provisioner: 'rancher.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer' })
      expect(sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class']).toBe('true')
      const claim = await c.registry
        .resource('', 'persistentvolumeclaims')
        .create('default', { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } })
      expect((claim.obj as unknown as { spec: { storageClassName?: string } }).spec.storageClassName).toBe('standard')
    } finally {
      c.close()
    }
  })
})
