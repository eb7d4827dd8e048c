/** @module catalogue-images: the list of catalogue images — the one table the registry, kubelet, exec, HTTP and logs read. */
import { bitnamiPostgresql, bitnamiRedis } from './bitnami.js'
import type { CatalogueImage } from './catalogue-image.js'
import { debian, ubuntu } from './distros.js'
import { elasticsearch } from './elasticsearch.js'
import { eclipseTemurin, golang, node, openjdk, python } from './languages.js'
import { mongo } from './mongo.js'
import { grafana, prometheus } from './monitoring.js'
import { mariadb } from './mariadb.js'
import { mysql } from './mysql.js'
import { postgres } from './postgres.js'
import { rabbitmq } from './rabbitmq.js'
import { redis } from './redis.js'
import { haproxy, memcached, traefik } from './small-servers.js'
import { agnhost, curl } from './tools.js'
import { wordpress } from './wordpress.js'

/** Every catalogue image (nginx, httpd, busybox, alpine and the kube images keep their own tables in images.ts). */
export const catalogueImages: readonly CatalogueImage[] = [
  postgres,
  mysql,
  mariadb,
  redis,
  memcached,
  mongo,
  rabbitmq,
  ubuntu,
  debian,
  traefik,
  haproxy,
  python,
  node,
  golang,
  openjdk,
  eclipseTemurin,
  wordpress,
  elasticsearch,
  grafana,
  prometheus,
  curl,
  agnhost,
  bitnamiPostgresql,
  bitnamiRedis,
]

/** The same images under the other names charts pull them by (quay.io, Elastic's registry, Bitnami's legacy copies). */
const mirrors: Record<string, CatalogueImage> = {
  'quay.io/prometheus/prometheus': prometheus,
  'docker.elastic.co/elasticsearch/elasticsearch': elasticsearch,
  'docker.io/bitnamilegacy/postgresql': bitnamiPostgresql,
  'docker.io/bitnamilegacy/redis': bitnamiRedis,
}

/** Every repository name the catalogue answers for, with its entry (mirrors carry their own name). */
export const catalogueRepositories: readonly CatalogueImage[] = [
  ...catalogueImages,
  ...Object.entries(mirrors).map(([repository, image]) => ({ ...image, repository })),
]

const byRepository = new Map(catalogueRepositories.map((i) => [i.repository, i]))

/** The catalogue entry of a fully-qualified repository (`docker.io/library/postgres`), if any. */
export function catalogueImage(repository: string): CatalogueImage | undefined {
  return byRepository.get(repository)
}
