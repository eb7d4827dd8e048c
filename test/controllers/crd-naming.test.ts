/** @module crd-naming.test: the naming controller's acceptNames (conflicts within a group, upstream reasons). */
import { describe, expect, it } from 'vitest'
import { acceptNames } from '../../src/controllers/crd-naming.js'
import type { CustomResourceDefinition } from '../../src/registry/apiextensions/crd-types.js'

const crd = (name: string, plural: string, kind: string, shortNames?: string[], accepted = false): CustomResourceDefinition => {
  const names = { plural, singular: plural.replace(/s$/, ''), kind, listKind: `${kind}List`, ...(shortNames ? { shortNames } : {}) }
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name },
    spec: { group: 'stable.example.com', names },
    ...(accepted ? { status: { acceptedNames: names } } : {}),
  }
}

describe('acceptNames', () => {
  it('accepts names nobody else holds: NamesAccepted True, Established False (Installing)', () => {
    const r = acceptNames(crd('crontabs.stable.example.com', 'crontabs', 'CronTab', ['ct']), [])
    expect(r.names).toEqual({ plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList', shortNames: ['ct'] })
    expect(r.namesAccepted).toEqual({ type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' })
    expect(r.established).toEqual({ type: 'Established', status: 'False', reason: 'Installing', message: 'the initial names have been accepted' })
  })

  it('refuses a kind or short name another CRD of the group accepted', () => {
    const other = crd('others.stable.example.com', 'others', 'CronTab', ['ct'], true)
    const r = acceptNames(crd('crontabs.stable.example.com', 'crontabs', 'CronTab', ['ct']), [other])
    // Every name is checked (upstream continues on errors); the last conflict found is the one reported.
    expect(r.namesAccepted).toMatchObject({ status: 'False', reason: 'ListKindConflict', message: '"CronTabList" is already in use' })
    expect(r.established).toMatchObject({ status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' })
    const r2 = acceptNames(crd('crontabs.stable.example.com', 'crontabs', 'Other', ['ct']), [other])
    expect(r2.namesAccepted).toMatchObject({ status: 'False', reason: 'ShortNamesConflict', message: '"ct" is already in use' })
    expect(r2.names.kind).toBe('Other')
  })
})
