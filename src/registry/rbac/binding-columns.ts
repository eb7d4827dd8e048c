/** @module binding-columns: the table of RoleBindings and ClusterRoleBindings (printRoleBinding, printClusterRoleBinding). */
import type { Cell, ColumnDef } from '../resource-definition.js'
import { ageColumn, nameColumn } from '../shared/columns.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { type BindingObject, subjectsStrings } from './rbac-validation.js'

/** NAME ROLE AGE, and USERS GROUPS SERVICEACCOUNTS with -o wide; `what` names the kind in the descriptions. */
export function bindingColumns(what: 'roleBinding' | 'clusterRoleBinding', roleRefDescription: string): ColumnDef[] {
  return [
    nameColumn,
    { name: 'Role', type: 'string', description: roleRefDescription },
    ageColumn,
    { name: 'Users', type: 'string', priority: 1, description: `Users in the ${what}` },
    { name: 'Groups', type: 'string', priority: 1, description: `Groups in the ${what}` },
    { name: 'ServiceAccounts', type: 'string', priority: 1, description: `ServiceAccounts in the ${what}` },
  ]
}

/** One row: the role as `Kind/name`, then the subjects by kind. */
export function bindingRow(b: BindingObject, now: Date): Cell[] {
  return [
    b.metadata.name ?? '',
    `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`,
    translateTimestampSince(b.metadata.creationTimestamp, now),
    ...subjectsStrings(b),
  ]
}
