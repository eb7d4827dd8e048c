import { describe, expect, it } from 'vitest'
import { fieldErrorString } from '../../../src/errors.js'
import { configMaps } from '../../../src/registry/core/configmaps.js'

const now = new Date('2026-11-27T22:20:00Z')

describe('configmaps', () => {
  it('counts data and binaryData', () => {
    const cm = { metadata: { name: 'cfg', creationTimestamp: '2026-11-27T22:19:30Z' }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }
    expect(configMaps.columns!.map((c) => [c.name, c.type])).toEqual([
      ['Name', 'string'],
      ['Data', 'integer'],
      ['Age', 'string'],
    ])
    expect(configMaps.row!(cm, now)).toEqual(['cfg', 3, '30s'])
  })
  it('validates keys and duplicates', () => {
    const errs = configMaps.validate!({ metadata: { name: 'x' }, data: { 'a b': '1', k: 'v' }, binaryData: { k: 'AA==' } }).map(fieldErrorString)
    expect(errs[0]).toMatch(/^data\[a b\]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '\.'/)
    expect(errs[1]).toBe('binaryData[k]: Invalid value: "k": duplicate of key present in data')
  })
  it('freezes immutable config maps', () => {
    const old = { metadata: { name: 'x' }, data: { a: '1' }, immutable: true }
    expect(configMaps.validateUpdate!({ ...old, data: { a: '2' } }, old).map(fieldErrorString)).toEqual([
      'data: Forbidden: field is immutable when `immutable` is set',
    ])
    expect(configMaps.validateUpdate!(structuredClone(old), old)).toEqual([])
  })
  it('allows at most 1 MiB of data plus decoded binaryData, as ValidateConfigMap (UTF-8 bytes, the whole object as `[]`)', () => {
    const MiB = 1024 * 1024
    const at = { metadata: { name: 'x' }, data: { a: 'x'.repeat(MiB - 3) }, binaryData: { b: Buffer.from('abc').toString('base64') } }
    expect(configMaps.validate!(at)).toEqual([])
    const over = { metadata: { name: 'x' }, data: { a: 'x'.repeat(MiB - 3) }, binaryData: { b: Buffer.from('abcd').toString('base64') } }
    expect(configMaps.validate!(over).map(fieldErrorString)).toEqual(['[]: Too long: may not be more than 1048576 bytes'])
    // é is one UTF-16 unit but two bytes: len() in Go counts bytes.
    expect(configMaps.validate!({ metadata: { name: 'x' }, data: { a: 'é'.repeat(MiB / 2 + 1) } }).map(fieldErrorString)).toEqual([
      '[]: Too long: may not be more than 1048576 bytes',
    ])
  })
})
