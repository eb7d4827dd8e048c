/**
 * @module rule-resolver: the roles and bindings indexed by subject, and the rules that apply to a
 * user (pkg/registry/rbac/validation/rule.go DefaultRuleResolver). The index is rebuilt after a
 * change to any of the four RBAC kinds (seen by watching the store), never per request: a request
 * looks up only the bindings naming its user, its groups or (for service accounts) its account.
 */
import type { PolicyRule, Subject } from 'kubernetes-types/rbac/v1.js'
import type { ObjectStore } from '../../store/object-store.js'
import type { RequestUser } from '../resource-definition.js'
import type { BindingObject, RoleObject } from './rbac-validation.js'

/** The store keys of the RBAC kinds (`<group>/<plural>`, as ResourceStore.key). */
export interface RBACStoreKeys {
  roles: string
  clusterRoles: string
  roleBindings: string
  clusterRoleBindings: string
}

/** Which binding granted a rule (ruleResolver's describer): its String() is the allow reason. */
export interface RuleSource {
  binding: BindingObject
  subject: Subject
  /** The binding's namespace; undefined for a ClusterRoleBinding. */
  namespace?: string
}

/** Visits one rule (or a resolution error); return false to stop. */
export type RuleVisitor = (source: RuleSource | undefined, rule: PolicyRule | undefined, err: string | undefined) => boolean

/** `system:serviceaccount:<ns>:<name>`, the user name of a service account (serviceaccount.MakeUsername). */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`
}

/** describeSubject: `User "jane"`, `ServiceAccount "name/namespace"`. */
function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} ${JSON.stringify(`${s.name}/${s.namespace || bindingNamespace}`)}`
  return `${s.kind} ${JSON.stringify(s.name)}`
}

/** The describer's String(): `ClusterRoleBinding "x" of ClusterRole "y" to Group "z"`, `RoleBinding "x/ns" of Role "y" to User "u"`. */
export function describeSource(src: RuleSource): string {
  const b = src.binding
  const role = `${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)}`
  if (src.namespace === undefined) return `ClusterRoleBinding ${JSON.stringify(b.metadata.name)} of ${role} to ${describeSubject(src.subject, '')}`
  return `RoleBinding ${JSON.stringify(`${b.metadata.name}/${src.namespace}`)} of ${role} to ${describeSubject(src.subject, src.namespace)}`
}

/** appliesToUser: whether subject `s` of a binding in `namespace` ('' for cluster bindings) names `user`. */
export function subjectAppliesTo(user: RequestUser, s: Subject, namespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return user.username === s.name
    case 'Group':
      return user.groups.includes(s.name)
    case 'ServiceAccount': {
      const ns = s.namespace || namespace
      return !!ns && user.username === serviceAccountUsername(ns, s.name)
    }
    default:
      return false
  }
}

/** Index key of a subject: `u:<username>` (service accounts as their user name) or `g:<group>`. */
function subjectKey(s: Subject, namespace: string): string | undefined {
  if (s.kind === 'User') return `u:${s.name}`
  if (s.kind === 'Group') return `g:${s.name}`
  if (s.kind === 'ServiceAccount') {
    const ns = s.namespace || namespace
    return ns ? `u:${serviceAccountUsername(ns, s.name)}` : undefined
  }
  return undefined
}

interface Index {
  /** Cluster role bindings by subject key. */
  cluster: Map<string, BindingObject[]>
  /** Role bindings by namespace, then subject key. */
  namespaced: Map<string, Map<string, BindingObject[]>>
}

function addTo(m: Map<string, BindingObject[]>, key: string, b: BindingObject): void {
  const list = m.get(key)
  if (!list) m.set(key, [b])
  else if (list[list.length - 1] !== b) list.push(b)
}

/**
 * Resolves the rules of users from the stored roles and bindings. Roles are read from the store
 * by name on each use (a map lookup); bindings through the subject index.
 */
export class RuleResolver {
  private index: Index | undefined
  private readonly unwatch: (() => void)[] = []

  constructor(
    private readonly store: ObjectStore,
    private readonly keys: RBACStoreKeys,
  ) {
    const rv = store.currentRV()
    for (const key of [keys.roleBindings, keys.clusterRoleBindings]) {
      this.unwatch.push(store.watch(key, undefined, rv, () => void (this.index = undefined)))
    }
  }

  /** Stops watching. */
  close(): void {
    for (const u of this.unwatch.splice(0)) u()
  }

  /** Drops the index (after a state import replaced every object). */
  invalidate(): void {
    this.index = undefined
  }

  private build(): Index {
    const cluster = new Map<string, BindingObject[]>()
    for (const s of this.store.list(this.keys.clusterRoleBindings)) {
      const b = s.obj as BindingObject
      for (const subj of b.subjects ?? []) {
        const k = subjectKey(subj, '')
        if (k) addTo(cluster, k, b)
      }
    }
    const namespaced = new Map<string, Map<string, BindingObject[]>>()
    for (const s of this.store.list(this.keys.roleBindings)) {
      const b = s.obj as BindingObject
      const ns = b.metadata.namespace ?? ''
      let m = namespaced.get(ns)
      if (!m) namespaced.set(ns, (m = new Map()))
      for (const subj of b.subjects ?? []) {
        const k = subjectKey(subj, ns)
        if (k) addTo(m, k, b)
      }
    }
    return { cluster, namespaced }
  }

  /** The bindings of `m` naming the user or one of its groups, in name order, each with the first subject that applies. */
  private candidates(m: Map<string, BindingObject[]> | undefined, user: RequestUser, namespace: string): { binding: BindingObject; subject: Subject }[] {
    if (!m) return []
    const seen = new Set<BindingObject>()
    for (const k of [`u:${user.username}`, ...user.groups.map((g) => `g:${g}`)]) for (const b of m.get(k) ?? []) seen.add(b)
    const out: { binding: BindingObject; subject: Subject }[] = []
    for (const b of seen) {
      const subject = (b.subjects ?? []).find((s) => subjectAppliesTo(user, s, namespace))
      if (subject) out.push({ binding: b, subject })
    }
    return out.sort((a, b) => ((a.binding.metadata.name ?? '') < (b.binding.metadata.name ?? '') ? -1 : 1))
  }

  /** GetRoleReferenceRules: the rules of a binding's role, or the NotFound text when it is missing. */
  roleReferenceRules(roleRef: BindingObject['roleRef'], namespace: string): { rules: PolicyRule[]; err?: string } {
    if (roleRef.kind === 'Role') {
      const s = this.store.get(this.keys.roles, namespace, roleRef.name)
      return s ? { rules: (s.obj as RoleObject).rules ?? [] } : { rules: [], err: `role.rbac.authorization.k8s.io ${JSON.stringify(roleRef.name)} not found` }
    }
    if (roleRef.kind === 'ClusterRole') {
      const s = this.store.get(this.keys.clusterRoles, '', roleRef.name)
      return s
        ? { rules: (s.obj as RoleObject).rules ?? [] }
        : { rules: [], err: `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(roleRef.name)} not found` }
    }
    return { rules: [], err: `unsupported role reference kind: ${JSON.stringify(roleRef.kind)}` }
  }

  /** VisitRulesFor: the rules of the cluster role bindings, then (with a namespace) those of the namespace's role bindings. */
  visitRulesFor(user: RequestUser, namespace: string, visit: RuleVisitor): void {
    this.index ??= this.build()
    for (const { binding, subject } of this.candidates(this.index.cluster, user, '')) {
      const { rules, err } = this.roleReferenceRules(binding.roleRef, '')
      if (err && !visit(undefined, undefined, err)) return
      for (const rule of rules) if (!visit({ binding, subject }, rule, undefined)) return
    }
    if (!namespace) return
    for (const { binding, subject } of this.candidates(this.index.namespaced.get(namespace), user, namespace)) {
      const { rules, err } = this.roleReferenceRules(binding.roleRef, namespace)
      if (err && !visit(undefined, undefined, err)) return
      for (const rule of rules) if (!visit({ binding, subject, namespace }, rule, undefined)) return
    }
  }

  /** RulesFor: every rule that applies to `user` in `namespace`, and the resolution errors. */
  rulesFor(user: RequestUser, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = []
    const errors: string[] = []
    this.visitRulesFor(user, namespace, (_src, rule, err) => {
      if (rule) rules.push(rule)
      if (err) errors.push(err)
      return true
    })
    return { rules, errors }
  }
}
