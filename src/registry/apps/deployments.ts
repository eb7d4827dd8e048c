/** @module deployments: the apps/v1 Deployment definition (pkg/registry/apps/deployment/strategy.go, pkg/apis/apps/v1/defaults.go). */
import type { DeploymentSpec, DeploymentStatus } from 'kubernetes-types/apps/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { defaultPodSpec } from '../shared/pod-spec.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { containersAndImages } from '../shared/workload-columns.js'
import { labelSelectorAsString } from '../../store/selectors.js'
import { ageColumn, containersColumn, imagesColumn, nameColumn, selectorColumn, stringColumn } from './columns.js'
import { intOrPercentValue, isNotMoreThan100Percent, validateNonnegative, validatePositiveIntOrPercent } from './int-or-percent.js'
import { GoLiteral, goIntOrString } from '../../util/go-value.js'
import { defaultTemplateMetadata, validateAlwaysRunningTemplate, validateSelectorImmutable, validateWorkloadSelector } from './workload-validation.js'

/** A Deployment as stored. */
export type Deployment = KubeObject & { spec?: DeploymentSpec; status?: DeploymentStatus }

/** The autoscaling/v1 Scale subresource shared by deployments, replicasets and statefulsets. */
export const scaleSubresource = { name: 'scale', verbs: ['get', 'patch', 'update'], kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' } }
/** The status subresource. */
export const statusSubresource = { name: 'status', verbs: ['get', 'patch', 'update'] }

/** SetDefaults_Deployment: rollingUpdate is only filled in when the strategy is RollingUpdate. */
function applyDefaults(obj: Deployment): void {
  const spec = (obj.spec ??= {} as DeploymentSpec)
  spec.replicas ??= 1
  const strategy = (spec.strategy ??= {})
  strategy.type ||= 'RollingUpdate'
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {})
    ru.maxUnavailable ??= '25%'
    ru.maxSurge ??= '25%'
  }
  spec.revisionHistoryLimit ??= 10
  spec.progressDeadlineSeconds ??= 600
  spec.template ??= {}
  defaultTemplateMetadata(spec.template as { metadata?: Record<string, unknown> })
  if (spec.template.spec) defaultPodSpec(spec.template.spec, { template: true })
}

/** ValidateDeploymentStrategy + ValidateRollingUpdateDeployment. */
function validateStrategy(spec: DeploymentSpec): FieldError[] {
  const s = spec.strategy ?? {}
  const path = 'spec.strategy'
  if (s.type === 'Recreate') {
    return s.rollingUpdate
      ? [{ type: 'FieldValueForbidden', field: `${path}.rollingUpdate`, detail: "may not be specified when strategy `type` is 'Recreate'" }]
      : []
  }
  if (s.type === 'RollingUpdate') {
    const ru = s.rollingUpdate
    if (!ru) return [{ type: 'FieldValueRequired', field: `${path}.rollingUpdate`, detail: 'this should be defaulted and never be nil' }]
    const mu = `${path}.rollingUpdate.maxUnavailable`
    const errs = [...validatePositiveIntOrPercent(ru.maxUnavailable, mu), ...validatePositiveIntOrPercent(ru.maxSurge, `${path}.rollingUpdate.maxSurge`)]
    if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
      errs.push({
        type: 'FieldValueInvalid',
        field: mu,
        badValue: new GoLiteral(goIntOrString(ru.maxUnavailable)),
        detail: 'may not be 0 when `maxSurge` is 0',
      })
    }
    return [...errs, ...isNotMoreThan100Percent(ru.maxUnavailable, mu)]
  }
  // field.NotSupported(fldPath, strategy, …) prints the whole strategy struct.
  const bad = new GoLiteral(`apps.DeploymentStrategy{Type:${JSON.stringify(s.type ?? '')}, RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}`)
  return [{ type: 'FieldValueNotSupported', field: path, badValue: bad, detail: 'supported values: "Recreate", "RollingUpdate"' }]
}

/** ValidateDeploymentSpec (metadata is validated by the generic registry). */
function validate(obj: Deployment): FieldError[] {
  const spec = obj.spec ?? ({} as DeploymentSpec)
  const errs = [...validateNonnegative(spec.replicas, 'spec.replicas'), ...validateWorkloadSelector(spec.selector, 'spec.selector', 'deployment')]
  errs.push(...validateAlwaysRunningTemplate(spec.template, spec.selector, 'spec.template', 'ReplicaSet'))
  errs.push(...validateStrategy(spec))
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'))
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'))
  if (spec.progressDeadlineSeconds !== undefined) {
    errs.push(...validateNonnegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'))
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push({
        type: 'FieldValueInvalid',
        field: 'spec.progressDeadlineSeconds',
        badValue: spec.progressDeadlineSeconds,
        detail: 'must be greater than minReadySeconds',
      })
    }
  }
  return errs
}

/** `deploy`: NAME READY UP-TO-DATE AVAILABLE AGE | CONTAINERS IMAGES SELECTOR (printDeployment). */
export const deployments: ResourceDefinition<Deployment> = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  plural: 'deployments',
  singular: 'deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  subresources: [statusSubresource, scaleSubresource],
  hasGeneration: true,
  // Annotations are copied onto ReplicaSets, so upstream bumps generation when they change too.
  generationFields: (obj) => ({ spec: obj.spec, annotations: obj.metadata.annotations ?? {} }),
  applyDefaults,
  prepareForCreate(obj) {
    obj.status = {}
  },
  prepareForUpdate(obj, old) {
    obj.status = old.status
  },
  prepareForStatusUpdate(obj, old) {
    // deploymentStatusStrategy: spec and labels come from the stored object.
    obj.spec = old.spec
    obj.metadata.labels = old.metadata.labels
  },
  validate,
  validateUpdate: (obj, old) => validateSelectorImmutable(obj.spec?.selector, old.spec?.selector),
  columns: [
    nameColumn,
    stringColumn('Ready', 'Number of the pod with ready state'),
    stringColumn('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    stringColumn('Available', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn,
  ],
  row(obj, now) {
    const spec = obj.spec ?? ({} as DeploymentSpec)
    const st = obj.status ?? {}
    const [names, images] = containersAndImages(spec.template?.spec ?? { containers: [] })
    // printDeployment uses LabelSelectorAsSelector(...).String(): empty prints "" and errors "<invalid>".
    const sel = labelSelectorAsString(spec.selector, { empty: '' })
    return [
      obj.metadata.name ?? '',
      `${st.readyReplicas ?? 0}/${spec.replicas ?? 0}`,
      st.updatedReplicas ?? 0,
      st.availableReplicas ?? 0,
      translateTimestampSince(obj.metadata.creationTimestamp, now),
      names,
      images,
      sel === '<error>' ? '<invalid>' : sel,
    ]
  },
}
