/**
 * @module apiservice-availability: the aggregator's availability controllers (kube-aggregator
 * pkg/controllers/status/local and remote): every APIService gets an `Available` condition.
 */
import type { EndpointSubset, ServiceSpec } from 'kubernetes-types/core/v1.js'
import type { APIService, APIServiceCondition } from '../registry/apiregistration/apiservices.js'
import type { Registry } from '../registry/registry.js'
import type { Clock } from '../sim/clock.js'
import type { KubeObject } from '../types.js'
import { rfc3339 } from '../util/time.js'
import type { ControllerManager, Controller } from './runtime.js'
import { splitKey } from './runtime.js'

type Service = KubeObject & { spec?: ServiceSpec }
type Endpoints = KubeObject & { subsets?: EndpointSubset[] }

/** The index of APIServices by the `namespace/name` of the Service they point at. */
const byServiceIndex = 'spec.service'

/**
 * The Available condition an APIService should have now (without lastTransitionTime). Local ones
 * are always available; one backed by a Service is checked as upstream's remote controller does,
 * up to the discovery request, which this server does not make: APIs behind Services are not
 * proxied, so a Service with ready endpoints still ends in FailedDiscoveryCheck, unless this
 * server serves the group-version itself (`servedHere`: metrics.k8s.io for metrics-server's
 * Service), which then passes (`Passed`, as when the discovery check succeeds). For those the
 * endpoints are checked once an Endpoints object exists. Pure.
 */
export function availableCondition(
  api: APIService,
  service: Service | undefined,
  endpoints: Endpoints | undefined,
  servedHere = false,
): Omit<APIServiceCondition, 'lastTransitionTime'> {
  const ref = api.spec?.service
  if (!ref) return { type: 'Available', status: 'True', reason: 'Local', message: 'Local APIServices are always available' }
  const ns = ref.namespace ?? ''
  const name = ref.name ?? ''
  const port = ref.port ?? 443
  const no = (reason: string, message: string) => ({ type: 'Available', status: 'False', reason, message })
  if (!service) return no('ServiceNotFound', `service/${name} in ${JSON.stringify(ns)} is not present`)
  let portName = ''
  if (service.spec?.type !== 'ExternalName') {
    const sp = (service.spec?.ports ?? []).find((p) => p.port === port)
    if (!sp) return no('ServicePortError', `service/${name} in ${JSON.stringify(ns)} is not listening on port ${port}`)
    portName = sp.name ?? ''
    if (!endpoints && !servedHere) return no('EndpointsNotFound', `cannot find endpoints for service/${name} in ${JSON.stringify(ns)}`)
    const ready =
      !endpoints || (endpoints.subsets ?? []).some((s) => (s.addresses ?? []).length > 0 && (s.ports ?? []).some((p) => (p.name ?? '') === portName))
    if (!ready)
      return no('MissingEndpoints', `endpoints for service/${name} in ${JSON.stringify(ns)} have no addresses with port name ${JSON.stringify(portName)}`)
  }
  if (servedHere) return { type: 'Available', status: 'True', reason: 'Passed', message: 'all checks passed' }
  const host = `${name}.${ns}.svc:${port}`
  return no(
    'FailedDiscoveryCheck',
    `failing or missing response from https://${host}/apis/${api.spec?.group ?? ''}/${api.spec?.version ?? ''}: aggregated APIs are not proxied by kubemock`,
  )
}

/** Writes each APIService's Available condition when it differs from what it should be. */
export function createAPIServiceAvailabilityController(deps: { registry: Registry; clock: Clock; manager: ControllerManager }): Controller {
  const apiServices = deps.registry.resource<APIService>('apiregistration.k8s.io', 'apiservices')
  const cache = deps.manager.informers.for<APIService>('apiregistration.k8s.io', 'apiservices')
  cache.addIndex(byServiceIndex, (o) => {
    const s = (o as APIService).spec?.service
    return s ? [`${s.namespace ?? ''}/${s.name ?? ''}`] : []
  })
  const services = deps.manager.informers.for<Service>('', 'services')
  const endpoints = deps.manager.informers.for<Endpoints>('', 'endpoints')
  const referrers = (o: { metadata: { namespace?: string; name?: string } }) =>
    cache.byIndex(byServiceIndex, `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`).map((s) => s.obj.metadata.name ?? '')
  return {
    name: 'apiservice-availability',
    watches: [
      { group: 'apiregistration.k8s.io', plural: 'apiservices' },
      { group: '', plural: 'services', keys: referrers },
      { group: '', plural: 'endpoints', keys: referrers },
    ],
    async reconcile(key) {
      const [, name] = splitKey(key)
      const api = cache.getObject('', name)
      if (!api) return
      const ref = api.spec?.service
      const want = availableCondition(
        api,
        ref ? services.getObject(ref.namespace ?? '', ref.name ?? '') : undefined,
        ref ? endpoints.getObject(ref.namespace ?? '', ref.name ?? '') : undefined,
        deps.registry.resources.some((r) => r.def.group === api.spec?.group && r.def.version === api.spec?.version),
      )
      const conds = api.status?.conditions ?? []
      const have = conds.find((c) => c.type === 'Available')
      if (have && have.status === want.status && have.reason === want.reason && have.message === want.message) return
      const lastTransitionTime = have && have.status === want.status && have.lastTransitionTime ? have.lastTransitionTime : rfc3339(deps.clock.now())
      const next = [
        ...conds.filter((c) => c.type !== 'Available'),
        { type: 'Available', status: want.status, lastTransitionTime, reason: want.reason, message: want.message },
      ]
      await apiServices.guaranteedUpdate('', name, (cur) => ({ ...cur, status: { ...(cur.status ?? {}), conditions: next } }), { subresource: 'status' })
    },
  }
}
