/** @module patch.test: JSON patch / merge patch semantics and kube-apiserver error texts. */
import { describe, expect, it } from 'vitest'
import { applyPatch, jsonMergePatch, jsonPatch, jsonPatchStrictProblems, patchBodySyntaxError, patchTypeFromContentType } from '../../../src/api/patch/patch.js'
import { statusOf } from '../../helpers/status-of.js'

const pod = () => ({
  metadata: { name: 'p', labels: { app: 'web' } },
  spec: {
    containers: [
      { name: 'a', image: 'x' },
      { name: 'b', image: 'y' },
    ],
  },
})

describe('jsonMergePatch', () => {
  it('merges, deletes with null and replaces arrays', () => {
    const orig = pod()
    const r = jsonMergePatch(orig, { metadata: { labels: { app: null, tier: 'fe' } }, spec: { containers: [{ name: 'c' }] } })
    expect(r).toEqual({ metadata: { name: 'p', labels: { tier: 'fe' } }, spec: { containers: [{ name: 'c' }] } })
    expect(orig).toEqual(pod())
  })

  it('prunes nulls inside newly added objects but keeps null array elements', () => {
    expect(jsonMergePatch({}, { a: { b: null, c: 1 }, d: [null, { e: null }] })).toEqual({ a: { c: 1 }, d: [null, {}] })
  })

  it('replaces a non-object with the patch', () => {
    expect(jsonMergePatch({ a: 'x' }, { a: { b: 1 } })).toEqual({ a: { b: 1 } })
    expect(jsonMergePatch({ a: { b: 1 } }, { a: 3 })).toEqual({ a: 3 })
  })
})

describe('applyPatch shape errors', () => {
  it('merge patch that is an array is 400 with the decoder text', () => {
    const e = statusOf(() => applyPatch('merge', pod(), [1]))
    expect(e.code).toBe(400)
    expect(e.status.reason).toBe('BadRequest')
    expect(e.message).toBe('error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}')
  })

  it('merge patch null is "Invalid JSON Patch"', () => {
    expect(statusOf(() => applyPatch('merge', pod(), null)).message).toBe('Invalid JSON Patch')
  })

  it('strategic patch that is a string is 400 without the "error decoding patch" prefix', () => {
    const e = statusOf(() => applyPatch('strategic', pod(), 'x'))
    expect(e.code).toBe(400)
    expect(e.message).toBe('json: cannot unmarshal string into Go value of type map[string]interface {}')
  })

  it('json patch that is an object is 400', () => {
    expect(statusOf(() => applyPatch('json', pod(), { op: 'add' })).message).toBe(
      'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp',
    )
    expect(statusOf(() => applyPatch('json', pod(), [{ op: 1 }])).message).toBe(
      'error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.op of type string',
    )
  })

  it('strategic without schema merges maps; with null body changes nothing', () => {
    expect(applyPatch('strategic', pod(), null)).toEqual(pod())
    expect(applyPatch('strategic', pod(), { metadata: { labels: { x: 'y' } } })).toMatchObject({ metadata: { labels: { app: 'web', x: 'y' } } })
  })

  it('body syntax errors are worded per patch type', () => {
    const err = new Error("invalid character 'x' looking for beginning of value")
    expect(patchBodySyntaxError('merge', err).message).toBe("error decoding patch: invalid character 'x' looking for beginning of value")
    expect(patchBodySyntaxError('strategic', err).message).toBe("invalid character 'x' looking for beginning of value")
    expect(patchBodySyntaxError('merge', err, 'Ignore').message).toBe('Invalid JSON Patch')
  })

  it('maps content types', () => {
    expect(patchTypeFromContentType('application/strategic-merge-patch+json; charset=utf-8')).toBe('strategic')
    expect(patchTypeFromContentType('application/json-patch+json')).toBe('json')
    expect(patchTypeFromContentType('application/merge-patch+json')).toBe('merge')
    expect(patchTypeFromContentType('application/apply-patch+yaml')).toBeUndefined()
  })
})

describe('jsonPatch', () => {
  it('applies add/remove/replace/move/copy/test and does not mutate inputs', () => {
    const orig = pod()
    const ops = [
      { op: 'test', path: '/metadata/name', value: 'p' },
      { op: 'add', path: '/metadata/labels/tier', value: 'fe' },
      { op: 'replace', path: '/spec/containers/0/image', value: 'z' },
      { op: 'remove', path: '/spec/containers/1' },
      { op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/copy' },
      { op: 'move', from: '/metadata/labels/tier', path: '/metadata/labels/moved' },
      { op: 'add', path: '/spec/containers/-', value: { name: 'c' } },
    ]
    const snapshot = JSON.stringify(ops)
    const r = jsonPatch(orig, ops)
    expect(r).toEqual({
      metadata: { name: 'p', labels: { app: 'web', copy: 'web', moved: 'fe' } },
      spec: { containers: [{ name: 'a', image: 'z' }, { name: 'c' }] },
    })
    expect(orig).toEqual(pod())
    expect(JSON.stringify(ops)).toBe(snapshot)
  })

  it('replace of a missing object key adds it (evanphx v4 behaviour)', () => {
    expect(jsonPatch({ a: {} }, [{ op: 'replace', path: '/a/b', value: 1 }])).toEqual({ a: { b: 1 } })
  })

  it('supports negative indices', () => {
    expect(jsonPatch({ l: [1, 2, 3] }, [{ op: 'remove', path: '/l/-1' }])).toEqual({ l: [1, 2] })
  })

  it('decodes ~1 and ~0 in keys', () => {
    expect(
      jsonPatch({ m: {} }, [
        { op: 'add', path: '/m/app.kubernetes.io~1name', value: 'x' },
        { op: 'add', path: '/m/a~0b', value: 'y' },
      ]),
    ).toEqual({ m: { 'app.kubernetes.io/name': 'x', 'a~b': 'y' } })
  })

  const rejected = (ops: unknown, cause: string) => {
    const e = statusOf(() => jsonPatch(pod(), ops))
    expect(e.code).toBe(422)
    expect(e.status.reason).toBe('Invalid')
    expect(e.message).toBe('the server rejected our request due to an error in our request')
    expect(e.status.details).toEqual({ causes: [{ message: cause }] })
  }

  it('a failed test is 422 with the library text as cause', () => {
    rejected([{ op: 'test', path: '/metadata/name', value: 'q' }], 'testing value /metadata/name failed: test failed')
  })

  it('test against a missing key with value null passes, with a value fails', () => {
    expect(jsonPatch({ a: {} }, [{ op: 'test', path: '/a/x', value: null }])).toEqual({ a: {} })
    rejected([{ op: 'test', path: '/metadata/x', value: 'v' }], 'testing value /metadata/x failed: test failed')
  })

  it('missing parents, keys and indices use the upstream wording', () => {
    rejected([{ op: 'add', path: '/nope/x', value: 1 }], 'add operation does not apply: doc is missing path: "/nope/x": missing value')
    rejected(
      [{ op: 'remove', path: '/metadata/labels/zzz' }],
      "error in remove for path: '/metadata/labels/zzz': Unable to remove nonexistent key: zzz: missing value",
    )
    rejected(
      [{ op: 'remove', path: '/spec/containers/5' }],
      "error in remove for path: '/spec/containers/5': Unable to access invalid index: 5: invalid index referenced",
    )
    rejected(
      [{ op: 'replace', path: '/spec/containers/9', value: 1 }],
      'replace operation does not apply: doc is missing key: /spec/containers/9: missing value',
    )
    rejected(
      [{ op: 'add', path: '/spec/containers/x', value: 1 }],
      "error in add for path: '/spec/containers/x': value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": invalid syntax",
    )
    rejected([{ op: 'move', from: '/a/b', path: '/c' }], 'move operation does not apply: doc is missing from path: /a/b: missing value')
    rejected([{ op: 'bogus', path: '/a' }], 'Unexpected kind: bogus')
    rejected([{ path: '/a' }], 'Unexpected kind: unknown')
    rejected([{ op: 'add' }], 'add operation failed to decode path: missing value')
  })

  it('more than 10000 operations is 413', () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/metadata/name', value: 'p' }))
    const e = statusOf(() => jsonPatch(pod(), ops))
    expect(e.code).toBe(413)
    expect(e.message).toBe('Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001')
  })

  it('reports strict problems as upstream words them', () => {
    expect(jsonPatchStrictProblems([{ op: 'add', path: '/a', foo: 1 }], ['[1].path'])).toEqual([
      'json patch unknown field "[0].foo"',
      'json patch duplicate field "[1].path"',
    ])
  })
})
