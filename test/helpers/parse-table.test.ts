/** @module parse-table.test: the table parser keeps multi-word headers and cells with spaces. */
import { describe, expect, it } from 'vitest'
import { parseTable } from './parse-table.js'

describe('parseTable', () => {
  it('slices cells at header offsets', () => {
    const out = [
      'NAME                     STATUS   ROLES           AGE   VERSION   OS-IMAGE',
      'kubemock-control-plane   Ready    control-plane   5s    v1.32.4   Debian GNU/Linux 12 (bookworm)',
      'kubemock-worker          Ready    <none>          5s    v1.32.4   Debian GNU/Linux 12 (bookworm)',
      '',
    ].join('\n')
    const t = parseTable(out)
    expect(t.headers).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'OS-IMAGE'])
    expect(t.rows[1]).toEqual({
      NAME: 'kubemock-worker',
      STATUS: 'Ready',
      ROLES: '<none>',
      AGE: '5s',
      VERSION: 'v1.32.4',
      'OS-IMAGE': 'Debian GNU/Linux 12 (bookworm)',
    })
  })

  it('keeps single-space headers such as NOMINATED NODE together', () => {
    const t = parseTable('NAME   NOMINATED NODE   READINESS GATES\nweb    <none>           <none>\n')
    expect(t.headers).toEqual(['NAME', 'NOMINATED NODE', 'READINESS GATES'])
    expect(t.rows).toEqual([{ NAME: 'web', 'NOMINATED NODE': '<none>', 'READINESS GATES': '<none>' }])
  })

  it('returns nothing for empty output', () => {
    expect(parseTable('\n')).toEqual({ headers: [], rows: [] })
  })
})
