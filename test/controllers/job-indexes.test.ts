import { describe, expect, it } from 'vitest'
import {
  completionIndex,
  firstPendingIndexes,
  formatIntervals,
  generateNameWithIndex,
  intervalsHave,
  intervalsTotal,
  matchSuccessPolicy,
  mergeIntervals,
  parseIndexes,
  withIndexes,
} from '../../src/controllers/job-indexes.js'
import type { PodObject } from '../../src/controllers/workload-pods.js'

describe('job indexes', () => {
  it('parses and prints completedIndexes as upstream (two neighbours with a comma, ranges with a dash)', () => {
    const iv = parseIndexes('0-2,4,6,7,9-20', 12)
    expect(iv).toEqual([
      [0, 2],
      [4, 4],
      [6, 7],
      [9, 11],
    ])
    expect(formatIntervals(iv)).toBe('0-2,4,6,7,9-11')
    expect(parseIndexes('x,1,2', 5)).toEqual([[1, 2]])
    expect(parseIndexes('', 5)).toEqual([])
  })

  it('merges, counts and looks up', () => {
    const iv = withIndexes(parseIndexes('0,4', 10), [1, 2, 7])
    expect(formatIntervals(iv)).toBe('0-2,4,7')
    expect(intervalsTotal(iv)).toBe(5)
    expect(intervalsHave(iv, 4)).toBe(true)
    expect(intervalsHave(iv, 5)).toBe(false)
    expect(mergeIntervals([[0, 1]], [[2, 3]])).toEqual([[0, 3]])
  })

  it('firstPendingIndexes skips the taken ones', () => {
    expect(firstPendingIndexes(parseIndexes('0,2-3', 10), 3, 10)).toEqual([1, 4, 5])
    expect(firstPendingIndexes([], 5, 2)).toEqual([0, 1])
  })

  it('reads the index annotation strictly', () => {
    const p = (v?: string): PodObject => ({ metadata: { annotations: v === undefined ? {} : { 'batch.kubernetes.io/job-completion-index': v } } })
    expect([p('3'), p('-1'), p('x'), p()].map(completionIndex)).toEqual([3, -1, -1, -1])
  })

  it('generateName keeps the index when the job name is long', () => {
    expect(generateNameWithIndex('pi', 3)).toBe('pi-3-')
    const long = generateNameWithIndex('a'.repeat(60), 12)
    expect(long).toHaveLength(58)
    expect(long.endsWith('-12-')).toBe(true)
  })

  it('successPolicy rules: all of succeededIndexes, succeededCount of them, or a plain count', () => {
    const job = (rules: unknown[]) => ({ metadata: {}, spec: { completions: 10, successPolicy: { rules } } }) as any
    const done = parseIndexes('0-3,7', 10)
    expect(matchSuccessPolicy(job([{ succeededIndexes: '0-4' }]), done)).toBeUndefined()
    expect(matchSuccessPolicy(job([{ succeededIndexes: '0-4' }, { succeededIndexes: '2-9', succeededCount: 3 }]), done)).toBe('Matched rules at index 1')
    expect(matchSuccessPolicy(job([{ succeededIndexes: 'x' }, { succeededCount: 5 }]), done)).toBe('Matched rules at index 1')
    expect(matchSuccessPolicy(job([{ succeededCount: 6 }]), done)).toBeUndefined()
  })
})
