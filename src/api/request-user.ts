/** @module request-user: who a request is from, as user.Info, for the hooks that record it (CSR spec.username) and the review APIs. */
import type { FastifyRequest } from 'fastify'
import type { RequestUser } from '../registry/resource-definition.js'
import { defaultTokenUser } from './auth.js'

/** The administrator every request is when no authenticator is configured (kubeadm's admin.conf user). */
export const adminUser: RequestUser = { username: defaultTokenUser.user, uid: defaultTokenUser.uid, groups: [...defaultTokenUser.groups] }

/**
 * The user of `req` as the authentication (and impersonation) filters left it; without
 * authentication (no `--token`, `--token-file` or `--client-ca-file`) a request without
 * credentials is the administrator a bare `--token` would name, since such a server grants
 * everything as kubeadm's admin.conf user does. Callers get a copy they may change.
 */
export function requestUser(req: FastifyRequest): RequestUser {
  const u = req.kubeUser ?? adminUser
  return { username: u.username, uid: u.uid, groups: [...u.groups], ...(u.extra ? { extra: { ...u.extra } } : {}) }
}
