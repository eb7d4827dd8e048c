/**
 * @module kube-types: the opaque CEL types of the Kubernetes libraries (Quantity, URL, IP, CIDR,
 * the authorizer's checks), declared as runtime protobuf messages because @bufbuild/cel carries
 * any non-JSON value as a message; each holds its canonical text in one string field.
 */
import { objectType, type CelObjectType } from '@bufbuild/cel'
import { create, createFileRegistry, createRegistry, type DescMessage, type Registry } from '@bufbuild/protobuf'
import { FieldDescriptorProto_Type, FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt'
import { reflect, type ReflectMessage } from '@bufbuild/protobuf/reflect'

/** The type names, as upstream's (`kubernetes.Quantity`, `net.URL`, `net.IP`, `net.CIDR`, `kubernetes.authorization.*`). */
const typeNames = {
  quantity: 'kubernetes.Quantity',
  url: 'net.URL',
  ip: 'net.IP',
  cidr: 'net.CIDR',
  authorizer: 'kubernetes.authorization.Authorizer',
  pathCheck: 'kubernetes.authorization.PathCheck',
  groupCheck: 'kubernetes.authorization.GroupCheck',
  resourceCheck: 'kubernetes.authorization.ResourceCheck',
  decision: 'kubernetes.authorization.Decision',
  optional: 'optional_type',
} as const

/** Which library type a value is. */
export type KubeTypeName = keyof typeof typeNames

function fileFor(pkg: string, names: string[]) {
  return create(FileDescriptorProtoSchema, {
    name: `kubemock/cel/${pkg || names[0]}.proto`,
    package: pkg,
    syntax: 'proto3',
    // One string field: the value's text (a JSON-encoded record for the authorizer's builders).
    messageType: names.map((name) => ({ name, field: [{ name: 'text', jsonName: 'text', number: 1, type: FieldDescriptorProto_Type.STRING }] })),
  })
}

const files = createFileRegistry(
  create(FileDescriptorSetSchema, {
    file: [
      fileFor('kubernetes', ['Quantity']),
      fileFor('net', ['URL', 'IP', 'CIDR']),
      fileFor('kubernetes.authorization', ['Authorizer', 'PathCheck', 'GroupCheck', 'ResourceCheck', 'Decision']),
      fileFor('', ['optional_type']),
    ],
  }),
)

const descs = Object.fromEntries(
  Object.entries(typeNames).map(([k, name]) => {
    const d = files.getMessage(name)
    if (!d) throw new Error(`kube-types: ${name} missing`)
    return [k, d]
  }),
) as Record<KubeTypeName, DescMessage>

/** The CEL types to declare function signatures with. */
export const kubeTypes = Object.fromEntries(Object.entries(descs).map(([k, d]) => [k, objectType(d)])) as Record<KubeTypeName, CelObjectType>

/** The protobuf registry the CEL environment needs to know these messages. */
export const kubeTypeRegistry: Registry = createRegistry(...Object.values(descs))

/** A value of a library type holding `text`. */
export function kubeValue(type: KubeTypeName, text: string): ReflectMessage {
  const d = descs[type]
  return reflect(d, create(d, { text } as never))
}

/** The text a library value holds, or undefined when `v` is not of `type`. */
export function kubeText(v: unknown, type?: KubeTypeName): string | undefined {
  const m = v as ReflectMessage | undefined
  if (!m || typeof m !== 'object' || !('desc' in m) || !('message' in m)) return undefined
  const name = (m.desc as DescMessage).typeName
  if (type ? name !== typeNames[type] : !Object.values(typeNames).includes(name as never)) return undefined
  return (m.message as unknown as { text: string }).text
}

/** Which library type `v` is, if any. */
export function kubeTypeOf(v: unknown): KubeTypeName | undefined {
  for (const k of Object.keys(typeNames) as KubeTypeName[]) if (kubeText(v, k) !== undefined) return k
  return undefined
}
