/** @module kubeconfig: the kubeconfig that points kubectl and client libraries at a kubemock server. */
import { yamlLibrary } from './util/lazy-libraries.js'

export interface KubeconfigOptions {
  server: string
  /** Bearer token for the `kubemock` user (kubectl sends it over https only). */
  token?: string
  /** Base64 of the CA's PEM, as kubeconfig's `certificate-authority-data` wants it. */
  certificateAuthorityData?: string
  namespace?: string
  /** A client certificate and its key (PEM) for the user, instead of a token. */
  clientCertificate?: { cert: string; key: string }
  /** The user entry's name (default `kubemock`). */
  userName?: string
}

/** A kubeconfig YAML with one cluster, user and context, all named `kubemock`. */
export function kubeconfigYAML(o: KubeconfigOptions): string {
  return yamlLibrary().stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'kubemock', cluster: { server: o.server, ...(o.certificateAuthorityData ? { 'certificate-authority-data': o.certificateAuthorityData } : {}) } },
    ],
    contexts: [{ name: 'kubemock', context: { cluster: 'kubemock', user: o.userName ?? 'kubemock', namespace: o.namespace ?? 'default' } }],
    'current-context': 'kubemock',
    preferences: {},
    users: [{ name: o.userName ?? 'kubemock', user: userEntry(o) }],
  })
}

function userEntry(o: KubeconfigOptions): Record<string, string> {
  if (o.token) return { token: o.token }
  if (o.clientCertificate)
    return {
      'client-certificate-data': Buffer.from(o.clientCertificate.cert).toString('base64'),
      'client-key-data': Buffer.from(o.clientCertificate.key).toString('base64'),
    }
  return {}
}
