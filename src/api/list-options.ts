/** @module list-options: ListOptions from the query string, validated as ValidateListOptions does for list and watch. */
import { StatusError } from '../errors.js'
import type { ListOptions, WatchOptions } from '../registry/generic-registry.js'
import type { FieldError } from '../types.js'
import { queryBool, queryInt64, queryOptionalBool, queryString, type RawQuery } from './query-params.js'

/**
 * The list half of metav1.ListOptions, converted by the shared parameter parser. The codec
 * converts every ListOptions field whatever the verb, so a bad `timeoutSeconds` fails a plain
 * list too (400), even though only a watch uses it.
 */
export function parseListOptions(q: RawQuery): ListOptions {
  queryInt64(q, 'timeoutSeconds')
  return {
    labelSelector: queryString(q, 'labelSelector'),
    fieldSelector: queryString(q, 'fieldSelector'),
    limit: queryInt64(q, 'limit'),
    continue: queryString(q, 'continue'),
    resourceVersion: queryString(q, 'resourceVersion'),
    resourceVersionMatch: queryString(q, 'resourceVersionMatch'),
  }
}

/** ListOptions plus the watch-only fields (allowWatchBookmarks, sendInitialEvents). */
export function parseWatchOptions(q: RawQuery): WatchOptions {
  return { ...parseListOptions(q), allowWatchBookmarks: queryBool(q, 'allowWatchBookmarks'), sendInitialEvents: queryOptionalBool(q, 'sendInitialEvents') }
}

const forbidden = (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail })

/** The 422 `ListOptions.meta.k8s.io "" is invalid: …` the list and watch handlers answer. */
function invalid(errs: FieldError[]): void {
  if (errs.length) throw StatusError.invalid('ListOptions', 'meta.k8s.io', '', errs)
}

/**
 * ValidateListOptions for a list (apimachinery meta/internalversion/validation): resourceVersionMatch
 * needs a resourceVersion, no continue, one of Exact/NotOlderThan, and Exact not with "0";
 * sendInitialEvents is for watches only.
 */
export function validateListOptions(opts: ListOptions, sendInitialEvents: boolean | undefined): void {
  const errs: FieldError[] = []
  const match = opts.resourceVersionMatch
  if (match) {
    if (!opts.resourceVersion) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'))
    if (opts.continue) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'))
    if (match !== 'Exact' && match !== 'NotOlderThan')
      errs.push({ type: 'FieldValueNotSupported', field: 'resourceVersionMatch', badValue: match, detail: 'supported values: "Exact", "NotOlderThan", ""' })
    if (match === 'Exact' && opts.resourceVersion === '0')
      errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'))
  }
  if (sendInitialEvents !== undefined) errs.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'))
  invalid(errs)
}

/**
 * validateWatchOptions: sendInitialEvents needs resourceVersionMatch=NotOlderThan and bookmarks;
 * resourceVersionMatch needs sendInitialEvents, must be NotOlderThan, and excludes continue.
 */
export function validateWatchOptions(opts: WatchOptions): void {
  const errs: FieldError[] = []
  const match = opts.resourceVersionMatch
  if (opts.sendInitialEvents !== undefined) {
    if (match !== 'NotOlderThan') errs.push(forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'))
    if (!opts.allowWatchBookmarks) errs.push(forbidden('allowWatchBookmarks', 'sendInitialEvents requires setting allowWatchBookmarks to true'))
  }
  if (match) {
    if (opts.sendInitialEvents === undefined)
      errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'))
    if (match !== 'NotOlderThan')
      errs.push({ type: 'FieldValueNotSupported', field: 'resourceVersionMatch', badValue: match, detail: 'supported values: "NotOlderThan"' })
    if (opts.continue) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'))
  }
  invalid(errs)
}
