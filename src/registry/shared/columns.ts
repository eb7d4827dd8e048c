/** @module columns: the Name and Age column definitions every printer in printers.go starts/ends with. */
import type { ColumnDef } from '../resource-definition.js'

/** metav1.ObjectMeta{}.SwaggerDoc()["name"], used as the Name column's description. */
export const nameDescription =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names'

/** metav1.ObjectMeta{}.SwaggerDoc()["creationTimestamp"], used as the Age column's description. */
export const creationTimestampDescription =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata'

/** `{Name: "Name", Type: "string", Format: "name"}`: the first column of almost every table. */
export const nameColumn: ColumnDef = { name: 'Name', type: 'string', format: 'name', description: nameDescription }

/** `{Name: "Age", Type: "string"}`: cells come from translateTimestampSince(creationTimestamp). */
export const ageColumn: ColumnDef = { name: 'Age', type: 'string', description: creationTimestampDescription }

/** The CONTAINERS / IMAGES wide columns shared by workload printers. */
export const containersColumn: ColumnDef = { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.' }
/** See containersColumn. */
export const imagesColumn: ColumnDef = { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.' }

/** labels.FormatLabels: `k=v` pairs sorted by key and joined with ",", `<none>` when empty. */
export function formatLabels(m: Record<string, string> | undefined | null): string {
  const keys = Object.keys(m ?? {}).sort()
  if (keys.length === 0) return '<none>'
  return keys.map((k) => `${k}=${m![k]}`).join(',')
}
