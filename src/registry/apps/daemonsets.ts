/** @module daemonsets: the apps/v1 DaemonSet definition (pkg/registry/apps/daemonset/strategy.go). */
import type { DaemonSetSpec, DaemonSetStatus } from 'kubernetes-types/apps/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { defaultPodSpec } from '../shared/pod-spec.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { containersAndImages } from '../shared/workload-columns.js'
import { labelSelectorAsString } from '../../store/selectors.js'
import { ageColumn, containersColumn, imagesColumn, intColumn, nameColumn, selectorColumn, stringColumn } from './columns.js'
import { intOrPercentValue, isNotMoreThan100Percent, validateNonnegative, validatePositiveIntOrPercent } from './int-or-percent.js'
import { GoLiteral, goIntOrString } from '../../util/go-value.js'
import {
  defaultTemplateMetadata,
  jsonEqual,
  validateAlwaysRunningTemplate,
  validateSelectorImmutable,
  validateWorkloadSelector,
} from './workload-validation.js'
import { statusSubresource } from './deployments.js'
import { formatLabels } from '../shared/columns.js'

/** A DaemonSet as stored. */
export type DaemonSet = KubeObject & { spec?: DaemonSetSpec; status?: DaemonSetStatus }

/** apps/v1 keeps the internal spec.templateGeneration in this annotation (pkg/apis/apps/v1/conversion.go). */
export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation'

/** ValidateDaemonSetUpdateStrategy + ValidateRollingUpdateDaemonSet. */
function validateUpdateStrategy(spec: DaemonSetSpec): FieldError[] {
  const s = spec.updateStrategy ?? {}
  const path = 'spec.updateStrategy'
  if (s.type === 'OnDelete') return []
  if (s.type === 'RollingUpdate') {
    const ru = s.rollingUpdate
    if (!ru) return [{ type: 'FieldValueRequired', field: `${path}.rollingUpdate`, detail: '' }]
    const mu = `${path}.rollingUpdate.maxUnavailable`
    const ms = `${path}.rollingUpdate.maxSurge`
    const errs = [
      ...validatePositiveIntOrPercent(ru.maxUnavailable, mu),
      ...validatePositiveIntOrPercent(ru.maxSurge, ms),
      ...isNotMoreThan100Percent(ru.maxUnavailable, mu),
      ...isNotMoreThan100Percent(ru.maxSurge, ms),
    ]
    const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0
    const hasSurge = intOrPercentValue(ru.maxSurge) !== 0
    if (hasUnavailable && hasSurge)
      errs.push({
        type: 'FieldValueInvalid',
        field: ms,
        badValue: new GoLiteral(goIntOrString(ru.maxSurge)),
        detail: 'may not be set when maxUnavailable is non-zero',
      })
    if (!hasUnavailable && !hasSurge) errs.push({ type: 'FieldValueRequired', field: mu, detail: 'cannot be 0 when maxSurge is 0' })
    return errs
  }
  const bad = new GoLiteral(`apps.DaemonSetUpdateStrategy{Type:${JSON.stringify(s.type ?? '')}, RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}`)
  return [{ type: 'FieldValueNotSupported', field: path, badValue: bad, detail: 'supported values: "RollingUpdate", "OnDelete"' }]
}

/** `ds`: NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE | CONTAINERS IMAGES SELECTOR. */
export const daemonSets: ResourceDefinition<DaemonSet> = {
  group: 'apps',
  version: 'v1',
  kind: 'DaemonSet',
  plural: 'daemonsets',
  singular: 'daemonset',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  subresources: [statusSubresource],
  hasGeneration: true,
  applyDefaults(obj) {
    const spec = (obj.spec ??= {} as DaemonSetSpec)
    const us = (spec.updateStrategy ??= {})
    us.type ||= 'RollingUpdate'
    if (us.type === 'RollingUpdate') {
      const ru = (us.rollingUpdate ??= {})
      ru.maxUnavailable ??= 1
      ru.maxSurge ??= 0
    }
    spec.revisionHistoryLimit ??= 10
    spec.template ??= {}
    defaultTemplateMetadata(spec.template as { metadata?: Record<string, unknown> })
    if (spec.template.spec) defaultPodSpec(spec.template.spec, { template: true })
  },
  prepareForCreate(obj) {
    obj.metadata.annotations = { ...obj.metadata.annotations, [templateGenerationAnnotation]: '1' }
    // These four counters have no omitempty in apps/v1.
    obj.status = { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 }
  },
  prepareForUpdate(obj, old) {
    obj.status = old.status
    // Clients may not set templateGeneration; it moves only when the template changes.
    const prev = parseInt(old.metadata.annotations?.[templateGenerationAnnotation] ?? '0', 10) || 0
    const next = jsonEqual(obj.spec?.template, old.spec?.template) ? prev : prev + 1
    obj.metadata.annotations = { ...obj.metadata.annotations, [templateGenerationAnnotation]: String(next) }
  },
  prepareForStatusUpdate(obj, old) {
    obj.spec = old.spec
  },
  validate(obj) {
    const spec = obj.spec ?? ({} as DaemonSetSpec)
    return [
      ...validateWorkloadSelector(spec.selector, 'spec.selector', 'daemonset'),
      ...validateAlwaysRunningTemplate(spec.template, spec.selector, 'spec.template', 'DaemonSet'),
      ...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'),
      ...validateUpdateStrategy(spec),
      ...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'),
    ]
  },
  validateUpdate: (obj, old) => validateSelectorImmutable(obj.spec?.selector, old.spec?.selector),
  columns: [
    nameColumn,
    intColumn('Desired', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'),
    intColumn('Current', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    intColumn('Ready', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'),
    intColumn('Up-to-date', 'The total number of nodes that are running updated daemon pod'),
    intColumn(
      'Available',
      'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)',
    ),
    stringColumn(
      'Node Selector',
      "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node.",
    ),
    ageColumn,
    containersColumn,
    imagesColumn,
    {
      ...selectorColumn,
      description: "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels.",
    },
  ],
  row(obj, now) {
    const spec = obj.spec ?? ({} as DaemonSetSpec)
    const st = obj.status ?? ({} as DaemonSetStatus)
    const [names, images] = containersAndImages(spec.template?.spec ?? { containers: [] })
    return [
      obj.metadata.name ?? '',
      st.desiredNumberScheduled ?? 0,
      st.currentNumberScheduled ?? 0,
      st.numberReady ?? 0,
      st.updatedNumberScheduled ?? 0,
      st.numberAvailable ?? 0,
      formatLabels(spec.template?.spec?.nodeSelector),
      translateTimestampSince(obj.metadata.creationTimestamp, now),
      names,
      images,
      labelSelectorAsString(spec.selector),
    ]
  },
}
