/** @module rabbitmq: the official rabbitmq image — the broker banner and start-up lines, AMQP on 5672, the management UI on 15672 (`-management` tags). */
import type { BehaviourContext, StartupLine } from '../containers/behaviours.js'
import type { HTTPRequest } from '../containers/http.js'
import type { CatalogueImage, ServeContext } from './catalogue-image.js'
import { answer, json, pathOf } from './http-answer.js'
import { rabbitStamp } from './log-stamps.js'
import { patches, resolveVersion, tagTable } from './tag-table.js'

const lines = [
  { releases: patches('4.1', 0, 3), size: 96_000_000 },
  { releases: patches('4.0', 0, 9), size: 95_000_000 },
  { releases: patches('3.13', 0, 7), size: 92_000_000 },
  { releases: patches('3.12', 0, 14), size: 90_000_000 },
].map((l) => ({ ...l, variants: { management: 15_000_000, alpine: -45_000_000, 'management-alpine': -30_000_000 } }))
const aliases = { latest: '4.1.3' }
const variant = /-(management-alpine|management|alpine)$/
const management = (tag: string) => tag.includes('management')
const erlang = (v: string) => (v.startsWith('3.12') ? '25.3.2.15' : v.startsWith('3.13') ? '26.2.5.6' : '27.3.4.2')

function logs(ctx: BehaviourContext): StartupLine[] {
  const t0 = ctx.inst.startedAt
  const out: StartupLine[] = []
  let at = 0
  const l = (level: string, pid: string, text: string, step = 3) => {
    at += step
    out.push({ text: `${rabbitStamp(t0 + at)} [${level}] <${pid}> ${text}`, stream: 'stdout', offsetMs: at })
  }
  const raw = (text: string) => out.push({ text, stream: 'stdout', offsetMs: at })
  const v = ctx.version
  const node = `rabbit@${ctx.inst.hostname}`
  l('notice', '0.44.0', 'Application syslog exited with reason: stopped', 400)
  l('notice', '0.254.0', 'Logging: switching to configured handler(s); following messages may not be visible in this log output')
  l('notice', '0.254.0', 'Logging: configured log handlers are now ACTIVE')
  l('info', '0.254.0', 'ra: starting system quorum_queues', 40)
  l('info', '0.254.0', "ra system 'quorum_queues' running pre init for 0 registered servers")
  l('info', '0.261.0', 'ra: meta data store initialised for system quorum_queues. 0 record(s) recovered')
  l('notice', '0.266.0', 'WAL: ra_log_wal init, open tbls: ra_log_open_mem_tables, closed tbls: ra_log_closed_mem_tables')
  l('info', '0.254.0', 'ra: starting system coordination')
  l('info', '0.254.0', '')
  l('info', '0.254.0', ` Starting RabbitMQ ${v} on Erlang ${erlang(v)} [jit]`)
  l('info', '0.254.0', ' Copyright (c) 2007-2025 Broadcom Inc and/or its subsidiaries')
  l('info', '0.254.0', ' Licensed under the MPL 2.0. Website: https://rabbitmq.com')
  raw('')
  raw(`  ##  ##      RabbitMQ ${v}`)
  raw('  ##  ##')
  raw('  ##########  Copyright (c) 2007-2025 Broadcom Inc and/or its subsidiaries')
  raw('  ######  ##')
  raw('  ##########  Licensed under the MPL 2.0. Website: https://rabbitmq.com')
  raw('')
  raw(`  Erlang:      ${erlang(v)} [jit]`)
  raw('  TLS Library: OpenSSL - OpenSSL 3.3.4 1 Jul 2025')
  raw('  Release series support status: see https://www.rabbitmq.com/release-information')
  raw('')
  raw('  Doc guides:  https://www.rabbitmq.com/docs')
  raw('  Support:     https://www.rabbitmq.com/docs/contact')
  raw('  Tutorials:   https://www.rabbitmq.com/tutorials')
  raw('  Monitoring:  https://www.rabbitmq.com/docs/monitoring')
  raw('  Upgrading:   https://www.rabbitmq.com/docs/upgrade')
  raw('')
  raw('  Logs: <stdout>')
  raw('')
  raw('  Config file(s): /etc/rabbitmq/conf.d/10-defaults.conf')
  raw('')
  raw('  Starting broker...')
  l('info', '0.254.0', '')
  l('info', '0.254.0', ` node           : ${node}`)
  l('info', '0.254.0', ` home dir       : /var/lib/rabbitmq`)
  l('info', '0.254.0', ` config file(s) : /etc/rabbitmq/conf.d/10-defaults.conf`)
  l('info', '0.254.0', ` cookie hash    : 0000000000000000000000==`)
  l('info', '0.254.0', ` log(s)         : <stdout>`)
  l('info', '0.254.0', ` data dir       : /var/lib/rabbitmq/mnesia/${node}`)
  l('info', '0.658.0', 'Ready to start client connection listeners', 1500)
  l('info', '0.798.0', 'started TCP listener on [::]:5672')
  const plugins = management(ctx.tag)
    ? ['rabbitmq_prometheus', 'rabbitmq_federation', 'rabbitmq_management', 'rabbitmq_management_agent', 'rabbitmq_web_dispatch']
    : ['rabbitmq_prometheus', 'rabbitmq_federation', 'rabbitmq_management_agent', 'rabbitmq_web_dispatch']
  raw(` completed with ${plugins.length} plugins.`)
  l('info', '0.658.0', `Server startup complete; ${plugins.length} plugins started.`)
  for (const p of plugins) l('info', '0.658.0', ` * ${p}`, 0)
  l('info', '0.9.0', 'Time to start RabbitMQ: 4213 ms', 0)
  return out
}

function serve(req: HTTPRequest, now: number, { inst, version }: ServeContext) {
  const path = pathOf(req)
  if (path === '/' || path === '/index.html')
    return answer(
      req,
      now,
      200,
      { 'content-type': 'text/html', vary: 'origin' },
      '<!DOCTYPE html>\n<html>\n  <head>\n    <meta http-equiv="X-UA-Compatible" content="IE=edge" />\n    <title>RabbitMQ Management</title>\n  </head>\n  <body>\n    <div id="outer"></div>\n  </body>\n</html>\n',
    )
  if (path === '/api/overview') {
    if (!req.headers.authorization) return json(req, now, 401, { error: 'not_authorized', reason: 'Not_Authorized' })
    return json(req, now, 200, {
      management_version: version,
      rabbitmq_version: version,
      product_name: 'RabbitMQ',
      erlang_version: erlang(version),
      cluster_name: `rabbit@${inst.hostname}`,
    })
  }
  if (path === '/metrics')
    return answer(
      req,
      now,
      200,
      { 'content-type': 'text/plain; version=0.0.4' },
      '# TYPE rabbitmq_build_info untyped\n# HELP rabbitmq_build_info RabbitMQ & Erlang/OTP version info\nrabbitmq_build_info{rabbitmq_version="' +
        version +
        '"} 1\n',
    )
  return json(req, now, 404, { error: 'Object Not Found', reason: 'Not Found' })
}

/** docker.io/library/rabbitmq. */
export const rabbitmq: CatalogueImage = {
  repository: 'docker.io/library/rabbitmq',
  tags: tagTable(lines, aliases, { management: 111_000_000, 'management-alpine': 66_000_000 }),
  version: (tag) =>
    resolveVersion(
      tag,
      lines.flatMap((l) => l.releases),
      aliases,
      variant,
    ),
  os: (tag) => (tag.includes('alpine') ? 'alpine' : 'ubuntu'),
  builtAt: Date.UTC(2025, 7, 1),
  daemon: 'rabbitmq-server',
  env: (v) => ({
    OPENSSL_VERSION: '3.3.4',
    OTP_VERSION: erlang(v),
    RABBITMQ_DATA_DIR: '/var/lib/rabbitmq',
    RABBITMQ_VERSION: v,
    RABBITMQ_PGP_KEY_ID: '0x0A9AF2115F4687BD29803A206B73A36E6026DFCA',
    RABBITMQ_HOME: '/opt/rabbitmq',
    HOME: '/var/lib/rabbitmq',
    LANG: 'C.UTF-8',
    LANGUAGE: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
  }),
  path: () => '/opt/rabbitmq/sbin:/opt/erlang/bin:/opt/openssl/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  processes: () => [
    {
      user: 'rabbitmq',
      command:
        '/opt/erlang/lib/erlang/erts-15.2.7/bin/beam.smp -W w -MBas ageffcbf -MHas ageffcbf -MBlmbcs 512 -MHlmbcs 512 -MMmcs 30 -pc unicode -P 1048576 -t 5000000 -stbt db -zdbbl 128000 -sbwt none -sbwtdcpu none -sbwtdio none -- -root /opt/erlang/lib/erlang -bindir /opt/erlang/lib/erlang/erts-15.2.7/bin -progname erl -- -home /var/lib/rabbitmq -- -kernel inet_dist_listen_min 25672 -kernel inet_dist_listen_max 25672 -- -noshell -noinput -s rabbit boot -boot start_sasl -syslog logger [] -syslog syslog_error_logger false -kernel prevent_overlapping_partitions false',
      vszKb: 2_450_000,
      rssKb: 140_000,
    },
  ],
  files: () => ({
    '/etc/rabbitmq/conf.d/10-defaults.conf': {
      content:
        '## DEFAULT SETTINGS ARE NOT MEANT TO BE TAKEN STRAIGHT INTO PRODUCTION\n## see https://www.rabbitmq.com/configure.html for further information\n## on configuring RabbitMQ\n\n## allow access to the guest user from anywhere on the network\n## https://www.rabbitmq.com/access-control.html#loopback-users\n## https://www.rabbitmq.com/production-checklist.html#users\nloopback_users.guest = false\n\n## Send all logs to stdout/TTY. Necessary to see logs when running via\n## a container\nlog.console = true\n',
    },
    '/var/lib/rabbitmq': { dir: true, owner: 'rabbitmq' },
  }),
  logs,
  binaries: {
    rabbitmqctl: (args, ctx) =>
      args[0] === 'version'
        ? { stdout: `${ctx.version}\n`, code: 0 }
        : args[0] === 'status'
          ? { stdout: `Status of node rabbit@${ctx.inst.hostname} ...\nRuntime\n\nOS PID: 1\nOS: Linux\nRabbitMQ version: ${ctx.version}\n`, code: 0 }
          : { code: 64, stderr: `Usage\n\nrabbitmqctl [--node <node>] [--timeout <timeout>] [--longnames] [--quiet] <command> [<command options>]\n` },
    'rabbitmq-diagnostics': (args) =>
      args[0] === 'ping'
        ? {
            stdout: 'Will ping rabbit@localhost. This only checks if the OS process is running and registered with epmd. Timeout: 60000 ms.\nPing succeeded\n',
            code: 0,
          }
        : { code: 0 },
  },
  // 5672 AMQP, 15692 Prometheus metrics, 15672 the management UI (management tags serve it: see `serve`).
  ports: (tag) => (management(tag) ? [4369, 5672, 15672, 15692, 25672] : [4369, 5672, 15692, 25672]),
  httpPorts: (tag) => (management(tag) ? [15672, 15692] : [15692]),
  serve: (req, now, ctx) => serve(req, now, ctx),
}
