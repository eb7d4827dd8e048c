// Is the API responsive while the controllers work? Starts kubemock (default: this checkout) with
// 300 nodes, creates a 3,000-replica Deployment and samples GET /api/v1/namespaces/default every
// 50 ms for 25 s. Usage: npm run build && node bench/responsiveness.js [repo-dir]
import { spawn } from 'node:child_process'
const srv = spawn(process.execPath, ['bin/kubemock.js', '--port', '0', '--nodes', '300', '--log-level', 'warn'], {
  cwd: process.argv[2] ?? new URL('..', import.meta.url).pathname,
})
let url
await new Promise((r) =>
  srv.stdout.on('data', (d) => {
    const m = /listening on (\S+)/.exec(String(d))
    if (m && !url) {
      url = m[1]
      r()
    }
  }),
)
await new Promise((r) => setTimeout(r, 3000))
const dep = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'big' },
  spec: {
    replicas: 3000,
    selector: { matchLabels: { app: 'big' } },
    template: { metadata: { labels: { app: 'big' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  },
}
await fetch(`${url}/apis/apps/v1/namespaces/default/deployments`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(dep),
})
const lat = []
const end = Date.now() + 25000
while (Date.now() < end) {
  const t = performance.now()
  await fetch(`${url}/api/v1/namespaces/default`).then((r) => r.text())
  lat.push(performance.now() - t)
  await new Promise((r) => setTimeout(r, 50))
}
lat.sort((a, b) => a - b)
const pods = JSON.parse(await (await fetch(`${url}/api/v1/namespaces/default/pods?limit=5000`)).text()).items.length
console.log(
  `samples ${lat.length} p50 ${lat[lat.length >> 1].toFixed(1)} ms p99 ${lat[Math.floor(lat.length * 0.99)].toFixed(1)} ms max ${lat.at(-1).toFixed(1)} ms; pods after 25 s: ${pods}`,
)
srv.kill()
process.exit(0)
