/** @module negotiation.test: the response shape chosen from Accept, remembered per header without remembering refusals. */
import { describe, expect, it } from 'vitest'
import { negotiateShape } from '../../src/api/negotiation.js'

const kubectlGet = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'

describe('negotiateShape', () => {
  it('gives a Table when asked for one and an object otherwise, the same on every call', () => {
    for (let i = 0; i < 3; i++) {
      expect(negotiateShape(kubectlGet)).toBe('table')
      expect(negotiateShape(undefined)).toBe('object')
      expect(negotiateShape('application/json')).toBe('object')
      expect(negotiateShape('application/yaml')).toBe('object')
      expect(negotiateShape('application/json;as=Table;v=v2;g=meta.k8s.io, */*')).toBe('object')
    }
  })

  it('refuses a protobuf-only Accept with 406 every time, not only the first', () => {
    for (let i = 0; i < 2; i++) {
      expect(() => negotiateShape('application/vnd.kubernetes.protobuf')).toThrow(
        expect.objectContaining({ code: 406, message: 'only the following media types are accepted: application/json, application/yaml' }),
      )
    }
  })
})
