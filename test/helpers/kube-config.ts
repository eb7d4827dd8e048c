/** @module kube-config: builds a @kubernetes/client-node KubeConfig that talks to a kubemock server. */
import { KubeConfig } from '@kubernetes/client-node'

/**
 * A KubeConfig with one cluster/user/context named `kubemock`, namespace `default`, pointing at
 * `url` (e.g. `http://127.0.0.1:40123`).
 *
 * `skipTLSVerify: true` is required for plain http: client-node 1.4's `createAgent` throws
 * `HTTP protocol is not allowed when skipTLSVerify is not set or false` otherwise
 * (node_modules/@kubernetes/client-node/dist/config.js; protocol-core.md §0.7). `token` is
 * optional; client-node, unlike kubectl, sends it even over http.
 */
export function makeKubeConfig(url: string, token?: string): KubeConfig {
  const kc = new KubeConfig()
  kc.loadFromOptions({
    clusters: [{ name: 'kubemock', server: url, skipTLSVerify: true }],
    users: [token ? { name: 'kubemock', token } : { name: 'kubemock' }],
    contexts: [{ name: 'kubemock', cluster: 'kubemock', user: 'kubemock', namespace: 'default' }],
    currentContext: 'kubemock',
  })
  return kc
}
