/** @module request-user: who a request is from, as user.Info, for the hooks that record it (CSR spec.username). */
import type { FastifyRequest } from 'fastify'
import type { RequestUser } from '../registry/resource-definition.js'
import { defaultTokenUser } from './auth.js'

/**
 * The authenticated user of `req`; without authentication (no `--token`) every request is the
 * administrator a bare `--token` would name, since such a server grants everything as
 * kubeadm's admin.conf user does.
 */
export function requestUser(req: FastifyRequest): RequestUser {
  const u = req.kubeUser ?? { ...defaultTokenUser, token: '' }
  // The authenticator's group adder puts every authenticated user in system:authenticated.
  const groups = u.groups.includes('system:authenticated') ? [...u.groups] : [...u.groups, 'system:authenticated']
  return { username: u.user, uid: u.uid, groups }
}
