/**
 * @module service-account-token-secrets: the legacy tokens controller
 * (pkg/controller/serviceaccount/tokens_controller.go): fills `kubernetes.io/service-account-token`
 * Secrets with a token, ca.crt and namespace, and deletes those whose ServiceAccount is gone.
 */
import { StatusError } from '../errors.js'
import type { Registry } from '../registry/registry.js'
import type { KubeObject } from '../types.js'
import type { Controller } from './runtime.js'
import { splitKey } from './runtime.js'
import { rootCACertificate } from './serviceaccount.js'

const tokenType = 'kubernetes.io/service-account-token'
const nameAnnotation = 'kubernetes.io/service-account.name'
const uidAnnotation = 'kubernetes.io/service-account.uid'

type SecretObject = KubeObject & { type?: string; data?: Record<string, string> }

/** The tokens controller; `clusterCA` goes into ca.crt (the fixed simulated bundle without one). */
export function createServiceAccountTokenSecretsController(deps: { registry: Registry; clusterCA?: { cert: string } }): Controller {
  const { registry } = deps
  const secrets = registry.resource('', 'secrets')
  const serviceAccounts = registry.resource('', 'serviceaccounts')
  const caBundle = deps.clusterCA?.cert ?? rootCACertificate
  const b64 = (s: string) => Buffer.from(s).toString('base64')
  return {
    name: 'serviceaccount-token',
    watches: [
      { group: '', plural: 'secrets' },
      {
        group: '',
        plural: 'serviceaccounts',
        // A ServiceAccount's change concerns the token Secrets that name it.
        keys: (sa) =>
          registry.store
            .list('secrets', sa.metadata.namespace)
            .map((s) => s.obj as SecretObject)
            .filter((s) => s.type === tokenType && s.metadata.annotations?.[nameAnnotation] === sa.metadata.name)
            .map((s) => `${s.metadata.namespace}/${s.metadata.name}`),
      },
    ],
    async reconcile(key) {
      const [ns, name] = splitKey(key)
      const secret = secrets.getStored(ns, name)?.obj as SecretObject | undefined
      if (!secret || secret.type !== tokenType || secret.metadata.deletionTimestamp) return
      const saName = secret.metadata.annotations?.[nameAnnotation] ?? ''
      const sa = saName ? serviceAccounts.getStored(ns, saName)?.obj : undefined
      const wantUID = secret.metadata.annotations?.[uidAnnotation]
      if (!sa || (wantUID && wantUID !== sa.metadata.uid)) {
        // The Secret outlived its ServiceAccount (or names another incarnation of it): delete it.
        try {
          await secrets.delete(ns, name, { preconditions: { uid: secret.metadata.uid } })
        } catch (err) {
          if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err
        }
        return
      }
      const data = secret.data ?? {}
      const saUID = sa.metadata.uid ?? ''
      if (data.token && data['ca.crt'] && data.namespace && wantUID === saUID) return
      await registry.serviceAccountTokens.whenReady()
      const token = data.token
        ? Buffer.from(data.token, 'base64').toString('utf8')
        : registry.serviceAccountTokens.issueLegacy(ns, { name: saName, uid: saUID }, name)
      await secrets.guaranteedUpdate(
        ns,
        name,
        (cur) => {
          const c = cur as SecretObject
          return {
            ...c,
            metadata: { ...c.metadata, annotations: { ...(c.metadata.annotations ?? {}), [uidAnnotation]: saUID } },
            data: {
              ...(c.data ?? {}),
              token: c.data?.token ?? b64(token),
              'ca.crt': c.data?.['ca.crt'] ?? b64(caBundle),
              namespace: c.data?.namespace ?? b64(ns),
            },
          }
        },
        { trusted: true },
      )
    },
  }
}
