/** @module pod-ip.test: pod IP allocation per node CIDR. */
import { expect, test } from 'vitest'
import { PodIPAllocator } from '../../src/sim/pod-ip.js'

test('allocates from .2, round-robin, stable per owner, reusing only after a lap', () => {
  const a = new PodIPAllocator('10.244.1.0/29')
  expect(a.allocate('p1')).toBe('10.244.1.2')
  expect(a.allocate('p1')).toBe('10.244.1.2')
  expect(a.allocate('p2')).toBe('10.244.1.3')
  a.release('p1')
  expect(a.allocate('p3')).toBe('10.244.1.4')
  expect(a.allocate('p4')).toBe('10.244.1.5')
  expect(a.allocate('p5')).toBe('10.244.1.6')
  expect(a.allocate('p6')).toBe('10.244.1.2')
  expect(() => a.allocate('p7')).toThrow(/no IP addresses available/)
})

test('reserved addresses are skipped', () => {
  const a = new PodIPAllocator('10.244.2.0/24')
  a.reserve('old', '10.244.2.2')
  expect(a.allocate('new')).toBe('10.244.2.3')
})

test('rejects a malformed CIDR', () => expect(() => new PodIPAllocator('10.244.0.0')).toThrow(/IPv4 CIDR/))
