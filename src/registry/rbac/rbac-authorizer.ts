/** @module rbac-authorizer: `--authorization-mode RBAC` (plugin/pkg/auth/authorizer/rbac/rbac.go RBACAuthorizer). */
import type { AuthorizationAttributes, AuthorizationResult, Authorizer, SubjectRules } from '../authorization/authorizer.js'
import type { RequestUser } from '../resource-definition.js'
import { ruleAllows } from './rule-matching.js'
import { describeSource, type RuleResolver } from './rule-resolver.js'

/** Authorizes from the roles and bindings: Allow with the granting binding as reason, else NoOpinion. */
export class RBACAuthorizer implements Authorizer {
  constructor(readonly resolver: RuleResolver) {}

  authorize(a: AuthorizationAttributes): AuthorizationResult {
    let reason = ''
    const errors: string[] = []
    let allowed = false
    this.resolver.visitRulesFor(a.user, a.namespace ?? '', (src, rule, err) => {
      if (rule && src && ruleAllows(a, rule)) {
        allowed = true
        reason = `RBAC: allowed by ${describeSource(src)}`
        return false
      }
      if (err) errors.push(err)
      return true
    })
    if (allowed) return { decision: 'Allow', reason }
    // utilerrors.NewAggregate: one error as is, several as `[a, b]`.
    const agg = errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`
    return { decision: 'NoOpinion', reason: errors.length ? `RBAC: ${agg}` : '' }
  }

  /** RulesFor: the user's rules split as SelfSubjectRulesReview shows them; incomplete when a binding did not resolve. */
  rulesFor(user: RequestUser, namespace: string): SubjectRules {
    const { rules, errors } = this.resolver.rulesFor(user, namespace)
    const out: SubjectRules = { resourceRules: [], nonResourceRules: [], incomplete: errors.length > 0, errors }
    for (const r of rules) {
      if (r.resources?.length) out.resourceRules.push({ verbs: r.verbs ?? [], apiGroups: r.apiGroups, resources: r.resources, resourceNames: r.resourceNames })
      if (r.nonResourceURLs?.length) out.nonResourceRules.push({ verbs: r.verbs ?? [], nonResourceURLs: r.nonResourceURLs })
    }
    return out
  }
}
