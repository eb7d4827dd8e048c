/** @module wordpress: the official wordpress image (Apache + PHP) — the copy-in lines, Apache's notices, the setup redirect on port 80. */
import type { CatalogueImage } from './catalogue-image.js'
import { answer, pathOf } from './http-answer.js'

const wpVersions = ['6.8.2', '6.8.1', '6.7.2', '6.6.2']
const phps = ['8.1', '8.2', '8.3', '8.4']
const tags: Record<string, number> = {}
for (const base of ['', ...wpVersions, '6', '6.8']) {
  for (const php of ['', ...phps.map((p) => `php${p}`)])
    for (const server of ['', 'apache', 'fpm', 'fpm-alpine']) {
      const tag = [base, php, server].filter(Boolean).join('-')
      tags[tag || 'latest'] = server === 'fpm-alpine' ? 85_000_000 : 255_000_000
    }
}
const php = (tag: string) => /php(\d\.\d)/.exec(tag)?.[1] ?? '8.2'
const phpPatch: Record<string, string> = { '8.1': '8.1.33', '8.2': '8.2.29', '8.3': '8.3.24', '8.4': '8.4.11' }

/** docker.io/library/wordpress. */
export const wordpress: CatalogueImage = {
  repository: 'docker.io/library/wordpress',
  tags,
  version: (tag) =>
    wpVersions.find((v) => tag.startsWith(v)) ?? (tag.startsWith('6.8') || !/^\d/.test(tag) || tag.startsWith('6-') || tag === '6' ? '6.8.2' : tag),
  os: (tag) => (tag.includes('alpine') ? 'alpine' : 'debian'),
  builtAt: Date.UTC(2025, 7, 5),
  daemon: 'apache2-foreground',
  env: (v, tag) => ({
    PHPIZE_DEPS: 'autoconf \t\tdpkg-dev \t\tfile \t\tg++ \t\tgcc \t\tlibc-dev \t\tmake \t\tpkg-config \t\tre2c',
    PHP_INI_DIR: '/usr/local/etc/php',
    APACHE_CONFDIR: '/etc/apache2',
    APACHE_ENVVARS: '/etc/apache2/envvars',
    PHP_VERSION: phpPatch[php(tag)],
    WORDPRESS_VERSION: v,
  }),
  processes: () => [
    { user: 'root', command: 'apache2 -DFOREGROUND', vszKb: 247_000, rssKb: 32_000 },
    ...[7, 8, 9, 10, 11].map((pid) => ({ user: 'www-data', command: 'apache2 -DFOREGROUND', vszKb: 247_500, rssKb: 11_000, pid })),
  ],
  files: (ctx) => ({
    '/var/www/html/index.php': {
      content: "<?php\n/**\n * Front to the WordPress application.\n */\ndefine( 'WP_USE_THEMES', true );\nrequire __DIR__ . '/wp-blog-header.php';\n",
      owner: 'www-data',
    },
    '/var/www/html/wp-includes/version.php': { content: `<?php\n$wp_version = '${ctx.version}';\n`, owner: 'www-data' },
  }),
  logs: (ctx) => {
    const ip = ctx.inst.podIP ?? '10.244.0.5'
    const d = new Date(ctx.inst.startedAt + 300)
    const s = d.toUTCString()
    const stamp = `[${s.slice(0, 3)} ${s.slice(8, 11)} ${s.slice(5, 7)} ${d.toISOString().slice(11, 23)}000 ${d.getUTCFullYear()}]`
    const wpEnv = Object.keys(ctx.inst.env)
      .filter((k) => k.startsWith('WORDPRESS_'))
      .sort()
    const ah = `AH00558: apache2: Could not reliably determine the server's fully qualified domain name, using ${ip}. Set the 'ServerName' directive globally to suppress this message`
    return [
      { text: 'WordPress not found in /var/www/html - copying now...', stream: 'stderr' as const },
      { text: 'Complete! WordPress has been successfully copied to /var/www/html', stream: 'stderr' as const },
      ...(wpEnv.length
        ? [
            {
              text: `No 'wp-config.php' found in /var/www/html, but 'WORDPRESS_...' variables supplied; copying 'wp-config-docker.php' (${wpEnv.join(' ')})`,
              stream: 'stderr' as const,
            },
          ]
        : []),
      { text: ah, stream: 'stderr' as const },
      { text: ah, stream: 'stderr' as const },
      {
        text: `${stamp} [mpm_prefork:notice] [pid 1:tid 1] AH00163: Apache/2.4.65 (Debian) PHP/${phpPatch[php(ctx.tag)]} configured -- resuming normal operations`,
        stream: 'stderr' as const,
      },
      { text: `${stamp} [core:notice] [pid 1:tid 1] AH00094: Command line: 'apache2 -D FOREGROUND'`, stream: 'stderr' as const },
    ].map((l) => ({ ...l, offsetMs: 300 }))
  },
  ports: (tag) => (tag.includes('fpm') ? [9000] : [80]),
  httpPorts: (tag) => (tag.includes('fpm') ? [] : [80]),
  serve: (req, now, { inst, tag }) => {
    const configured = Object.keys(inst.env).some((k) => k.startsWith('WORDPRESS_'))
    const to = configured ? '/wp-admin/install.php' : '/wp-admin/setup-config.php'
    if (pathOf(req) === '/' || pathOf(req) === '/index.php')
      return answer(req, now, 302, {
        Server: 'Apache/2.4.65 (Debian)',
        'X-Powered-By': `PHP/${phpPatch[php(tag)]}`,
        Location: `http://${req.headers.host ?? 'localhost'}${to}`,
        'Content-Type': 'text/html; charset=UTF-8',
      })
    return answer(
      req,
      now,
      404,
      { Server: 'Apache/2.4.65 (Debian)', 'Content-Type': 'text/html; charset=iso-8859-1' },
      '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n',
    )
  },
  accessLog: (_inst, req, res, now) => {
    const d = new Date(now)
    const m = d.toUTCString().slice(8, 11)
    return `${req.remoteAddr ?? '127.0.0.1'} - - [${String(d.getUTCDate()).padStart(2, '0')}/${m}/${d.getUTCFullYear()}:${d.toISOString().slice(11, 19)} +0000] "${req.method} ${req.path} HTTP/${req.httpVersion ?? '1.1'}" ${res.status} ${Buffer.byteLength(res.body)} "-" "${req.headers['user-agent'] ?? '-'}"`
  },
}
