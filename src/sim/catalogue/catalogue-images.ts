/** @module catalogue-images: the list of catalogue images — the one table the registry, kubelet, exec, HTTP and logs read. */
import type { CatalogueImage } from './catalogue-image.js'
import { mongo } from './mongo.js'
import { mariadb, mysql } from './mysql.js'
import { postgres } from './postgres.js'
import { rabbitmq } from './rabbitmq.js'
import { redis } from './redis.js'

/** Every catalogue image (nginx, httpd, busybox, alpine and the kube images keep their own tables in images.ts). */
export const catalogueImages: readonly CatalogueImage[] = [postgres, mysql, mariadb, redis, mongo, rabbitmq]

const byRepository = new Map(catalogueImages.map((i) => [i.repository, i]))

/** The catalogue entry of a fully-qualified repository (`docker.io/library/postgres`), if any. */
export function catalogueImage(repository: string): CatalogueImage | undefined {
  return byRepository.get(repository)
}
