/** @module events: the events.k8s.io/v1 Event definition (pkg/registry/core/event, pkg/apis/core/validation/events.go). */
import type { Event } from 'kubernetes-types/events/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { ResourceDefinition } from '../resource-definition.js'
import { isQualifiedName } from '../shared/validation.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { GoLiteral } from '../../util/go-value.js'
import { jsonEqual } from '../apps/workload-validation.js'
import { eventColumns } from '../core/events.js'

/** An events.k8s.io/v1 Event as stored. */
export type EventV1 = KubeObject & Omit<Event, 'metadata' | 'apiVersion' | 'kind'>

const limit128 = 128
const noteLimit = 1024

/**
 * legacyValidateEvent + the strict events.k8s.io/v1 rules of ValidateEventCreate. Upstream validates
 * the internal core Event, so some paths use core names (`involvedObject.namespace`, `message`).
 */
function validate(obj: EventV1): FieldError[] {
  const errs: FieldError[] = []
  const ns = obj.metadata.namespace ?? ''
  const regNs = obj.regarding?.namespace ?? ''
  const mismatch = (): FieldError => ({
    type: 'FieldValueInvalid',
    field: 'involvedObject.namespace',
    badValue: regNs,
    detail: 'does not match event.namespace',
  })
  const tooLong = (field: string, n: number): FieldError => ({ type: 'FieldValueInvalid', field, badValue: '', detail: `can have at most ${n} characters` })
  if (!obj.eventTime) {
    if (regNs === '' ? ns !== '' && ns !== 'default' : ns !== regNs) errs.push(mismatch())
  } else {
    if (regNs === '' && ns !== 'default' && ns !== 'kube-system') errs.push(mismatch())
    const rc = obj.reportingController ?? ''
    if (!rc) errs.push({ type: 'FieldValueRequired', field: 'reportingController', detail: '' })
    for (const msg of isQualifiedName(rc)) errs.push({ type: 'FieldValueInvalid', field: 'reportingController', badValue: rc, detail: msg })
    const ri = obj.reportingInstance ?? ''
    if (!ri) errs.push({ type: 'FieldValueRequired', field: 'reportingInstance', detail: '' })
    if (ri.length > limit128) errs.push(tooLong('reportingInstance', limit128))
    if (!obj.action) errs.push({ type: 'FieldValueRequired', field: 'action', detail: '' })
    if ((obj.action ?? '').length > limit128) errs.push(tooLong('action', limit128))
    if (!obj.reason) errs.push({ type: 'FieldValueRequired', field: 'reason', detail: '' })
    if ((obj.reason ?? '').length > limit128) errs.push(tooLong('reason', limit128))
    if ((obj.note ?? '').length > noteLimit) errs.push(tooLong('message', noteLimit))
  }
  if (obj.series) {
    if ((obj.series.count ?? 0) < 2) errs.push({ type: 'FieldValueInvalid', field: 'series.count', badValue: '', detail: 'should be at least 2' })
    if (!obj.series.lastObservedTime) errs.push({ type: 'FieldValueRequired', field: 'series.lastObservedTime', detail: '' })
  }
  if (!obj.eventTime) errs.push({ type: 'FieldValueRequired', field: 'eventTime', detail: '' })
  if (obj.type !== 'Normal' && obj.type !== 'Warning')
    errs.push({ type: 'FieldValueInvalid', field: 'type', badValue: '', detail: `has invalid value: ${obj.type ?? ''}` })
  const unset = (field: string): FieldError => ({ type: 'FieldValueInvalid', field, badValue: '', detail: 'needs to be unset' })
  if (obj.deprecatedFirstTimestamp) errs.push(unset('deprecatedFirstTimestamp'))
  if (obj.deprecatedLastTimestamp) errs.push(unset('deprecatedLastTimestamp'))
  if (obj.deprecatedCount) errs.push(unset('deprecatedCount'))
  if (obj.deprecatedSource?.component || obj.deprecatedSource?.host) errs.push(unset('deprecatedSource'))
  return errs
}

/** ValidateEventUpdate: everything but the series and metadata is immutable (core field names). */
function validateUpdate(obj: EventV1, old: EventV1): FieldError[] {
  const pairs: [string, unknown, unknown, boolean][] = [
    ['involvedObject', obj.regarding, old.regarding, false],
    ['reason', obj.reason, old.reason, true],
    ['message', obj.note, old.note, true],
    ['type', obj.type, old.type, true],
    ['eventTime', obj.eventTime, old.eventTime, false],
    ['action', obj.action, old.action, true],
    ['related', obj.related, old.related, false],
    ['reportingController', obj.reportingController, old.reportingController, true],
    ['reportingInstance', obj.reportingInstance, old.reportingInstance, true],
  ]
  return pairs
    .filter(([, a, b]) => !jsonEqual(a ?? '', b ?? ''))
    .map(([field, a, , plain]) => ({ type: 'FieldValueInvalid', field, badValue: plain ? (a ?? '') : new GoLiteral('{…}'), detail: 'field is immutable' }))
}

/** formatEventSource: component (or reportingController), then `, host` (or reportingInstance). */
function source(obj: EventV1): string {
  const component = obj.deprecatedSource?.component || obj.reportingController || ''
  const host = obj.deprecatedSource?.host || obj.reportingInstance || ''
  return host ? `${component}, ${host}` : component
}

/**
 * The real server converts events.k8s.io Events to core Events and prints them with the core
 * printer (printEvent), so the columns are the core ones, wide columns included.
 */
export const eventsV1: ResourceDefinition<EventV1> = {
  group: 'events.k8s.io',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  // Upstream keeps both Event APIs in /registry/events; here each has its own store, so its own keys.
  storagePrefix: 'events.k8s.io/events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  compactStorage: true,
  validate,
  validateUpdate,
  // The events.k8s.io field-label conversion maps these onto the core selectable fields.
  selectableFields: (obj) => ({
    'regarding.kind': obj.regarding?.kind ?? '',
    'regarding.namespace': obj.regarding?.namespace ?? '',
    'regarding.name': obj.regarding?.name ?? '',
    'regarding.uid': obj.regarding?.uid ?? '',
    'regarding.apiVersion': obj.regarding?.apiVersion ?? '',
    'regarding.resourceVersion': obj.regarding?.resourceVersion ?? '',
    'regarding.fieldPath': obj.regarding?.fieldPath ?? '',
    reason: obj.reason ?? '',
    reportingController: obj.reportingController ?? '',
    type: obj.type ?? '',
  }),
  columns: eventColumns,
  row(obj, now) {
    const first = obj.deprecatedFirstTimestamp ? translateTimestampSince(obj.deprecatedFirstTimestamp, now) : translateTimestampSince(obj.eventTime, now)
    let last = obj.deprecatedLastTimestamp ? translateTimestampSince(obj.deprecatedLastTimestamp, now) : first
    let count = obj.deprecatedCount ?? 0
    if (obj.series) {
      last = translateTimestampSince(obj.series.lastObservedTime, now)
      count = obj.series.count ?? 0
    } else if (count === 0) count = 1
    const kind = (obj.regarding?.kind ?? '').toLowerCase()
    const target = obj.regarding?.name ? `${kind}/${obj.regarding.name}` : kind
    return [
      last,
      obj.type ?? '',
      obj.reason ?? '',
      target,
      obj.regarding?.fieldPath ?? '',
      source(obj),
      (obj.note ?? '').trim(),
      first,
      count,
      obj.metadata.name ?? '',
    ]
  },
}
