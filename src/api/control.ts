/** @module control: the kubemock control API (/kubemock/v1/...) — simulated time and simulation controls. */
import type { FastifyInstance } from 'fastify'
import type { Cluster } from '../cluster.js'
import { StatusError } from '../errors.js'
import { rfc3339Micro } from '../util/time.js'

function clockBody(cluster: Cluster): string {
  const now = cluster.clock.now()
  return JSON.stringify({ now: rfc3339Micro(now), epochMillis: now, speed: cluster.clock.speed, mode: cluster.clock.speed === 0 ? 'manual' : 'running' })
}

function jsonBody(raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === '') return {}
  try {
    const v = typeof raw === 'string' ? JSON.parse(raw) : raw
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('the body must be a JSON object')
    return v as Record<string, unknown>
  } catch (err) {
    throw StatusError.badRequest(`invalid control request: ${(err as Error).message}`)
  }
}

/** Registers the clock endpoints (and, later, faults, snapshots, …). */
export async function registerControlRoutes(app: FastifyInstance, cluster: Cluster): Promise<void> {
  app.get('/kubemock/v1/clock', async (_req, reply) => reply.type('application/json').send(clockBody(cluster)))

  // Moves simulated time forward and fires everything due in order (backoffs, deadlines, grace periods).
  app.post('/kubemock/v1/clock/advance', async (req, reply) => {
    const body = jsonBody(req.body)
    const seconds = body.seconds
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0 || seconds > 10 * 365 * 86400) {
      throw StatusError.badRequest('invalid control request: "seconds" must be a number from 0 to 315360000')
    }
    await cluster.clock.advance(Math.round(seconds * 1000))
    return reply.type('application/json').send(clockBody(cluster))
  })

  // Sets the speed of simulated time: 0 = manual, 1 = real time, N = N × real time.
  app.put('/kubemock/v1/clock', async (req, reply) => {
    const body = jsonBody(req.body)
    const speed = body.speed
    if (typeof speed !== 'number' || !Number.isFinite(speed) || speed < 0 || speed > 10_000) {
      throw StatusError.badRequest('invalid control request: "speed" must be a number from 0 to 10000')
    }
    cluster.clock.setSpeed(speed)
    return reply.type('application/json').send(clockBody(cluster))
  })

  for (const action of ['fail', 'recover'] as const) {
    app.post(`/kubemock/v1/nodes/:name/${action}`, async (req, reply) => {
      const { name } = req.params as { name: string }
      if (!cluster.registry.resource('', 'nodes').getStored('', name)) throw StatusError.notFound({ group: '', resource: 'nodes' }, name)
      const control = action === 'fail' ? cluster.sim.stopKubelet : cluster.sim.startKubelet
      if (!control) throw new StatusError(501, 'NotImplemented', 'this cluster runs no simulated kubelet')
      control(name)
      return reply.type('application/json').send(JSON.stringify({ node: name, kubelet: action === 'fail' ? 'stopped' : 'running' }))
    })
  }
}
