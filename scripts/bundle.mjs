// Bundles the CLI: resolving ~300 modules one by one costs more than half of kubemock's start-up
// time, and start-up is one of the things we promise (see README). Code splitting puts what is
// loaded with a dynamic import() (TLS, Ajv, YAML) into chunks of its own,
// so a start-up neither parses nor evaluates them; the entry stays dist/bundle/server.mjs.
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { build } from 'esbuild'

// Packages that dependencies require when they load but use only in features kubemock's CLI never
// touches. A stand-in takes each one's place in the bundle and loads the real package, from
// node_modules, on first use, so a start-up neither parses nor runs them:
// - Fastify's schema validator and serializer compilers (Ajv, fast-json-stringify: a tenth of the
//   bundle), required when an instance is created but only used to compile route schemas, which
//   kubemock's routes do not have ('selector': called once, the result is called per schema);
// - duplexify (and readable-stream), which @fastify/websocket uses only in injectWS(), and
//   thread-stream, which pino uses only for transports ('constructor').
const standIns = {
  '@fastify/ajv-compiler': 'selector',
  '@fastify/fast-json-stringify-compiler': 'selector',
  duplexify: 'constructor',
  'thread-stream': 'constructor',
}
const standInSource = {
  selector: (id) => `let real
module.exports = function lazySelector(...selectorArgs) {
  let built
  return function lazyBuild(...args) {
    built ??= (real ??= require(${JSON.stringify(id)}))(...selectorArgs)
    return built(...args)
  }
}`,
  constructor: (id) => `let Real
module.exports = function LazyConstructor(...args) {
  Real ??= require(${JSON.stringify(id)})
  return new Real(...args)
}`,
}
const lazyStandIns = {
  name: 'lazy-stand-ins',
  setup(b) {
    const ids = new RegExp(`^(${Object.keys(standIns).join('|').replace(/[/.]/g, '\\$&')})$`)
    // The stand-in's own require() of the package stays a runtime require (external).
    b.onResolve({ filter: ids }, (args) => (args.namespace === 'stand-in' ? { path: args.path, external: true } : { path: args.path, namespace: 'stand-in' }))
    b.onLoad({ filter: /.*/, namespace: 'stand-in' }, (args) => ({
      loader: 'js',
      resolveDir: process.cwd(),
      contents: standInSource[standIns[args.path]](args.path),
    }))
  },
}

rmSync('dist/bundle', { recursive: true, force: true })
await build({
  entryPoints: ['dist/server.js'],
  bundle: true,
  splitting: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // dist/bundle/ sits two levels below the package root, like dist/<dir>/, so the
  // `new URL('../../openapi/', import.meta.url)` lookups keep working (in chunks too: same folder).
  outdir: 'dist/bundle',
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  outExtension: { '.js': '.mjs' },
  // protobufjs: loaded only when a client asks for /openapi/v2 as protobuf (a dynamic import); it is
  // a runtime dependency, so it is there. light-my-request: fastify requires it on the first
  // inject(), which the CLI never calls.
  // etcd3 (with gRPC, which reads its .proto files from its own folder) and cockatiel: loaded only
  // for --etcd-servers (a dynamic import), from node_modules.
  external: ['protobufjs', 'protobufjs/*', 'light-my-request', 'etcd3', 'cockatiel'],
  plugins: [lazyStandIns],
  banner: { js: "import { createRequire as __kubemockRequire } from 'node:module'; const require = __kubemockRequire(import.meta.url);" },
  logLevel: 'warning',
})

// One character above U+00FF anywhere in a file (a `μ` in a regular expression literal, which
// esbuild leaves as it is) makes V8 hold that file's whole source as a two-byte string: the
// start-up bundle took 2.5 MB of heap instead of 1.3 MB. Write such characters as \u escapes.
for (const name of readdirSync('dist/bundle')) {
  const text = readFileSync(`dist/bundle/${name}`, 'utf8')
  let at = 0
  while (at < text.length && text.charCodeAt(at) <= 0xff) at++
  if (at < text.length)
    throw new Error(`dist/bundle/${name}: ${JSON.stringify(text.slice(Math.max(0, at - 40), at + 10))} has a character above U+00FF; write it as a \\u escape`)
}
