/** @module authenticator: the token authenticator contract (k8s.io/apiserver/pkg/authentication/authenticator.Token) the HTTP filter and TokenReview share. */
import type { RequestUser } from '../resource-definition.js'

/** The issuer and API audience of service-account tokens (kubeadm's `--service-account-issuer`). */
export const serviceAccountIssuer = 'https://kubernetes.default.svc.cluster.local'

/** The audiences the API server itself accepts (`--api-audiences`, default the issuer). */
export const apiAudiences: readonly string[] = [serviceAccountIssuer]

/**
 * What authenticating a token gives: the user and the audiences it was accepted for, an error
 * (the token is ours but not valid: expired, revoked, wrong audience), or undefined when this
 * authenticator does not know the token at all (the union then asks the next one).
 */
export type TokenAuthentication = { user: RequestUser; audiences: string[] } | { error: string } | undefined

/** authenticator.Token: checks a bearer token, optionally for the given audiences (default: {@link apiAudiences}). */
export interface TokenAuthenticator {
  authenticateToken(token: string, audiences?: readonly string[]): TokenAuthentication
}

/**
 * The union of token authenticators in order (unionauth): the first that knows the token
 * decides; errors of earlier ones are kept and joined as utilerrors.NewAggregate prints them
 * (`a` alone, `[a, b]` for several) when none accepts it.
 */
export function tokenUnion(list: readonly TokenAuthenticator[]): TokenAuthenticator {
  return {
    authenticateToken(token, audiences) {
      const errors: string[] = []
      for (const a of list) {
        const r = a.authenticateToken(token, audiences)
        if (!r) continue
        if ('user' in r) return r
        errors.push(r.error)
      }
      if (errors.length === 0) return undefined
      return { error: errors.length === 1 ? errors[0] : `[${errors.join(', ')}]` }
    },
  }
}

/** Adds system:authenticated, as the authenticator's group adder does for every authenticated user. */
export function withAuthenticatedGroup(user: RequestUser): RequestUser {
  return user.groups.includes('system:authenticated') ? user : { ...user, groups: [...user.groups, 'system:authenticated'] }
}
