/** @module storage-bad-input.test: odd claim, volume and class bodies through HTTP get a Status with a 4xx code, never a 500. */
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../helpers/test-app.js'

const t = useTestApp()

const bodies: [string, string, unknown][] = [
  ['/api/v1/namespaces/default/persistentvolumeclaims', 'pvc', { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: 'abc' } } } }],
  ['/api/v1/namespaces/default/persistentvolumeclaims', 'pvc', { spec: { accessModes: 'ReadWriteOnce', resources: { requests: { storage: '1Gi' } } } }],
  ['/api/v1/namespaces/default/persistentvolumeclaims', 'pvc', { spec: 'x' }],
  [
    '/api/v1/namespaces/default/persistentvolumeclaims',
    'pvc',
    { spec: { accessModes: ['ReadWriteOnce'], selector: { matchExpressions: [{ key: 'a', operator: 'Nope' }] }, resources: { requests: { storage: '1Gi' } } } },
  ],
  ['/api/v1/persistentvolumes', 'pv', { spec: { capacity: { storage: -1 }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/x' } } }],
  [
    '/api/v1/persistentvolumes',
    'pv',
    { spec: { capacity: { storage: '1Gi', cpu: '1' }, accessModes: ['ReadWriteOnce'], hostPath: {}, nfs: { server: 's', path: '/' } } },
  ],
  ['/api/v1/persistentvolumes', 'pv', { spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], local: { path: '/x' }, nodeAffinity: {} } }],
  ['/apis/storage.k8s.io/v1/storageclasses', 'sc', { provisioner: 'a b c', parameters: { '': 'x' } }],
  ['/apis/storage.k8s.io/v1/volumeattachments', 'va', { spec: {} }],
  ['/apis/storage.k8s.io/v1/csinodes', 'csin', { spec: { drivers: [{ name: '' }, { name: 'x', nodeID: 'n'.repeat(200) }] } }],
]

describe('storage kinds: bad bodies', () => {
  it.each(bodies.map((b, i) => [i, ...b] as const))('#%i %s is refused with a 4xx Status', async (_i, url, name, body) => {
    const r = await t.app.inject({ method: 'POST', url, payload: { metadata: { name }, ...(body as object) } })
    expect(r.statusCode, r.body).toBeGreaterThanOrEqual(400)
    expect(r.statusCode, r.body).toBeLessThan(500)
    expect(r.json()).toMatchObject({ kind: 'Status', status: 'Failure' })
  })

  it('words a numeric capacity as the Quantity string upstream prints', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/persistentvolumes',
      payload: { metadata: { name: 'neg' }, spec: { capacity: { storage: -1 }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/x' } } },
    })
    expect(r.json().message).toBe('PersistentVolume "neg" is invalid: spec.capacity[storage]: Invalid value: "-1": must be greater than zero')
  })
})
