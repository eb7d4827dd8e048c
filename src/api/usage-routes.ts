/** @module usage-routes: the control API's resource usage endpoints (`/kubemock/v1/namespaces/NS/pods/NAME/usage`, `/kubemock/v1/namespaces/NS/usage`). */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Registry } from '../registry/registry.js'
import { clearNamespaceUsage, clearPodUsage, setNamespaceUsage, setPodUsage } from '../sim/usage/usage-controls.js'
import { queryString, type RawQuery } from './query-params.js'

/** Registers the usage routes for the cluster `registryOf` names per request; `parse` turns a raw body into JSON (the control API's jsonBody). */
export function registerUsageRoutes(app: FastifyInstance, registryOf: (req: FastifyRequest) => Registry, parse: (raw: unknown) => unknown): void {
  const json = (body: unknown) => JSON.stringify(body)
  app.put('/kubemock/v1/namespaces/:namespace/pods/:name/usage', async (req, reply) => {
    const { namespace, name } = req.params as { namespace: string; name: string }
    return reply.type('application/json').send(json(setPodUsage(registryOf(req), namespace, name, parse(req.body))))
  })
  app.delete('/kubemock/v1/namespaces/:namespace/pods/:name/usage', async (req, reply) => {
    const { namespace, name } = req.params as { namespace: string; name: string }
    return reply.type('application/json').send(json(clearPodUsage(registryOf(req), namespace, name)))
  })
  app.put('/kubemock/v1/namespaces/:namespace/usage', async (req, reply) => {
    const { namespace } = req.params as { namespace: string }
    const selector = queryString(req.query as RawQuery, 'labelSelector') ?? ''
    return reply.type('application/json').send(json(setNamespaceUsage(registryOf(req), namespace, selector, parse(req.body))))
  })
  app.delete('/kubemock/v1/namespaces/:namespace/usage', async (req, reply) => {
    const { namespace } = req.params as { namespace: string }
    return reply.type('application/json').send(json(clearNamespaceUsage(registryOf(req), namespace, queryString(req.query as RawQuery, 'labelSelector'))))
  })
}
