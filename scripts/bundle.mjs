// Bundles the CLI: resolving ~300 modules one by one costs more than half of kubemock's start-up
// time, and start-up is one of the things we promise (see README). Code splitting puts what is
// loaded with a dynamic import() (TLS, Ajv, YAML, protobuf, the shell, SPDY) into chunks of its own,
// so a start-up neither parses nor evaluates them; the entry stays dist/bundle/server.mjs.
import { rmSync } from 'node:fs'
import { build } from 'esbuild'

// Fastify requires a schema validator and serializer compiler (Ajv, fast-json-stringify: a tenth of
// the bundle) as soon as an instance is created, although they only ever compile route schemas,
// which kubemock's routes do not have. These stand-ins take their place and load the real package,
// from node_modules, the first time a schema would be compiled.
const lazyCompilers = {
  name: 'lazy-schema-compilers',
  setup(b) {
    const ids = /^@fastify\/(ajv-compiler|fast-json-stringify-compiler)$/
    b.onResolve({ filter: ids }, (args) =>
      args.namespace === 'lazy-compiler' ? { path: args.path, external: true } : { path: args.path, namespace: 'lazy-compiler' },
    )
    b.onLoad({ filter: /.*/, namespace: 'lazy-compiler' }, (args) => ({
      loader: 'js',
      resolveDir: process.cwd(),
      contents: `let real
module.exports = function lazySchemaCompilerSelector(...selectorArgs) {
  let build
  return function buildCompiler(...args) {
    build ??= (real ??= require(${JSON.stringify(args.path)}))(...selectorArgs)
    return build(...args)
  }
}`,
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
  external: ['protobufjs', 'protobufjs/*', 'light-my-request'],
  plugins: [lazyCompilers],
  banner: { js: "import { createRequire as __kubemockRequire } from 'node:module'; const require = __kubemockRequire(import.meta.url);" },
  logLevel: 'warning',
})
