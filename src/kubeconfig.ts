/** @module kubeconfig: the kubeconfig that points kubectl and client libraries at a kubemock server. */
import { yamlLibrary } from './util/lazy-libraries.js'

export interface KubeconfigOptions {
  server: string
  /** Bearer token for the `kubemock` user (kubectl sends it over https only). */
  token?: string
  /** Base64 of the CA's PEM, as kubeconfig's `certificate-authority-data` wants it. */
  certificateAuthorityData?: string
  namespace?: string
}

/** A kubeconfig YAML with one cluster, user and context, all named `kubemock`. */
export function kubeconfigYAML(o: KubeconfigOptions): string {
  return yamlLibrary().stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'kubemock', cluster: { server: o.server, ...(o.certificateAuthorityData ? { 'certificate-authority-data': o.certificateAuthorityData } : {}) } },
    ],
    contexts: [{ name: 'kubemock', context: { cluster: 'kubemock', user: 'kubemock', namespace: o.namespace ?? 'default' } }],
    'current-context': 'kubemock',
    preferences: {},
    users: [{ name: 'kubemock', user: o.token ? { token: o.token } : {} }],
  })
}
