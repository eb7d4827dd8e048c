/** @module tools: curlimages/curl (ENTRYPOINT curl) and registry.k8s.io/e2e-test-images/agnhost (netexec / serve-hostname answers). */
import type { CatalogueImage } from './catalogue-image.js'
import { answer, pathOf } from './http-answer.js'

const curlVersions = ['8.15.0', '8.14.1', '8.13.0', '8.12.1', '8.11.1', '8.10.1', '8.9.1', '8.8.0', '8.7.1', '8.6.0', '8.5.0', '8.4.0', '7.88.1']

/** docker.io/curlimages/curl: with no args, curl's own complaint and exit 2; a pod's command runs in its BusyBox shell. */
export const curl: CatalogueImage = {
  repository: 'docker.io/curlimages/curl',
  tags: { ...Object.fromEntries(curlVersions.map((v) => [v, 10_200_000])), latest: 10_200_000 },
  version: (tag) => (tag === 'latest' ? curlVersions[0] : tag),
  os: () => 'alpine',
  builtAt: Date.UTC(2025, 6, 16),
  shell: true,
  exits: { exitCode: 2, afterMs: 0 },
  env: (v) => ({ CURL_CA_BUNDLE: '/cacert.pem', CURL_VERSION: v }),
  processes: () => [{ user: 'curl_user', command: 'curl', vszKb: 8_000, rssKb: 5_000 }],
  logs: () => [{ text: "curl: try 'curl --help' or 'curl --manual' for more information", stream: 'stderr' }],
}

const agnhostTags = ['2.39', '2.40', '2.43', '2.45', '2.47', '2.48', '2.50', '2.51', '2.52', '2.53', '2.54', '2.55', '2.56']

/** registry.k8s.io/e2e-test-images/agnhost: `netexec` (8080) and `serve-hostname` (9376), the e2e suite's test server. */
export const agnhost: CatalogueImage = {
  repository: 'registry.k8s.io/e2e-test-images/agnhost',
  tags: Object.fromEntries(agnhostTags.map((t) => [t, 61_000_000])),
  version: (tag) => tag,
  os: () => 'alpine',
  builtAt: Date.UTC(2025, 4, 20),
  // No subcommand: cobra prints the usage and agnhost exits 0.
  exits: { exitCode: 0, afterMs: 0 },
  // ENTRYPOINT ["/agnhost"]: args are its subcommand (`netexec`, `serve-hostname`), PID 1 stays /agnhost.
  daemon: '/agnhost',
  env: () => ({}),
  processes: (ctx) => [{ user: 'root', command: ['/agnhost', ...(ctx.inst.args ?? [])].join(' '), vszKb: 750_000, rssKb: 22_000 }],
  logs: (ctx) =>
    ctx.inst.args?.[0] === 'netexec' ? [{ text: `I0000 00:00:00.000000       1 log.go:245] Started HTTP server on port 8080`, stream: 'stderr' }] : [],
  ports: () => [8080, 9376],
  serve: (req, now, { inst }) => {
    const path = pathOf(req)
    const q = new URLSearchParams(req.path.split('?')[1] ?? '')
    const text = (body: string) => answer(req, now, 200, { 'Content-Type': 'text/plain; charset=utf-8' }, body)
    if (path === '/' || path === '/hostname') return text(inst.hostname)
    if (path === '/echo') return text(q.get('msg') ?? '')
    if (path === '/clientip') return text(`${req.remoteAddr ?? '127.0.0.1'}:45678`)
    if (path === '/healthz') return text('')
    return answer(req, now, 404, { 'Content-Type': 'text/plain; charset=utf-8' }, '404 page not found\n')
  },
}
