/** @module parse: POSIX-shell command lines to a small AST — words with quoting, pipes, &&, ||, ;, redirections. */

/** A piece of a word; `quoted` pieces are not field-split or globbed. */
export type WordPart =
  | { kind: 'lit'; text: string; quoted: boolean }
  | { kind: 'var'; name: string; quoted: boolean }
  | { kind: 'cmd'; source: string; quoted: boolean }
  | { kind: 'arith'; expr: string; quoted: boolean }

export type Word = WordPart[]

/** `2>&1`, `> file`, `>> file`, `< file`. */
export interface Redirect {
  fd: number
  op: '>' | '>>' | '<' | '>&'
  target: Word
}

/** `while`/`until`, `for`, `if` and `{ }` bodies. */
export type Compound =
  | { kind: 'while' | 'until'; cond: CommandList; body: CommandList }
  | { kind: 'for'; name: string; words: Word[]; body: CommandList }
  | { kind: 'if'; branches: { cond: CommandList; body: CommandList }[]; otherwise?: CommandList }
  | { kind: 'group'; body: CommandList }

/** One simple command: `A=1 cmd args > out`, or a compound one (then `words` is empty). */
export interface SimpleCommand {
  assigns: { name: string; value: Word }[]
  words: Word[]
  redirects: Redirect[]
  compound?: Compound
}

/** `a | b | c`, optionally negated with `!`. */
export interface Pipeline {
  commands: SimpleCommand[]
  negated: boolean
}

/** A list: pipelines joined by `&&`, `||` or `;` (the operator before each item; the first has `;`). */
export type CommandList = { op: ';' | '&&' | '||'; pipeline: Pipeline }[]

/** A syntax error, with the token bash names: `syntax error near unexpected token `|'`. */
export class ShellSyntaxError extends Error {
  constructor(readonly token: string) {
    super(`syntax error near unexpected token \`${token}'`)
  }
}

type Token = { type: 'word'; word: Word } | { type: 'op'; op: string } | { type: 'redir'; fd: number; op: Redirect['op'] }

/** Reads `$(...)` / `$((...))` bodies with nesting; returns the end index (after the closing paren). */
function matchParen(s: string, start: number): number {
  let depth = 0
  for (let i = start; i < s.length; i++) {
    const c = s[i]
    if (c === '\\') i++
    else if (c === "'") i = s.indexOf("'", i + 1) < 0 ? s.length : s.indexOf("'", i + 1)
    else if (c === '(') depth++
    else if (c === ')' && --depth === 0) return i + 1
  }
  throw new ShellSyntaxError('newline')
}

/** Parses `$…` at s[i] (s[i] === '$'); returns the part and the next index. */
function dollar(s: string, i: number, quoted: boolean): [WordPart, number] {
  const n = s[i + 1]
  if (n === '(' && s[i + 2] === '(') {
    const end = matchParen(s, i + 1)
    return [{ kind: 'arith', expr: s.slice(i + 3, end - 2), quoted }, end]
  }
  if (n === '(') {
    const end = matchParen(s, i + 1)
    return [{ kind: 'cmd', source: s.slice(i + 2, end - 1), quoted }, end]
  }
  if (n === '{') {
    const end = s.indexOf('}', i + 2)
    if (end < 0) throw new ShellSyntaxError('newline')
    return [{ kind: 'var', name: s.slice(i + 2, end), quoted }, end + 1]
  }
  if (n !== undefined && /[?$#!@*0-9-]/.test(n)) return [{ kind: 'var', name: n, quoted }, i + 2]
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i + 1))
  if (m) return [{ kind: 'var', name: m[0], quoted }, i + 1 + m[0].length]
  return [{ kind: 'lit', text: '$', quoted }, i + 1]
}

/** The next character with a meaning to the tokenizer, outside quotes and inside double quotes. */
const special = /[ \t\n\\'"$|&;<>()]/g
const quotedSpecial = /["\\$]/g

/** Where the run of ordinary characters starting at `i` ends (a regex search: far faster than a loop). */
function runEnd(re: RegExp, s: string, i: number): number {
  re.lastIndex = i
  return re.exec(s)?.index ?? s.length
}

/** Splits a command line into tokens, keeping quoting information in words (linear in the line's length). */
export function tokenize(s: string): Token[] {
  const out: Token[] = []
  let i = 0
  let word: Word | undefined
  const lit = (text: string, quoted: boolean) => {
    word ??= []
    const last = word[word.length - 1]
    if (last?.kind === 'lit' && last.quoted === quoted) last.text += text
    else word.push({ kind: 'lit', text, quoted })
  }
  const flush = () => {
    if (word) out.push({ type: 'word', word })
    word = undefined
  }
  while (i < s.length) {
    const c = s[i]
    if (c === ' ' || c === '\t') {
      flush()
      i++
    } else if (c === '\n') {
      flush()
      out.push({ type: 'op', op: ';' })
      i++
    } else if (c === '#' && !word) {
      while (i < s.length && s[i] !== '\n') i++
    } else if (c === '\\') {
      if (s[i + 1] === '\n') i += 2
      else {
        lit(s[i + 1] ?? '', true)
        i += 2
      }
    } else if (c === "'") {
      const end = s.indexOf("'", i + 1)
      if (end < 0) throw new ShellSyntaxError('newline')
      lit(s.slice(i + 1, end), true)
      i = end + 1
    } else if (c === '"') {
      word ??= []
      lit('', true)
      i++
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && '"\\$`\n'.includes(s[i + 1] ?? '')) {
          if (s[i + 1] !== '\n') lit(s[i + 1], true)
          i += 2
        } else if (s[i] === '$') {
          const [part, next] = dollar(s, i, true)
          if (part.kind === 'lit') lit(part.text, true)
          else word.push(part)
          i = next
        } else {
          const end = Math.max(i + 1, runEnd(quotedSpecial, s, i))
          lit(s.slice(i, end), true)
          i = end
        }
      }
      if (s[i] !== '"') throw new ShellSyntaxError('newline')
      i++
    } else if (c === '$') {
      const [part, next] = dollar(s, i, false)
      word ??= []
      if (part.kind === 'lit') lit(part.text, false)
      else word.push(part)
      i = next
    } else if (c === '|' || c === '&' || c === ';') {
      flush()
      const two = s.slice(i, i + 2)
      if (two === '&&' || two === '||' || two === ';;') {
        out.push({ type: 'op', op: two })
        i += 2
      } else if (two === '&>') {
        out.push({ type: 'redir', fd: 1, op: '>' }, { type: 'op', op: '2>&1-after' })
        i += 2
      } else {
        out.push({ type: 'op', op: c === '&' ? ';' : c })
        i++
      }
    } else if (c === '>' || c === '<') {
      // A word made only of digits right before is the fd (`2>`).
      let fd = c === '>' ? 1 : 0
      if (word && word.length === 1 && word[0].kind === 'lit' && !word[0].quoted && /^\d$/.test(word[0].text)) {
        fd = Number(word[0].text)
        word = undefined
      }
      flush()
      if (s.slice(i, i + 2) === '>>') {
        out.push({ type: 'redir', fd, op: '>>' })
        i += 2
      } else if (s.slice(i, i + 2) === '>&') {
        out.push({ type: 'redir', fd, op: '>&' })
        i += 2
      } else {
        out.push({ type: 'redir', fd, op: c === '>' ? '>' : '<' })
        i++
      }
    } else if (c === '(' || c === ')') {
      throw new ShellSyntaxError(c)
    } else {
      const end = Math.max(i + 1, runEnd(special, s, i))
      lit(s.slice(i, end), false)
      i = end
    }
  }
  flush()
  return out
}

/** The literal text of a word made only of unquoted literal parts (reserved words), else undefined. */
function bare(t: Token | undefined): string | undefined {
  if (t?.type !== 'word' || t.word.length !== 1) return undefined
  const p = t.word[0]
  return p.kind === 'lit' && !p.quoted ? p.text : undefined
}

const reserved = new Set(['do', 'done', 'then', 'else', 'elif', 'fi', '}'])

/**
 * Parses a command line into a list of pipelines. Empty input gives an empty list. Supports
 * `while`/`until`/`for … in`/`if … elif … else … fi` and `{ …; }` groups (bash's grammar subset).
 */
export function parse(s: string): CommandList {
  const tokens = tokenize(s)
  let i = 0
  const peekOp = () => (tokens[i]?.type === 'op' ? (tokens[i] as { op: string }).op : undefined)
  const skipSeparators = () => {
    while (peekOp() === ';') i++
  }
  const expectWord = (w: string) => {
    skipSeparators()
    if (bare(tokens[i]) !== w) throw new ShellSyntaxError(tokenText(tokens[i]))
    i++
  }

  const parseList = (stops: string[]): CommandList => {
    const list: CommandList = []
    let op: ';' | '&&' | '||' = ';'
    for (;;) {
      if (op === ';') skipSeparators()
      const t = tokens[i]
      if (!t) {
        if (op !== ';' || stops.length) throw new ShellSyntaxError(stops.length ? 'newline' : tokenText(t))
        return list
      }
      const w = bare(t)
      if (w !== undefined && stops.includes(w) && op === ';') return list
      // The length test first: hashing a huge word for the Set lookup would cost its whole length.
      if (w !== undefined && w.length <= 4 && reserved.has(w)) throw new ShellSyntaxError(w)
      list.push({ op, pipeline: parsePipeline() })
      const o = peekOp()
      if (o === '&&' || o === '||') {
        op = o
        i++
        while (peekOp() === ';' && s.includes('\n')) i++
      } else if (o === ';') {
        op = ';'
        i++
      } else if (o !== undefined) throw new ShellSyntaxError(o)
      else op = ';'
    }
  }

  const parsePipeline = (): Pipeline => {
    const pipeline: Pipeline = { commands: [], negated: false }
    while (bare(tokens[i]) === '!') {
      pipeline.negated = !pipeline.negated
      i++
    }
    for (;;) {
      pipeline.commands.push(parseCommand())
      if (peekOp() !== '|') return pipeline
      i++
    }
  }

  const parseCommand = (): SimpleCommand => {
    const w = bare(tokens[i])
    if (w === 'while' || w === 'until') {
      i++
      const cond = parseList(['do'])
      expectWord('do')
      const body = parseList(['done'])
      expectWord('done')
      return withRedirects({ assigns: [], words: [], redirects: [], compound: { kind: w, cond, body } })
    }
    if (w === 'for') {
      i++
      const nameTok = bare(tokens[i])
      if (!nameTok || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(nameTok)) throw new ShellSyntaxError(tokenText(tokens[i]))
      i++
      const words: Word[] = []
      let hasIn = false
      if (bare(tokens[i]) === 'in') {
        hasIn = true
        i++
        while (tokens[i]?.type === 'word' && bare(tokens[i]) !== 'do') words.push((tokens[i++] as { word: Word }).word)
      }
      expectWord('do')
      const body = parseList(['done'])
      expectWord('done')
      return withRedirects({ assigns: [], words: [], redirects: [], compound: { kind: 'for', name: nameTok, words: hasIn ? words : [], body } })
    }
    if (w === 'if') {
      i++
      const branches: { cond: CommandList; body: CommandList }[] = []
      let otherwise: CommandList | undefined
      for (;;) {
        const cond = parseList(['then'])
        expectWord('then')
        const body = parseList(['elif', 'else', 'fi'])
        branches.push({ cond, body })
        skipSeparators()
        const next = bare(tokens[i++])
        if (next === 'elif') continue
        if (next === 'else') {
          otherwise = parseList(['fi'])
          expectWord('fi')
        }
        break
      }
      return withRedirects({ assigns: [], words: [], redirects: [], compound: { kind: 'if', branches, otherwise } })
    }
    if (w === '{') {
      i++
      const body = parseList(['}'])
      expectWord('}')
      return withRedirects({ assigns: [], words: [], redirects: [], compound: { kind: 'group', body } })
    }
    return withRedirects({ assigns: [], words: [], redirects: [] }, true)
  }

  /** Reads words, assignments and redirections of a simple command (or redirections after a compound one). */
  const withRedirects = (cmd: SimpleCommand, simple = false): SimpleCommand => {
    for (;;) {
      const t = tokens[i]
      if (!t) break
      if (t.type === 'word') {
        if (!simple) break
        const word = t.word
        const first = word[0]
        // `NAME=` found with indexOf first: a regex over a long word without `=` would scan all of it.
        const eq = !cmd.words.length && first?.kind === 'lit' && !first.quoted ? first.text.indexOf('=') : -1
        const name = eq > 0 ? (first as { text: string }).text.slice(0, eq) : ''
        if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
          cmd.assigns.push({ name, value: [{ kind: 'lit', quoted: false, text: (first as { text: string }).text.slice(eq + 1) }, ...word.slice(1)] })
        else cmd.words.push(word)
        i++
      } else if (t.type === 'redir') {
        const next = tokens[i + 1]
        if (next?.type === 'op' && next.op === '2>&1-after') {
          const target = tokens[i + 2]
          if (target?.type !== 'word') throw new ShellSyntaxError('newline')
          cmd.redirects.push({ fd: 1, op: '>', target: target.word }, { fd: 2, op: '>&', target: [{ kind: 'lit', text: '1', quoted: false }] })
          i += 3
          continue
        }
        if (next?.type !== 'word') throw new ShellSyntaxError(tokenText(next))
        cmd.redirects.push({ fd: t.fd, op: t.op, target: next.word })
        i += 2
      } else break
    }
    if (simple && !cmd.words.length && !cmd.assigns.length && !cmd.redirects.length) throw new ShellSyntaxError(tokenText(tokens[i]))
    return cmd
  }

  const list = parseList([])
  return list
}

function tokenText(t: Token | undefined): string {
  if (!t) return 'newline'
  if (t.type === 'op') return t.op === '2>&1-after' ? '&>' : t.op
  if (t.type === 'redir') return t.op
  return t.word.map((p) => (p.kind === 'lit' ? p.text : '$')).join('')
}
