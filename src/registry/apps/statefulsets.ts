/** @module statefulsets: the apps/v1 StatefulSet definition (pkg/registry/apps/statefulset/strategy.go). */
import type { StatefulSetSpec, StatefulSetStatus } from 'kubernetes-types/apps/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { defaultPodSpec } from '../shared/pod-spec.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { containersAndImages } from '../shared/workload-columns.js'
import { ageColumn, containersColumn, imagesColumn, nameColumn, stringColumn } from './columns.js'
import { intOrPercentValue, isNotMoreThan100Percent, validateNonnegative, validatePositiveIntOrPercent } from './int-or-percent.js'
import { GoLiteral, goIntOrString } from '../../util/go-value.js'
import { defaultTemplateMetadata, jsonEqual, validateAlwaysRunningTemplate, validateWorkloadSelector } from './workload-validation.js'
import { scaleSubresource, statusSubresource } from './deployments.js'
import { specStatusUpdates } from '../shared/spec-status.js'

/** A StatefulSet as stored. */
export type StatefulSet = KubeObject & { spec?: StatefulSetSpec; status?: StatefulSetStatus }

const retention = ['Retain', 'Delete']

/** ValidateStatefulSetSpec: policies, strategy, counts; selector and template like ReplicaSets. */
function validateSpec(spec: StatefulSetSpec): FieldError[] {
  const errs: FieldError[] = []
  const pmp = spec.podManagementPolicy
  if (!pmp) errs.push({ type: 'FieldValueRequired', field: 'spec.podManagementPolicy', detail: '' })
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel')
    errs.push({ type: 'FieldValueInvalid', field: 'spec.podManagementPolicy', badValue: pmp, detail: "must be 'OrderedReady' or 'Parallel'" })
  const us = spec.updateStrategy ?? {}
  if (!us.type) errs.push({ type: 'FieldValueRequired', field: 'spec.updateStrategy', detail: '' })
  else if (us.type === 'OnDelete') {
    if (us.rollingUpdate)
      errs.push({
        type: 'FieldValueInvalid',
        field: 'spec.updateStrategy.rollingUpdate',
        badValue: new GoLiteral('&apps.RollingUpdateStatefulSetStrategy{…}'),
        detail: "only allowed for updateStrategy 'RollingUpdate'",
      })
  } else if (us.type === 'RollingUpdate') {
    const ru = us.rollingUpdate
    if (ru) {
      errs.push(...validateNonnegative(ru.partition, 'spec.updateStrategy.rollingUpdate.partition'))
      if (ru.maxUnavailable !== undefined) {
        const f = 'spec.updateStrategy.rollingUpdate.maxUnavailable'
        errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, f))
        if (intOrPercentValue(ru.maxUnavailable) === 0)
          errs.push({ type: 'FieldValueInvalid', field: f, badValue: new GoLiteral(goIntOrString(ru.maxUnavailable)), detail: 'cannot be 0' })
        errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, f))
      }
    }
  } else {
    errs.push({
      type: 'FieldValueInvalid',
      field: 'spec.updateStrategy',
      badValue: new GoLiteral(`apps.StatefulSetUpdateStrategy{Type:${JSON.stringify(us.type)}, RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}`),
      detail: "must be 'RollingUpdate' or 'OnDelete'",
    })
  }
  const pvc = spec.persistentVolumeClaimRetentionPolicy
  if (pvc) {
    for (const k of ['whenDeleted', 'whenScaled'] as const) {
      if (!retention.includes(pvc[k] ?? ''))
        errs.push({
          type: 'FieldValueNotSupported',
          field: `spec.persistentVolumeClaimRetentionPolicy.${k}`,
          badValue: pvc[k] ?? '',
          detail: 'supported values: "Retain", "Delete"',
        })
    }
  }
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'), ...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'))
  if (spec.ordinals) errs.push(...validateNonnegative(spec.ordinals.start, 'spec.ordinals.start'))
  errs.push(...validateWorkloadSelector(spec.selector, 'spec.selector', 'statefulset'))
  errs.push(...validateAlwaysRunningTemplate(withClaimVolumes(spec), spec.selector, 'spec.template', 'StatefulSet'))
  return errs
}

/**
 * The template as the controller turns it into pods (updateStorage): a volume per claim template,
 * replacing a same-named one. Upstream skips pod-spec validation for StatefulSets because
 * volumeMounts may name claim templates; validating this form keeps the other pod rules.
 */
function withClaimVolumes(spec: StatefulSetSpec): StatefulSetSpec['template'] {
  const names = (spec.volumeClaimTemplates ?? []).map((c) => c.metadata?.name ?? '').filter(Boolean)
  if (!names.length || !spec.template?.spec) return spec.template
  const vols = names.map((n) => ({ name: n, persistentVolumeClaim: { claimName: n } }))
  return { ...spec.template, spec: { ...spec.template.spec, volumes: [...(spec.template.spec.volumes ?? []).filter((v) => !names.includes(v.name)), ...vols] } }
}

/** ValidateStatefulSetUpdate: only a few spec fields may change. */
function validateUpdate(obj: StatefulSet, old: StatefulSet): FieldError[] {
  const mutable = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']
  const strip = (s: StatefulSetSpec | undefined) => Object.fromEntries(Object.entries(s ?? {}).filter(([k]) => !mutable.includes(k)))
  if (jsonEqual(strip(obj.spec), strip(old.spec))) return []
  return [
    {
      type: 'FieldValueForbidden',
      field: 'spec',
      detail:
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    },
  ]
}

/** `sts`: NAME READY AGE | CONTAINERS IMAGES (printStatefulSet). */
export const statefulSets: ResourceDefinition<StatefulSet> = {
  group: 'apps',
  version: 'v1',
  kind: 'StatefulSet',
  plural: 'statefulsets',
  singular: 'statefulset',
  namespaced: true,
  shortNames: ['sts'],
  categories: ['all'],
  subresources: [statusSubresource, scaleSubresource],
  hasGeneration: true,
  applyDefaults(obj) {
    // SetDefaults_StatefulSet (StatefulSetAutoDeletePVC is GA in 1.32; MaxUnavailableStatefulSet is off).
    const spec = (obj.spec ??= {} as StatefulSetSpec)
    spec.podManagementPolicy ||= 'OrderedReady'
    const us = (spec.updateStrategy ??= {})
    if (!us.type) {
      us.type = 'RollingUpdate'
      us.rollingUpdate ??= {}
    }
    if (us.type === 'RollingUpdate' && us.rollingUpdate) us.rollingUpdate.partition ??= 0
    const pvc = (spec.persistentVolumeClaimRetentionPolicy ??= {})
    pvc.whenDeleted ||= 'Retain'
    pvc.whenScaled ||= 'Retain'
    spec.replicas ??= 1
    spec.revisionHistoryLimit ??= 10
    spec.template ??= {}
    defaultTemplateMetadata(spec.template as { metadata?: Record<string, unknown> })
    if (spec.template.spec) defaultPodSpec(spec.template.spec, { template: true })
    for (const pvcTpl of spec.volumeClaimTemplates ?? []) {
      // Claim templates are full objects: volumeMode Filesystem and an empty status come back.
      pvcTpl.apiVersion ??= 'v1'
      pvcTpl.kind ??= 'PersistentVolumeClaim'
      defaultTemplateMetadata(pvcTpl as { metadata?: Record<string, unknown> })
      pvcTpl.spec ??= {}
      pvcTpl.spec.volumeMode ??= 'Filesystem'
      const writable = pvcTpl as { status?: unknown }
      writable.status ??= { phase: 'Pending' }
    }
  },
  prepareForCreate(obj) {
    obj.status = { replicas: 0, availableReplicas: 0 }
  },
  ...specStatusUpdates<StatefulSet>(),
  validate: (obj) => validateSpec(obj.spec ?? ({} as StatefulSetSpec)),
  // The selector is not in the mutable list, so a selector change is reported by the spec rule.
  validateUpdate,
  columns: [nameColumn, stringColumn('Ready', 'Number of the pod with ready state'), ageColumn, containersColumn, imagesColumn],
  row(obj, now) {
    const spec = obj.spec ?? ({} as StatefulSetSpec)
    const [names, images] = containersAndImages(spec.template?.spec ?? { containers: [] })
    return [
      obj.metadata.name ?? '',
      `${obj.status?.readyReplicas ?? 0}/${spec.replicas ?? 0}`,
      translateTimestampSince(obj.metadata.creationTimestamp, now),
      names,
      images,
    ]
  },
}
