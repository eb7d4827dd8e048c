/**
 * @module escalation-check: RBAC's escalation and bind checks on writes of roles and bindings
 * (pkg/registry/rbac/{role,clusterrole,rolebinding,clusterrolebinding}/policybased/storage.go,
 * pkg/registry/rbac/validation/rule.go ConfirmNoEscalation). Upstream wraps the storage; here it
 * is the first admission plugin, so it runs before every other plugin and before validation, as
 * the wrapper does. In-process writers (no user) and system:masters are never checked.
 */
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js'
import { StatusError } from '../../errors.js'
import type { AdmissionAttributes, AdmissionPlugin } from '../admission.js'
import type { Authorizer } from '../authorization/authorizer.js'
import { privilegedGroup } from '../authorization/modes.js'
import type { Registry } from '../registry.js'
import type { RequestUser } from '../resource-definition.js'
import { ruleResolverFor } from './rbac-state.js'
import type { BindingObject, RoleObject } from './rbac-validation.js'
import { compactRules, compactString, goQuotedList, missingRules } from './rule-matching.js'
import type { RuleResolver } from './rule-resolver.js'

const group = 'rbac.authorization.k8s.io'
const fullAuthority: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
]

/**
 * ConfirmNoEscalation: undefined when `user` holds every rule in `namespace`, else the message
 * naming the missing rules, compacted and sorted.
 */
export function escalationError(resolver: RuleResolver, user: RequestUser, namespace: string, rules: readonly PolicyRule[]): string | undefined {
  const owner = resolver.rulesFor(user, namespace)
  const missing = missingRules(owner.rules, rules)
  if (missing.length === 0) return undefined
  const descriptions = [...new Set(compactRules(missing).map(compactString))].sort()
  let msg = `user ${JSON.stringify(user.username)} (groups=${goQuotedList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${descriptions.join('\n')}`
  if (owner.errors.length) msg += `; resolution errors: [${owner.errors.length === 1 ? owner.errors[0] : `[${owner.errors.join(', ')}]`}]`
  return msg
}

/** IsOnlyMutatingGCFields, roughly: nothing but owner references, finalizers and bookkeeping changed. */
function onlyGCFields(obj: RoleObject | BindingObject, old: RoleObject | BindingObject | undefined): boolean {
  if (!old) return false
  const strip = (o: RoleObject | BindingObject) => {
    const { ownerReferences: _o, finalizers: _f, managedFields: _m, resourceVersion: _r, ...meta } = o.metadata
    return JSON.stringify({ ...o, metadata: meta })
  }
  return strip(obj) === strip(old)
}

function allowedBy(authorizer: Authorizer, user: RequestUser, verb: string, resource: string, namespace: string, name: string): boolean {
  return authorizer.authorize({ user, verb, resourceRequest: true, apiGroup: group, resource, namespace, name }).decision === 'Allow'
}

/** The plugin over `registry` (its authorizer is read per write, so `--authorization-mode` may be set later). */
export function createRBACEscalationCheck(registry: Registry): AdmissionPlugin {
  return {
    name: 'RBACEscalation',
    admit(a: AdmissionAttributes) {
      if (a.resource.group !== group || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return
      const user = a.user
      if (!user || user.groups.includes(privilegedGroup)) return
      const plural = a.resource.resource
      const name = a.name || a.obj.metadata.name || ''
      const forbidden = (why: string) => StatusError.forbidden(a.resource, name, why)
      if (a.operation === 'UPDATE' && onlyGCFields(a.obj as RoleObject, a.old as RoleObject | undefined)) return
      const authorizer = registry.authorizer
      if (plural === 'roles' || plural === 'clusterroles') {
        if (allowedBy(authorizer, user, 'escalate', plural, a.namespace, name)) return
        const resolver = ruleResolverFor(registry)
        const role = a.obj as RoleObject
        const err = escalationError(resolver, user, a.namespace, role.rules ?? [])
        if (err) throw forbidden(err)
        if (plural === 'clusterroles' && role.aggregationRule && escalationError(resolver, user, a.namespace, fullAuthority))
          throw forbidden('must have cluster-admin privileges to use the aggregationRule')
        return
      }
      if (plural === 'rolebindings' || plural === 'clusterrolebindings') {
        const ref = (a.obj as BindingObject).roleRef
        if (!ref) return
        const refResource = ref.kind === 'Role' ? 'roles' : ref.kind === 'ClusterRole' ? 'clusterroles' : ''
        if (refResource && allowedBy(authorizer, user, 'bind', refResource, a.namespace, ref.name ?? '')) return
        const resolver = ruleResolverFor(registry)
        const { rules, err } = resolver.roleReferenceRules(ref, a.namespace)
        if (err) throw forbidden(err)
        const esc = escalationError(resolver, user, a.namespace, rules)
        if (esc) throw forbidden(esc)
      }
    },
  }
}
