/** The discovery documents' order, as kube-apiserver 1.32 serves them. */
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../helpers/test-app.js'

describe('discovery', () => {
  const t = useTestApp()

  it('lists the groups under /apis by their APIServices’ groupPriorityMinimum, as kube-apiserver does', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/apis' })
    const names = (res.json() as { groups: { name: string }[] }).groups.map((g) => g.name)
    // kube-apiserver 1.32 without resource;
    // metrics-server's metrics.k8s.io (groupPriorityMinimum 100) last.
    expect(names).toEqual([
      'apiregistration.k8s.io',
      'apps',
      'events.k8s.io',
      'authentication.k8s.io',
      'authorization.k8s.io',
      'autoscaling',
      'batch',
      'certificates.k8s.io',
      'networking.k8s.io',
      'policy',
      'rbac.authorization.k8s.io',
      'storage.k8s.io',
      'admissionregistration.k8s.io',
      'apiextensions.k8s.io',
      'scheduling.k8s.io',
      'coordination.k8s.io',
      'node.k8s.io',
      'discovery.k8s.io',
      'flowcontrol.apiserver.k8s.io',
      'metrics.k8s.io',
    ])
    const apis = (await t.app.inject({ method: 'GET', url: '/apis/apiregistration.k8s.io/v1/apiservices' })).json() as {
      items: { metadata: { name: string }; spec: { group?: string; groupPriorityMinimum: number } }[]
    }
    const priority = new Map(apis.items.map((a) => [a.spec.group ?? '', a.spec.groupPriorityMinimum]))
    const byPriority = [...names].sort((a, b) => priority.get(b)! - priority.get(a)!)
    expect(byPriority).toEqual(names)
  })
})
