/** @module runtimeclasses: the node.k8s.io/v1 RuntimeClass definition (pkg/registry/node/runtimeclass/strategy.go, pkg/apis/node/validation). */
import type { Toleration } from 'kubernetes-types/core/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { ageColumn, nameColumn } from '../shared/columns.js'
import { invalid } from '../shared/field-errors.js'
import { parseQuantity } from '../shared/quantity.js'
import { validateTolerations } from '../shared/pod-spec-validation.js'
import { isDNS1123Label, validateImmutable, validateLabels } from '../shared/validation.js'

/** A RuntimeClass as stored (no spec: handler, overhead and scheduling sit at the top level). */
export type RuntimeClass = KubeObject & {
  handler?: string
  overhead?: { podFixed?: Record<string, string> }
  scheduling?: { nodeSelector?: Record<string, string>; tolerations?: Toleration[] }
}

/** ValidateRuntimeClass: the handler is a DNS label; overhead quantities are non-negative; scheduling as a pod's. */
function validate(rc: RuntimeClass): FieldError[] {
  const handler = rc.handler ?? ''
  const errs: FieldError[] = isDNS1123Label(handler).map((msg) => invalid('handler', handler, msg))
  for (const [k, v] of Object.entries(rc.overhead?.podFixed ?? {})) {
    // ValidateResourceRequirements over {Limits: podFixed}.
    if ((parseQuantity(v) ?? 0) < 0) errs.push(invalid(`overhead.limits[${k}]`, String(v), 'must be greater than or equal to 0'))
  }
  const s = rc.scheduling
  if (s?.nodeSelector) errs.push(...validateLabels(s.nodeSelector, 'scheduling.nodeSelector'))
  if (s?.tolerations) errs.push(...validateTolerations(s.tolerations, 'scheduling.tolerations'))
  return errs
}

/** NAME HANDLER AGE (printRuntimeClass). */
export const runtimeClasses: ResourceDefinition<RuntimeClass> = {
  group: 'node.k8s.io',
  version: 'v1',
  kind: 'RuntimeClass',
  plural: 'runtimeclasses',
  singular: 'runtimeclass',
  namespaced: false,
  validate,
  // ValidateRuntimeClassUpdate: the handler is immutable.
  validateUpdate: (rc, old) => validateImmutable(rc.handler, old.handler, 'handler'),
  columns: [
    nameColumn,
    // Upstream describes it with metav1.ObjectMeta{}.SwaggerDoc()["handler"], which is empty.
    { name: 'Handler', type: 'string', description: '' },
    ageColumn,
  ],
  row: (rc, now) => [rc.metadata.name ?? '', rc.handler ?? '', translateTimestampSince(rc.metadata.creationTimestamp, now)],
}
