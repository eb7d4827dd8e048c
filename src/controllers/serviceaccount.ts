/** @module serviceaccount: every active namespace has a `default` ServiceAccount and the root CA ConfigMap. */
import { StatusError } from '../errors.js'
import type { Registry } from '../registry/registry.js'
import type { Controller } from './runtime.js'
import { splitKey } from './runtime.js'

/** The CA bundle published in every namespace (kube-root-ca.crt) when the cluster has no CA of its own (no --tls): a fixed simulated one. */
export const rootCACertificate = `-----BEGIN CERTIFICATE-----
MIIDBTCCAe2gAwIBAgIIb3Vtb2NrLWNhMA0GCSqGSIb3DQEBCwUAMBUxEzARBgNV
BAMTCmt1YmVybmV0ZXMwHhcNMjYwMTAxMDAwMDAwWhcNMzYwMTAxMDAwMDAwWjAV
MRMwEQYDVQQDEwprdWJlcm5ldGVzMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIB
CgKCAQEAkubemockkubemockkubemockkubemockkubemockkubemockkubemock
-----END CERTIFICATE-----
`

/**
 * The serviceaccounts-controller and root-ca-cert-publisher together: recreate `default` and
 * `kube-root-ca.crt` in every namespace that is not terminating.
 */
export function createServiceAccountController(deps: { registry: Registry; clusterCA?: { cert: string } }): Controller {
  const { registry } = deps
  // The cluster CA when there is one: what the API server's certificate chains to.
  const caBundle = deps.clusterCA?.cert ?? rootCACertificate
  const namespaces = registry.resource('', 'namespaces')
  const serviceAccounts = registry.resource('', 'serviceaccounts')
  const configMaps = registry.resource('', 'configmaps')
  const ensure = async (fn: () => Promise<unknown>) => {
    try {
      await fn()
    } catch (err) {
      if (!(err instanceof StatusError && (err.code === 409 || err.code === 403 || err.code === 404))) throw err
    }
  }
  return {
    name: 'serviceaccount',
    watches: [
      { group: '', plural: 'namespaces' },
      { group: '', plural: 'serviceaccounts', keys: (o) => (o.metadata.name === 'default' ? [o.metadata.namespace ?? ''] : []) },
      { group: '', plural: 'configmaps', keys: (o) => (o.metadata.name === 'kube-root-ca.crt' ? [o.metadata.namespace ?? ''] : []) },
    ],
    async reconcile(key) {
      const [, name] = splitKey(key)
      const ns = namespaces.getStored('', name)
      if (!ns || ns.obj.metadata.deletionTimestamp) return
      if (!serviceAccounts.getStored(name, 'default')) await ensure(() => serviceAccounts.create(name, { metadata: { name: 'default', namespace: name } }))
      const published = configMaps.getStored(name, 'kube-root-ca.crt')
      if (published && (published.obj as { data?: Record<string, string> }).data?.['ca.crt'] !== caBundle) {
        // The publisher keeps the bundle current (a CA from an earlier run, an edited ConfigMap).
        await ensure(() =>
          configMaps.guaranteedUpdate(
            name,
            'kube-root-ca.crt',
            (cur) => ({ ...cur, data: { ...((cur as { data?: Record<string, string> }).data ?? {}), 'ca.crt': caBundle } }),
            {
              trusted: true,
            },
          ),
        )
      }
      if (!published) {
        await ensure(
          async () =>
            await configMaps.create(name, {
              metadata: {
                name: 'kube-root-ca.crt',
                namespace: name,
                annotations: {
                  'kubernetes.io/description':
                    'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
                },
              },
              data: { 'ca.crt': caBundle },
            }),
        )
      }
    },
  }
}
