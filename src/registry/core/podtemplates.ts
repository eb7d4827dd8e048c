/** @module podtemplates: the core/v1 PodTemplate definition (pkg/registry/core/podtemplate/strategy.go). */
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { defaultPodSpec, validatePodTemplateSpec } from '../shared/pod-spec.js'
import { formatLabels, nameColumn } from '../shared/columns.js'
import { containersAndImages } from '../shared/workload-columns.js'
import { defaultTemplateMetadata } from '../apps/workload-validation.js'

/** A PodTemplate as stored: the template sits at the top level, there is no spec or status. */
export type PodTemplate = KubeObject & { template?: PodTemplateSpec }

/** NAME CONTAINERS IMAGES POD LABELS (printPodTemplate: no Age column, nothing wide). */
export const podTemplates: ResourceDefinition<PodTemplate> = {
  group: '',
  version: 'v1',
  kind: 'PodTemplate',
  plural: 'podtemplates',
  singular: 'podtemplate',
  namespaced: true,
  applyDefaults(obj) {
    obj.template ??= {}
    defaultTemplateMetadata(obj.template as { metadata?: Record<string, unknown> })
    if (obj.template.spec) defaultPodSpec(obj.template.spec, { template: true })
  },
  // ValidatePodTemplate: metadata (generic) plus the template at `template`.
  validate: (obj) => validatePodTemplateSpec(obj.template, 'template'),
  columns: [
    nameColumn,
    { name: 'Containers', type: 'string', description: 'Names of each container in the template.' },
    { name: 'Images', type: 'string', description: 'Images referenced by each container in the template.' },
    { name: 'Pod Labels', type: 'string', description: 'The labels for the pod template.' },
  ],
  row(obj) {
    const [names, images] = containersAndImages(obj.template?.spec ?? { containers: [] })
    return [obj.metadata.name ?? '', names, images, formatLabels(obj.template?.metadata?.labels)]
  },
}
