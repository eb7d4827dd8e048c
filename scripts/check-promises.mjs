#!/usr/bin/env node
// Writes through the registry are asynchronous (a durable or remote store completes them later), so a
// promise that nobody awaits loses its error and its ordering. This check fails on the two ways that
// happens, which Biome cannot see without types:
//   - a call whose promise is dropped (`rs.create(…)` as a statement): await it, or write `void` to
//     say the result and its failure do not matter;
//   - an async function given where a function returning void is expected (`items.forEach(async …)`),
//     whose promise the caller drops.
import path from 'node:path'
import process from 'node:process'
import ts from 'typescript'

// The project to check: this repository's tsconfig.json, or the one named on the command line.
const config = path.resolve(process.argv[2] ?? path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'tsconfig.json'))
const root = path.dirname(config)
const parsed = ts.getParsedCommandLineOfConfigFile(config, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })
if (!parsed) throw new Error('tsconfig.json could not be read')
const program = ts.createProgram(parsed.fileNames, parsed.options)
const checker = program.getTypeChecker()
const problems = []

function isThenable(type) {
  if (type.isUnion()) return type.types.some(isThenable)
  // Fastify's reply is thenable for `await reply`, but its chaining methods are not promises to await.
  if (type.getSymbol()?.getName() === 'FastifyReply') return false
  const then = type.getProperty('then')
  if (!then) return false
  const decl = then.valueDeclaration ?? then.declarations?.[0]
  return !!decl && checker.getTypeOfSymbolAtLocation(then, decl).getCallSignatures().length > 0
}

function returnsVoidOnly(type) {
  const sigs = type.getCallSignatures()
  if (!sigs.length) return false
  return sigs.every((sig) => {
    const ret = sig.getReturnType()
    const parts = ret.isUnion() ? ret.types : [ret]
    return parts.every((t) => (t.flags & ts.TypeFlags.Void) !== 0) && !parts.some(isThenable)
  })
}

/**
 * A vitest assertion chain `expect(x)….toBe(y)` without `.resolves`/`.rejects` returns void.
 * Resolving those calls' overloads was two fifths of this check's time, and tests hold thousands.
 */
function plainAssertion(call) {
  let e = call
  for (;;) {
    if (ts.isCallExpression(e)) e = e.expression
    else if (ts.isPropertyAccessExpression(e)) {
      if (e.name.text === 'resolves' || e.name.text === 'rejects' || e.name.text === 'poll') return false
      e = e.expression
    } else return ts.isIdentifier(e) && e.text === 'expect' && e !== call
  }
}

/** `p.catch(h)` and `p.then(f, h)` handle the rejection themselves. */
function handled(call) {
  if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) return false
  const name = call.expression.name.text
  return (name === 'catch' && call.arguments.length > 0) || (name === 'then' && call.arguments.length > 1)
}

function report(node, text) {
  const sf = node.getSourceFile()
  const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf))
  problems.push(`${path.relative(root, sf.fileName)}:${line + 1}:${character + 1}: ${text}`)
}

function visit(node) {
  if (ts.isExpressionStatement(node)) {
    let e = node.expression
    while (ts.isParenthesizedExpression(e)) e = e.expression
    if ((ts.isCallExpression(e) || ts.isNewExpression(e)) && !plainAssertion(e) && isThenable(checker.getTypeAtLocation(e)) && !handled(e))
      report(e, `the promise of \`${e.getText().split('\n')[0].slice(0, 60)}\` is dropped: await it, or mark it \`void\``)
  }
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Async) !== 0) {
    const expected = checker.getContextualType(node)
    if (expected && returnsVoidOnly(checker.getNonNullableType(expected)))
      report(node, 'an async function is given where a function returning void is expected: its promise is dropped')
  }
  if (ts.isMethodDeclaration(node) && ts.isObjectLiteralExpression(node.parent) && (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Async) !== 0) {
    const owner = checker.getContextualType(node.parent)
    const prop = owner?.getProperty(node.name.getText())
    const expected = prop && checker.getTypeOfSymbolAtLocation(prop, node)
    if (expected && returnsVoidOnly(checker.getNonNullableType(expected)))
      report(node, 'an async method is given where a method returning void is expected: its promise is dropped')
  }
  ts.forEachChild(node, visit)
}

for (const sf of program.getSourceFiles()) {
  if (sf.isDeclarationFile || path.relative(root, sf.fileName).startsWith('node_modules')) continue
  visit(sf)
}
for (const p of problems) console.error(p)
if (problems.length) {
  console.error(`check-promises: ${problems.length} problem(s)`)
  process.exit(1)
}
