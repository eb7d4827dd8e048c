/**
 * @module crontab-controller: the README's example operator, written with @kubernetes/client-node:
 * an informer on CronTabs whose reconcile writes status.replicas and status.phase through /status.
 */
import { CustomObjectsApi, makeInformer, PatchStrategy, setHeaderOptions, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node'

/** A CronTab as the controller reads it. */
export interface CronTab extends KubernetesObject {
  spec?: { cronSpec?: string; image?: string; replicas?: number }
  status?: { replicas?: number; phase?: string }
}

/** Starts the controller in `namespace`; resolves once its informer has listed; returns the stop function. */
export async function startCronTabController(kc: KubeConfig, namespace: string): Promise<() => Promise<void>> {
  const api = kc.makeApiClient(CustomObjectsApi)
  const target = { group: 'stable.example.com', version: 'v1', namespace, plural: 'crontabs' }
  const list = () => api.listNamespacedCustomObject(target) as never
  const informer = makeInformer<CronTab>(kc, `/apis/stable.example.com/v1/namespaces/${namespace}/crontabs`, list)
  const reconcile = async (ct: CronTab) => {
    const want = { replicas: ct.spec?.replicas ?? 0, phase: ct.spec?.image ? 'Ready' : 'Invalid' }
    if (ct.status?.replicas === want.replicas && ct.status?.phase === want.phase) return
    await api.patchNamespacedCustomObjectStatus(
      { ...target, name: ct.metadata!.name!, body: { status: want }, fieldManager: 'crontab-controller' },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
  }
  const handle = (ct: CronTab) => {
    reconcile(ct).catch(() => {
      // Level-based: the next event (or a resync) reconciles it again.
    })
  }
  informer.on('add', handle)
  informer.on('update', handle)
  informer.on('error', () => setTimeout(() => informer.start(), 500))
  await informer.start()
  return () => informer.stop()
}
