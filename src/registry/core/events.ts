/** @module events: the core/v1 Event definition (pkg/registry/core/event/strategy.go, printEvent, legacyValidateEvent). */
import type { EventSeries, EventSource, ObjectReference } from 'kubernetes-types/core/v1.js'
import type { FieldError, KubeObject } from '../../types.js'
import type { Cell, ColumnDef, ResourceDefinition } from '../resource-definition.js'
import { nameDescription } from '../shared/columns.js'
import { invalid, required } from '../shared/field-errors.js'
import { translateTimestampSince } from '../shared/human-duration.js'
import { invalidEach, isQualifiedName } from '../shared/validation.js'

/** A core/v1 Event as stored. */
export type EventObject = KubeObject & {
  involvedObject?: ObjectReference
  reason?: string
  message?: string
  source?: EventSource
  firstTimestamp?: string
  lastTimestamp?: string
  count?: number
  type?: string
  eventTime?: string
  series?: EventSeries
  action?: string
  related?: ObjectReference
  reportingComponent?: string
  reportingInstance?: string
}

/** formatEventSource: component (or reportingController), then `, <host>` (or reportingInstance). */
function eventSource(ev: EventObject): string {
  const component = ev.source?.component || ev.reportingComponent || ''
  const instance = ev.source?.host || ev.reportingInstance || ''
  return instance ? `${component}, ${instance}` : component
}

/** One event row: LAST SEEN TYPE REASON OBJECT SUBOBJECT SOURCE MESSAGE FIRST SEEN COUNT NAME. */
export function eventRow(ev: EventObject, now: Date): Cell[] {
  const first = ev.firstTimestamp ? translateTimestampSince(ev.firstTimestamp, now) : translateTimestampSince(ev.eventTime, now)
  let last = ev.lastTimestamp ? translateTimestampSince(ev.lastTimestamp, now) : first
  let count = ev.count ?? 0
  if (ev.series) {
    last = translateTimestampSince(ev.series.lastObservedTime, now)
    count = ev.series.count ?? 0
  } else if (count === 0) {
    // Singleton events of the events.k8s.io API carry no count.
    count = 1
  }
  const kind = (ev.involvedObject?.kind ?? '').toLowerCase()
  const target = ev.involvedObject?.name ? `${kind}/${ev.involvedObject.name}` : kind
  return [
    last,
    ev.type ?? '',
    ev.reason ?? '',
    target,
    ev.involvedObject?.fieldPath ?? '',
    eventSource(ev),
    (ev.message ?? '').trim(),
    first,
    count,
    ev.metadata.name ?? '',
  ]
}

/** legacyValidateEvent for core/v1 writes. */
function validateEvent(ev: EventObject): FieldError[] {
  const errs: FieldError[] = []
  const ns = ev.metadata.namespace ?? ''
  const involvedNs = ev.involvedObject?.namespace ?? ''
  const mismatch = (): FieldError => invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace')
  if (!ev.eventTime) {
    // Old-style events: the involved object's namespace must agree (empty allows "" or "default").
    if (involvedNs ? ns !== involvedNs : ns !== '' && ns !== 'default') errs.push(mismatch())
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') errs.push(mismatch())
    if (!ev.reportingComponent) errs.push(required('reportingComponent'))
    errs.push(...invalidEach('reportingComponent', ev.reportingComponent ?? '', isQualifiedName(ev.reportingComponent ?? '')))
    if (!ev.reportingInstance) errs.push(required('reportingInstance'))
    else if (ev.reportingInstance.length > 128) errs.push(invalid('reportingInstance', '', 'can have at most 128 characters'))
    if (!ev.action) errs.push(required('action'))
    else if (ev.action.length > 128) errs.push(invalid('action', '', 'can have at most 128 characters'))
  }
  return errs
}

/** Events: loosely validated, selectable by involved object, reason, source and type. */
/** The event printer's columns (printers.go AddHandlers for Event); events.k8s.io/v1 prints with them too. */
export const eventColumns: ColumnDef[] = [
  { name: 'Last Seen', type: 'string', description: 'The time at which the most recent occurrence of this event was recorded.' },
  { name: 'Type', type: 'string', description: 'Type of this event (Normal, Warning), new types could be added in the future' },
  {
    name: 'Reason',
    type: 'string',
    description: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
  },
  { name: 'Object', type: 'string', description: 'The object that this event is about.' },
  {
    name: 'Subobject',
    type: 'string',
    priority: 1,
    description:
      'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].',
  },
  { name: 'Source', type: 'string', priority: 1, description: 'The component reporting this event. Should be a short machine understandable string.' },
  { name: 'Message', type: 'string', description: 'A human-readable description of the status of this operation.' },
  { name: 'First Seen', type: 'string', priority: 1, description: 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)' },
  { name: 'Count', type: 'string', priority: 1, description: 'The number of times this event has occurred.' },
  { name: 'Name', type: 'string', format: 'name', priority: 1, description: nameDescription },
]

export const events: ResourceDefinition<EventObject> = {
  group: '',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  // Five or six per pod start, read by describe and `get events`: bytes only (about 1 KB saved each).
  compactStorage: true,

  validate: validateEvent,

  selectableFields(ev) {
    const io = ev.involvedObject ?? {}
    return {
      'involvedObject.kind': io.kind ?? '',
      'involvedObject.namespace': io.namespace ?? '',
      'involvedObject.name': io.name ?? '',
      'involvedObject.uid': io.uid ?? '',
      'involvedObject.apiVersion': io.apiVersion ?? '',
      'involvedObject.resourceVersion': io.resourceVersion ?? '',
      'involvedObject.fieldPath': io.fieldPath ?? '',
      reason: ev.reason ?? '',
      reportingComponent: ev.reportingComponent ?? '',
      source: ev.source?.component || ev.reportingComponent || '',
      type: ev.type ?? '',
    }
  },

  columns: eventColumns,
  row: eventRow,
}
