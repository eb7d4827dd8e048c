/** @module catalogue-images.test: the image catalogue as data — which tags exist, what each runs, and every entry's behaviour builds for every tag. */
import { describe, expect, test } from 'vitest'
import { catalogueBehaviour } from '../../../src/sim/catalogue/catalogue-behaviour.js'
import { catalogueImages } from '../../../src/sim/catalogue/catalogue-images.js'
import { ImageCatalogue, versionFor } from '../../../src/sim/images.js'

const cat = new ImageCatalogue()

describe('tags that exist pull; others fail with containerd NotFound', () => {
  test.each([
    'postgres:16',
    'postgres:16.10',
    'postgres:16-alpine',
    'postgres:17.6-bookworm',
    'postgres',
    'mysql:8',
    'mysql:8.0.43',
    'mysql:8.4-oracle',
    'mysql:lts',
    'mariadb:11.4',
    'redis:7',
    'redis:7.4.5-alpine',
    'memcached:1.6-alpine',
    'mongo:7',
    'mongo:8.0.13',
    'rabbitmq:3',
    'rabbitmq:3-management',
    'rabbitmq:4.1.3-management-alpine',
    'ubuntu:24.04',
    'ubuntu:jammy',
    'debian:bookworm-slim',
    'debian:12',
    'traefik:v3.5',
    'haproxy:lts',
    'python:3.12-slim',
    'node:22-alpine',
    'node:lts',
    'golang:1.25',
    'eclipse-temurin:21-jre',
    'openjdk:17-jdk-slim',
    'wordpress:6.8.2-php8.3-apache',
    'elasticsearch:8.19.2',
    'grafana/grafana:12.1.1',
    'prom/prometheus:v3.5.0',
    'curlimages/curl:8.15.0',
    'registry.k8s.io/e2e-test-images/agnhost:2.53',
    'registry.k8s.io/pause:3.9',
    'bitnami/postgresql:17.6.0-debian-12-r4',
    'bitnami/redis:latest',
    'bitnami/postgresql:16.10.0-debian-12-r17',
    'bitnamilegacy/redis:7.4.5-debian-12-r2',
    'quay.io/prometheus/prometheus:v3.5.0',
    'docker.elastic.co/elasticsearch/elasticsearch:8.19.2',
  ])('%s pulls', (ref) => expect(cat.pull(ref)).toMatchObject({ ok: true }))

  test.each([
    'postgres:16.11',
    'postgres:19',
    'mysql:8.0.99',
    'redis:7.4.6',
    'mongo:5.0.99',
    'elasticsearch:latest',
    'openjdk:latest',
    'ubuntu:18.10',
    'node:23.99.0',
    'prom/prometheus:3.5.0',
    'python:3.14',
  ])('%s does not exist', (ref) => {
    const res = cat.pull(ref)
    expect(res.ok).toBe(false)
    if (!res.ok) expect(res.error).toMatch(/^rpc error: code = NotFound desc = failed to pull and unpack image "docker\.io\/.+": .+: not found$/)
  })

  test('sizes are realistic: alpine variants are smaller, the Pulled event reports them', () => {
    const size = (ref: string) => (cat.pull(ref) as { sizeBytes: number }).sizeBytes
    expect(size('postgres:16-alpine')).toBeLessThan(size('postgres:16'))
    expect(size('python:3.12-slim')).toBeLessThan(size('python:3.12'))
    expect(size('ubuntu:24.04')).toBeGreaterThan(20_000_000)
    expect(size('elasticsearch:8.19.2')).toBeGreaterThan(500_000_000)
  })
})

describe('moving tags resolve to the release the catalogue holds', () => {
  test.each([
    ['postgres:16', '16.10'],
    ['postgres', '17.6'],
    ['postgres:15-alpine', '15.14'],
    ['mysql:8', '8.4.6'],
    ['mysql:8.0', '8.0.43'],
    ['mysql:latest', '9.4.0'],
    ['mariadb:lts', '11.8.3'],
    ['redis:7', '7.4.5'],
    ['redis:6', '6.2.19'],
    ['redis', '8.2.1'],
    ['mongo:7', '7.0.24'],
    ['rabbitmq:3-management', '3.13.7'],
    ['node:lts-alpine', '22.18.0'],
    ['python:3.12-slim-bookworm', '3.12.11'],
    ['eclipse-temurin:21-jre-alpine', '21.0.8_9'],
    ['eclipse-temurin:8', '8u462-b08'],
    ['traefik:v3', '3.5.0'],
    ['grafana/grafana', '12.1.1'],
    ['prom/prometheus', '3.5.0'],
    ['bitnami/postgresql:16', '16.10.0'],
    ['quay.io/prometheus/prometheus:v2.53.5', '2.53.5'],
  ])('%s runs %s', (ref, version) => expect(versionFor(ref)).toBe(version))
})

describe('every entry is consistent', () => {
  test.each(catalogueImages.map((i) => [i.repository, i] as const))('%s: tags pull, versions resolve, the behaviour of each tag builds', (_repo, image) => {
    const tags = Object.keys(image.tags)
    expect(tags.length).toBeGreaterThan(0)
    for (const tag of tags) {
      expect(cat.pull(`${image.repository}:${tag}`).ok, tag).toBe(true)
      const version = image.version(tag)
      expect(version, tag).toMatch(/^v?\d/)
      const b = catalogueBehaviour(image, tag)
      expect(b.env(version)).toBeTypeOf('object')
      expect(b.path).toMatch(/\/usr\/bin/)
    }
  })
})
