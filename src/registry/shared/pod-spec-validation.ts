/**
 * @module pod-spec-validation: ValidatePodSpec / ValidatePodTemplateSpec from
 * pkg/apis/core/validation/validation.go, limited to the rules users are likely to hit.
 */
import type { PodSpec, PodTemplateSpec, Toleration, Volume } from 'kubernetes-types/core/v1.js'
import type { LabelSelector } from 'kubernetes-types/meta/v1.js'
import type { FieldError } from '../../types.js'
import { duplicate, forbidden, invalid, notSupported, required } from './field-errors.js'
import { inclusiveRangeError, validateContainer } from './container-validation.js'
import { invalidEach, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, validateAnnotations, validateLabels } from './validation.js'
import { labelSelectorIsEmpty, labelSelectorMatches } from './label-selector-match.js'
import { validateEphemeralContainers } from './ephemeral-container-validation.js'
import { volumeSourceKeys } from './pod-spec.js'

const maxInt32 = 2147483647

/**
 * Validates a (defaulted) PodSpec found at `path` (`spec` for pods, `spec.template.spec` for
 * workloads). Pure; returns errors in upstream's order: volumes, containers, init containers,
 * restartPolicy, dnsPolicy, nodeSelector, serviceAccountName, nodeName, activeDeadlineSeconds,
 * hostname/subdomain, tolerations.
 */
export function validatePodSpec(spec: PodSpec | undefined, path: string): FieldError[] {
  const s = spec ?? ({} as PodSpec)
  const errs: FieldError[] = []
  const volumeNames = new Set<string>()
  ;(s.volumes ?? []).forEach((v, i) => {
    const p = `${path}.volumes[${i}]`
    if (!v.name) errs.push(required(`${p}.name`))
    else {
      errs.push(...invalidEach(`${p}.name`, v.name, isDNS1123Label(v.name)))
      if (volumeNames.has(v.name)) errs.push(duplicate(`${p}.name`, v.name))
      volumeNames.add(v.name)
    }
    errs.push(...validateVolumeSource(v, p))
  })
  const containers = s.containers ?? []
  if (containers.length === 0) errs.push(required(`${path}.containers`))
  const names = new Set<string>()
  containers.forEach((c, i) => {
    const p = `${path}.containers[${i}]`
    errs.push(...validateContainer(c, p, { volumeNames }))
    if (c.name && names.has(c.name)) errs.push(duplicate(`${p}.name`, c.name))
    if (c.name) names.add(c.name)
  })
  ;(s.initContainers ?? []).forEach((c, i) => {
    const p = `${path}.initContainers[${i}]`
    errs.push(...validateContainer(c, p, { volumeNames }))
    if (c.name && names.has(c.name)) errs.push(duplicate(`${p}.name`, c.name))
    if (c.name) names.add(c.name)
    if (c.restartPolicy !== undefined && c.restartPolicy !== 'Always') errs.push(notSupported(`${p}.restartPolicy`, c.restartPolicy, ['Always']))
  })
  errs.push(...validateEphemeralContainers(s, `${path}.ephemeralContainers`, volumeNames))
  containers.forEach((c, i) => {
    if (c.restartPolicy !== undefined) errs.push(forbidden(`${path}.containers[${i}].restartPolicy`, 'may not be set for non-init containers'))
  })
  const restartPolicies = ['Always', 'OnFailure', 'Never']
  if (!s.restartPolicy) errs.push(required(`${path}.restartPolicy`))
  else if (!restartPolicies.includes(s.restartPolicy)) errs.push(notSupported(`${path}.restartPolicy`, s.restartPolicy, restartPolicies))
  const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']
  if (!s.dnsPolicy) errs.push(required(`${path}.dnsPolicy`))
  else if (!dnsPolicies.includes(s.dnsPolicy)) errs.push(notSupported(`${path}.dnsPolicy`, s.dnsPolicy, dnsPolicies))
  errs.push(...validateLabels(s.nodeSelector, `${path}.nodeSelector`))
  if (s.serviceAccountName) errs.push(...invalidEach(`${path}.serviceAccountName`, s.serviceAccountName, isDNS1123Subdomain(s.serviceAccountName)))
  if (s.nodeName) errs.push(...invalidEach(`${path}.nodeName`, s.nodeName, isDNS1123Subdomain(s.nodeName)))
  if (s.activeDeadlineSeconds !== undefined && (s.activeDeadlineSeconds < 1 || s.activeDeadlineSeconds > maxInt32)) {
    errs.push(invalid(`${path}.activeDeadlineSeconds`, s.activeDeadlineSeconds, inclusiveRangeError(1, maxInt32)))
  }
  if (s.hostname) errs.push(...invalidEach(`${path}.hostname`, s.hostname, isDNS1123Label(s.hostname)))
  if (s.subdomain) errs.push(...invalidEach(`${path}.subdomain`, s.subdomain, isDNS1123Label(s.subdomain)))
  errs.push(...validateTolerations(s.tolerations ?? [], `${path}.tolerations`))
  return errs
}

/** validateVolumeSource: exactly one source, and the name fields the common sources require. */
function validateVolumeSource(v: Volume, path: string): FieldError[] {
  const errs: FieldError[] = []
  const vv = v as unknown as Record<string, unknown>
  const present = volumeSourceKeys.filter((k) => vv[k] !== undefined && vv[k] !== null)
  if (present.length === 0) errs.push(required(path, 'must specify a volume type'))
  for (const k of present.slice(1)) errs.push(forbidden(`${path}.${k}`, 'may not specify more than 1 volume type'))
  if (v.configMap && !v.configMap.name) errs.push(required(`${path}.configMap.name`))
  if (v.secret && !v.secret.secretName) errs.push(required(`${path}.secret.secretName`))
  if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) errs.push(required(`${path}.persistentVolumeClaim.claimName`))
  if (v.hostPath && !v.hostPath.path) errs.push(required(`${path}.hostPath.path`))
  return errs
}

const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute']

/** ValidateTolerations. */
export function validateTolerations(tolerations: Toleration[], path: string): FieldError[] {
  const errs: FieldError[] = []
  tolerations.forEach((t, i) => {
    const p = `${path}[${i}]`
    if (t.key) errs.push(...invalidEach(`${p}.key`, t.key, isQualifiedName(t.key)))
    if (!t.key && t.operator !== 'Exists') {
      errs.push(invalid(`${p}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'))
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      errs.push(invalid(`${p}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"))
    }
    switch (t.operator ?? '') {
      case 'Equal':
      case '': {
        const msgs = isValidLabelValue(t.value ?? '')
        if (msgs.length) errs.push(invalid(`${p}.operator`, t.value ?? '', msgs.join(';')))
        break
      }
      case 'Exists':
        if (t.value) errs.push(invalid(`${p}.operator`, t, "value must be empty when `operator` is 'Exists'"))
        break
      default:
        errs.push(notSupported(`${p}.operator`, t.operator, ['Equal', 'Exists']))
    }
    if (t.effect && !taintEffects.includes(t.effect)) errs.push(notSupported(`${p}.effect`, t.effect, taintEffects))
  })
  return errs
}

/**
 * ValidatePodTemplateSpec plus the selector check of ValidatePodTemplateSpecForReplicaSet /
 * ForDeployment (pkg/apis/apps/validation): when `selector` is given and non-empty it must
 * select the template's labels, else `<path>.metadata.labels: Invalid value:
 * map[string]string{…}: \`selector\` does not match template \`labels\``. Note upstream validates
 * the template's labels/annotations at `<path>.labels` / `<path>.annotations` (no `metadata`).
 * Workload-specific rules (restartPolicy Always, …) stay with the caller.
 */
export function validatePodTemplateSpec(tpl: PodTemplateSpec | undefined, path: string, selector?: LabelSelector | null): FieldError[] {
  if (!tpl) return [required(path)]
  const errs: FieldError[] = []
  const labels = tpl.metadata?.labels
  if (selector && !labelSelectorIsEmpty(selector) && !labelSelectorMatches(selector, labels)) {
    errs.push(invalid(`${path}.metadata.labels`, labels ?? null, '`selector` does not match template `labels`'))
  }
  errs.push(...validateLabels(labels, `${path}.labels`))
  errs.push(...validateAnnotations(tpl.metadata?.annotations, `${path}.annotations`))
  errs.push(...validatePodSpec(tpl.spec, `${path}.spec`))
  if ((tpl.spec?.ephemeralContainers ?? []).length > 0)
    errs.push(forbidden(`${path}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'))
  return errs
}
