/**
 * @module reconcile-policy: the bootstrap policy put in place at every start, as the RBAC REST
 * storage's post-start hook does (pkg/registry/rbac/rest/storage_rbac.go ensureRBACPolicy with
 * pkg/registry/rbac/reconciliation): missing objects are created; existing ones get the missing
 * labels, annotations, rules, aggregation selectors and subjects, keeping what users added;
 * `rbac.authorization.kubernetes.io/autoupdate: "false"` leaves an object alone; a binding whose
 * roleRef changed is recreated.
 */
import type { Subject } from 'kubernetes-types/rbac/v1.js'
import { StatusError } from '../../errors.js'
import type { AnyResourceStore } from '../generic-registry.js'
import type { Registry } from '../registry.js'
import { autoUpdateAnnotation, bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy.js'
import { bootstrapNamespaceRoleBindings, bootstrapNamespaceRoles } from './namespace-policy.js'
import { controllerRoleBindings, controllerRoles, controllerServiceAccountNames } from './controller-policy.js'
import type { BindingObject, RoleObject } from './rbac-validation.js'
import { missingRules } from './rule-matching.js'
import { deepFreeze } from '../../util/deep-freeze.js'

const group = 'rbac.authorization.k8s.io'

/** Expected keys absent from `have` are added; existing values win. */
function mergeMap(have: Record<string, string> | undefined, want: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!want || Object.keys(want).length === 0) return have
  return { ...want, ...(have ?? {}) }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** computeReconciledRole without removing extra permissions; undefined when nothing changes. */
export function reconciledRole(have: RoleObject, want: RoleObject): RoleObject | undefined {
  if (have.metadata.annotations?.[autoUpdateAnnotation] === 'false') return undefined
  const labels = mergeMap(have.metadata.labels, want.metadata.labels)
  const annotations = mergeMap(have.metadata.annotations, want.metadata.annotations)
  const missing = missingRules(have.rules ?? [], want.rules ?? [])
  let aggregationRule = have.aggregationRule
  if (want.aggregationRule) {
    const selectors = [...(have.aggregationRule?.clusterRoleSelectors ?? [])]
    for (const s of want.aggregationRule.clusterRoleSelectors ?? []) if (!selectors.some((h) => same(h, s))) selectors.push(s)
    aggregationRule = { clusterRoleSelectors: selectors }
  }
  const next: RoleObject = {
    ...have,
    metadata: { ...have.metadata, labels, annotations },
    ...(missing.length ? { rules: [...(have.rules ?? []), ...missing] } : {}),
    ...(aggregationRule ? { aggregationRule } : {}),
  }
  return same(next, have) ? undefined : next
}

/** computeReconciledRoleBinding without removing subjects; `recreate` when the roleRef differs. */
export function reconciledBinding(have: BindingObject, want: BindingObject): { next?: BindingObject; recreate?: boolean } {
  if (have.metadata.annotations?.[autoUpdateAnnotation] === 'false') return {}
  if (!same(have.roleRef, want.roleRef)) return { recreate: true }
  const subjects: Subject[] = [...(have.subjects ?? [])]
  for (const s of want.subjects ?? [])
    if (!subjects.some((h) => h.kind === s.kind && h.name === s.name && (h.namespace ?? '') === (s.namespace ?? ''))) subjects.push(s)
  const next: BindingObject = {
    ...have,
    metadata: {
      ...have.metadata,
      labels: mergeMap(have.metadata.labels, want.metadata.labels),
      annotations: mergeMap(have.metadata.annotations, want.metadata.annotations),
    },
    ...(subjects.length ? { subjects } : {}),
  }
  return same(next, have) ? {} : { next }
}

/**
 * The policy's objects, built once per process and frozen: every cluster's stored versions share
 * their rules, subjects, labels and annotations (about 100 KB of objects per cluster otherwise).
 * A write makes a new version with its own values; nothing may change these in place.
 */
let templates: { clusterRoles: RoleObject[]; clusterRoleBindings: BindingObject[]; roles: RoleObject[]; roleBindings: BindingObject[] } | undefined
function policyTemplates(): NonNullable<typeof templates> {
  templates ??= deepFreeze({
    clusterRoles: [...bootstrapClusterRoles(), ...controllerRoles()],
    clusterRoleBindings: [...bootstrapClusterRoleBindings(), ...controllerRoleBindings()],
    roles: bootstrapNamespaceRoles(),
    roleBindings: bootstrapNamespaceRoleBindings(),
  })
  return templates
}

async function createTolerant(rs: AnyResourceStore, ns: string, obj: RoleObject | BindingObject): Promise<void> {
  try {
    // The create stamps a copy of metadata (never the template's own); the rest is shared, frozen.
    await rs.create(ns, { ...obj, metadata: { ...obj.metadata } })
  } catch (err) {
    // Another process on the same etcd made it first.
    if (!(err instanceof StatusError && err.status.reason === 'AlreadyExists')) throw err
  }
}

/** Creates or reconciles each expected role in `rs`. */
async function reconcileRoles(rs: AnyResourceStore, wanted: RoleObject[]): Promise<void> {
  for (const want of wanted) {
    const ns = want.metadata.namespace ?? ''
    const have = rs.getStored(ns, want.metadata.name ?? '')?.obj as RoleObject | undefined
    if (!have) {
      await createTolerant(rs, ns, want)
      continue
    }
    const next = reconciledRole(have, want)
    if (next) await rs.update(ns, want.metadata.name ?? '', next)
  }
}

/** Creates or reconciles each expected binding in `rs` (recreating those whose roleRef changed). */
async function reconcileBindings(rs: AnyResourceStore, wanted: BindingObject[]): Promise<void> {
  for (const want of wanted) {
    const ns = want.metadata.namespace ?? ''
    const name = want.metadata.name ?? ''
    const have = rs.getStored(ns, name)?.obj as BindingObject | undefined
    if (!have) {
      await createTolerant(rs, ns, want)
      continue
    }
    const r = reconciledBinding(have, want)
    if (r.recreate) {
      await rs.delete(ns, name)
      await createTolerant(rs, ns, want)
    } else if (r.next) await rs.update(ns, name, r.next)
  }
}

/**
 * Reconciles the bootstrap ClusterRoles and ClusterRoleBindings (and the controller ones), the
 * kube-system and kube-public Roles and RoleBindings, and the controllers' ServiceAccounts.
 */
export async function reconcileBootstrapPolicy(registry: Registry): Promise<void> {
  const policy = policyTemplates()
  await reconcileRoles(registry.resource(group, 'clusterroles'), policy.clusterRoles)
  await reconcileBindings(registry.resource(group, 'clusterrolebindings'), policy.clusterRoleBindings)
  const namespaces = registry.find('', 'namespaces')
  const exists = (ns: string) => !!namespaces?.getStored('', ns)
  await reconcileRoles(
    registry.resource(group, 'roles'),
    policy.roles.filter((r) => exists(r.metadata.namespace ?? '')),
  )
  await reconcileBindings(
    registry.resource(group, 'rolebindings'),
    policy.roleBindings.filter((b) => exists(b.metadata.namespace ?? '')),
  )
  // kube-controller-manager with --use-service-account-credentials creates one account per
  // controller (clientbuilder.SAControllerClientBuilder) before the controller starts.
  const serviceAccounts = registry.find('', 'serviceaccounts')
  if (serviceAccounts && exists('kube-system')) {
    for (const name of controllerServiceAccountNames()) {
      if (serviceAccounts.getStored('kube-system', name)) continue
      await createTolerant(serviceAccounts, 'kube-system', {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name, namespace: 'kube-system' },
      } as RoleObject)
    }
  }
}
