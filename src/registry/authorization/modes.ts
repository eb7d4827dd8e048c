/**
 * @module modes: `--authorization-mode`, a comma list of authorizers asked in order (the union
 * authorizer of k8s.io/apiserver/pkg/authorization/union), behind the system:masters one that
 * kube-apiserver always puts first (authorizerfactory.NewPrivilegedGroups).
 */
import type { AuthorizationAttributes, AuthorizationResult, Authorizer, SubjectRules } from './authorizer.js'
import { alwaysAllow } from './authorizer.js'

/** The modes kube-apiserver knows (pkg/kubeapiserver/authorizer/modes). */
export const authorizationModes = ['AlwaysAllow', 'AlwaysDeny', 'ABAC', 'Webhook', 'RBAC', 'Node'] as const
export type AuthorizationMode = (typeof authorizationModes)[number]

/** The group whose members every request is allowed for (user.SystemPrivilegedGroup). */
export const privilegedGroup = 'system:masters'

/**
 * Parses the flag's value; throws kube-apiserver's messages for an unknown or repeated mode, and
 * says which known modes kubemock cannot serve (ABAC needs a policy file, Webhook a remote service).
 */
export function parseAuthorizationModes(value: string): AuthorizationMode[] {
  const modes = value.split(',').map((m) => m.trim())
  const errs: string[] = []
  if (modes.length === 0 || modes.every((m) => m === '')) errs.push('at least one authorization-mode must be passed')
  for (const m of modes) {
    if (!(authorizationModes as readonly string[]).includes(m)) errs.push(`authorization-mode ${JSON.stringify(m)} is not a valid mode`)
    else if (m === 'ABAC' || m === 'Webhook')
      errs.push(`authorization-mode ${JSON.stringify(m)} is not supported by kubemock (use AlwaysAllow, AlwaysDeny, RBAC or Node)`)
  }
  if (new Set(modes).size !== modes.length) errs.push(`authorization-mode ${JSON.stringify(modes.join(','))} has mode specified more than once`)
  if (errs.length) throw new Error(`--authorization-mode: ${errs.join('; ')}; valid modes are ${authorizationModes.join(', ')}`)
  return modes as AuthorizationMode[]
}

/** `AlwaysDeny`: every request is refused with its reason. */
export const alwaysDeny: Authorizer = {
  authorize: () => ({ decision: 'Deny', reason: 'Everything is forbidden.' }),
  rulesFor: () => ({ resourceRules: [], nonResourceRules: [], incomplete: false, errors: [] }),
}

/**
 * `Node` (the node authorizer) has opinions only about kubelets' own requests; kubemock's kubelets
 * are in-process and never call the API, so it answers NoOpinion and RBAC decides.
 */
export const nodeAuthorizer: Authorizer = {
  authorize: () => ({ decision: 'NoOpinion', reason: '' }),
  rulesFor: () => ({ resourceRules: [], nonResourceRules: [], incomplete: false, errors: [] }),
}

/**
 * The union: the first Allow or Deny wins; when all have no opinion, their reasons joined by
 * newlines, as unionAuthzHandler does. system:masters is allowed before any mode is asked.
 */
export function unionAuthorizer(authorizers: Authorizer[]): Authorizer {
  return {
    authorize(a: AuthorizationAttributes): AuthorizationResult {
      if (a.user.groups.includes(privilegedGroup)) return { decision: 'Allow', reason: '' }
      const reasons: string[] = []
      for (const z of authorizers) {
        const r = z.authorize(a)
        if (r.decision !== 'NoOpinion') return r
        if (r.reason) reasons.push(r.reason)
      }
      return { decision: 'NoOpinion', reason: reasons.join('\n') }
    },
    // unionAuthzRulesHandler: every mode's rules, incomplete when any is.
    rulesFor(user, namespace) {
      const out: SubjectRules = { resourceRules: [], nonResourceRules: [], incomplete: false, errors: [] }
      for (const z of authorizers) {
        if (!z.rulesFor) {
          out.incomplete = true
          continue
        }
        const r = z.rulesFor(user, namespace)
        out.resourceRules.push(...r.resourceRules)
        out.nonResourceRules.push(...r.nonResourceRules)
        out.errors.push(...r.errors)
        if (r.incomplete) out.incomplete = true
      }
      return out
    },
  }
}

/** The authorizer for a parsed mode list; `rbac` builds the RBAC one when it is asked for. */
export function authorizerForModes(modes: AuthorizationMode[], rbac: () => Authorizer): Authorizer {
  if (modes.length === 1 && modes[0] === 'AlwaysAllow') return alwaysAllow
  return unionAuthorizer(
    modes.map((m) => {
      switch (m) {
        case 'AlwaysAllow':
          return alwaysAllow
        case 'AlwaysDeny':
          return alwaysDeny
        case 'Node':
          return nodeAuthorizer
        case 'RBAC':
          return rbac()
        default:
          throw new Error(`authorization-mode ${JSON.stringify(m)} is not supported by kubemock`)
      }
    }),
  )
}
