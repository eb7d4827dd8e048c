/** @module columns: column definitions the workload printers of pkg/printers/internalversion/printers.go repeat. */
import type { ColumnDef } from '../resource-definition.js'

/** The Name/Age/Containers/Images columns are the core engineer's shared ones. */
export { ageColumn, containersColumn, imagesColumn, nameColumn } from '../shared/columns.js'

/** Wide column: the label selector of a workload. */
export const selectorColumn: ColumnDef = {
  name: 'Selector',
  type: 'string',
  priority: 1,
  description:
    'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
}

/** An integer column (DESIRED, CURRENT, …): cells are JSON numbers. */
export function intColumn(name: string, description: string): ColumnDef {
  return { name, type: 'integer', description }
}

/** A plain string column. */
export function stringColumn(name: string, description: string): ColumnDef {
  return { name, type: 'string', description }
}
