/** @module elasticsearch: the official elasticsearch image (no `latest` tag) — the 9200 JSON banner, the 401 of a secured cluster, JSON log lines. */
import type { CatalogueImage } from './catalogue-image.js'
import { json, pathOf } from './http-answer.js'

const versions = ['9.1.2', '9.1.1', '9.0.5', '8.19.2', '8.19.1', '8.18.5', '8.17.10', '8.15.5', '7.17.29', '7.17.28']
const lucene: Record<string, string> = { '9': '10.2.2', '8': '9.12.2', '7': '8.11.3' }
const secured = (env: Record<string, string | undefined>, v: string) => !v.startsWith('7') && env['xpack.security.enabled'] !== 'false'

/** docker.io/library/elasticsearch. */
export const elasticsearch: CatalogueImage = {
  repository: 'docker.io/library/elasticsearch',
  tags: Object.fromEntries(versions.map((v) => [v, v.startsWith('7') ? 420_000_000 : 720_000_000])),
  version: (tag) => tag,
  os: () => 'ubuntu',
  builtAt: Date.UTC(2025, 7, 12),
  daemon: 'eswrapper',
  env: () => ({ ELASTIC_CONTAINER: 'true' }),
  path: () => '/usr/share/elasticsearch/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  processes: (ctx) => [
    { user: 'elasticsearch', command: '/bin/tini -- /usr/local/bin/docker-entrypoint.sh eswrapper', vszKb: 2_500, rssKb: 1_000 },
    {
      user: 'elasticsearch',
      command: `/usr/share/elasticsearch/jdk/bin/java -Xms1g -Xmx1g -Des.distribution.type=docker -cp /usr/share/elasticsearch/lib/* org.elasticsearch.bootstrap.Elasticsearch (${ctx.version})`,
      vszKb: 8_000_000,
      rssKb: 1_300_000,
      pid: 7,
    },
  ],
  logs: (ctx) => {
    const at = (ms: number) => new Date(ctx.inst.startedAt + ms).toISOString()
    const node = ctx.inst.hostname
    const line = (ms: number, logger: string, message: string) =>
      JSON.stringify({
        '@timestamp': at(ms),
        'log.level': 'INFO',
        message,
        'ecs.version': '1.2.0',
        'service.name': 'ES_ECS',
        'event.dataset': 'elasticsearch.server',
        'process.thread.name': 'main',
        'log.logger': logger,
        'elasticsearch.node.name': node,
        'elasticsearch.cluster.name': 'docker-cluster',
      })
    return [
      line(
        0,
        'org.elasticsearch.node.Node',
        `version[${ctx.version}], pid[7], build[docker/0000000000000000000000000000000000000000/2025-08-12T00:00:00.000000000Z], OS[Linux/6.8.0/amd64], JVM[Oracle Corporation/OpenJDK 64-Bit Server VM/24.0.2/24.0.2+12-54]`,
      ),
      line(10, 'org.elasticsearch.node.Node', 'JVM home [/usr/share/elasticsearch/jdk], using bundled JDK [true]'),
      line(9000, 'org.elasticsearch.http.AbstractHttpServerTransport', `publish_address {${ctx.inst.podIP ?? '10.244.0.5'}:9200}, bound_addresses {[::]:9200}`),
      line(9100, 'org.elasticsearch.node.Node', `started {${node}}`),
    ].map((text, i) => ({ text, stream: 'stdout' as const, offsetMs: [0, 10, 9000, 9100][i] }))
  },
  ports: () => [9200, 9300],
  httpPorts: () => [9200],
  serve: (req, now, { inst, version }) => {
    if (secured(inst.env, version) && !req.headers.authorization) {
      const reason = `missing authentication credentials for REST request [${req.path}]`
      const header = { 'WWW-Authenticate': ['Basic realm="security", charset="UTF-8"', 'Bearer realm="security"', 'ApiKey'] }
      const res = json(req, now, 401, {
        error: { root_cause: [{ type: 'security_exception', reason, header }], type: 'security_exception', reason, header },
        status: 401,
      })
      res.headers['WWW-Authenticate'] = 'Basic realm="security", charset="UTF-8"'
      return res
    }
    if (pathOf(req) === '/')
      return json(
        req,
        now,
        200,
        {
          name: inst.hostname,
          cluster_name: 'docker-cluster',
          cluster_uuid: 'kS6dLh2JQ0i7p1sNk0Xn3w',
          version: {
            number: version,
            build_flavor: 'default',
            build_type: 'docker',
            build_hash: '0000000000000000000000000000000000000000',
            build_date: '2025-08-12T00:00:00.000000000Z',
            build_snapshot: false,
            lucene_version: lucene[version[0]] ?? '9.12.2',
            minimum_wire_compatibility_version: version.startsWith('9') ? '8.19.0' : '7.17.0',
            minimum_index_compatibility_version: version.startsWith('9') ? '8.0.0' : '7.0.0',
          },
          tagline: 'You Know, for Search',
        },
        true,
        'application/json',
      )
    return json(req, now, 400, { error: `no handler found for uri [${req.path}] and method [${req.method}]` })
  },
}
