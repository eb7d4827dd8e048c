/**
 * @module custom-resource-schema: the OpenAPI definitions of a custom resource, built from its CRD
 * version's openAPIV3Schema with apiVersion, kind and metadata added, as the apiextensions-apiserver's
 * builder does (staging/src/k8s.io/apiextensions-apiserver/pkg/controller/openapi/builder/builder.go).
 */
import { SCHEMA_REF_PREFIX, type SchemaObject } from './definitions.js'

const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1.'
const apiVersionDescription =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources'
const kindDescription =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds'

/** The definition name upstream gives a custom kind: the group's labels reversed (`com.example.stable.v1.CronTab`). */
export function customResourceDefinitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`
}

/** The kind's and list's definitions for a served custom resource version. Pure; `schema` is copied. */
export function customResourceSchemas(
  group: string,
  version: string,
  kind: string,
  schema: Record<string, unknown>,
): { kind: string; list: string; definitions: Record<string, SchemaObject> } {
  const name = customResourceDefinitionName(group, version, kind)
  const listName = `${name}List`
  const gvk = [{ group, version, kind }]
  const root = structuredClone(schema) as SchemaObject & { properties?: Record<string, unknown> }
  root.type ??= 'object'
  root.properties = {
    ...(root.properties ?? {}),
    apiVersion: { description: apiVersionDescription, type: 'string' },
    kind: { description: kindDescription, type: 'string' },
    metadata: { $ref: `${SCHEMA_REF_PREFIX}${meta}ObjectMeta` },
  }
  root['x-kubernetes-group-version-kind'] = gvk
  const list: SchemaObject = {
    description: `${kind}List is a list of ${kind}`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { description: apiVersionDescription, type: 'string' },
      items: {
        description: `List of ${kind.toLowerCase()}s. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`,
        type: 'array',
        items: { $ref: SCHEMA_REF_PREFIX + name },
      },
      kind: { description: kindDescription, type: 'string' },
      metadata: { $ref: `${SCHEMA_REF_PREFIX}${meta}ListMeta` },
    },
    'x-kubernetes-group-version-kind': [{ group, version, kind: `${kind}List` }],
  }
  return { kind: name, list: listName, definitions: { [name]: root, [listName]: list } }
}
