/** @module filter-chain: the request filters that run before routing's handlers, as one hook (kube-apiserver's handler chain). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/**
 * One filter of the chain: it either answers the request itself (a 403, a preflight's 204) and
 * returns true, or returns false to pass the request on. It may throw a StatusError, which is
 * answered like a handler's.
 */
export type RequestFilter = (req: FastifyRequest, reply: FastifyReply) => boolean

/** The filters in the order they run; add one with {@link FilterChain.add}. */
export interface FilterChain {
  add(filter: RequestFilter): void
}

/**
 * Installs the chain as one synchronous onRequest hook. kube-apiserver wraps its handler in a
 * chain of filters (WithRequestInfo, WithCORS, WithAuthentication, …); here they run in the order
 * they were added. One hook, not one per filter: Fastify's hook runner and a promise per async
 * hook cost more than the filters themselves on a GET that takes tens of microseconds.
 */
export function installFilterChain(app: FastifyInstance): FilterChain {
  const filters: RequestFilter[] = []
  app.addHook('onRequest', (req, reply, done) => {
    try {
      for (const f of filters) if (f(req, reply)) return
    } catch (err) {
      return done(err as Error)
    }
    done()
  })
  return { add: (f) => void filters.push(f) }
}
