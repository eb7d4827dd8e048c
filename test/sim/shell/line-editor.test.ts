/** @module line-editor.test: the tty line editor — echo, editing keys, arrows swallowed, typeahead while a line runs, ^C, and big pastes in bounded writes. */
import { describe, expect, test } from 'vitest'
import { LineEditor } from '../../../src/sim/shell/line-editor.js'
import { chunkUnits } from '../../../src/sim/shell/scheduler.js'

function editor() {
  const writes: string[] = []
  const lines: string[] = []
  const pending: (() => void)[] = []
  let interrupts = 0
  let eof = false
  const ed = new LineEditor({
    write: (s) => writes.push(s),
    run: (line) => {
      lines.push(line)
      return new Promise<void>((r) => pending.push(r))
    },
    interrupt: () => interrupts++,
    prompt: () => '$ ',
    eof: () => (eof = true),
    closed: () => eof,
  })
  const settle = () => new Promise((r) => setImmediate(r))
  return { ed, writes, lines, pending, settle, interrupts: () => interrupts, eof: () => eof, echo: () => writes.join('') }
}

describe('LineEditor', () => {
  test('echo, backspace, ^U, ^C at the prompt, arrows swallowed', async () => {
    const e = editor()
    e.ed.input('ab\x7fc\x1b[Ad\r')
    await e.settle()
    expect(e.lines).toEqual(['acd'])
    expect(e.echo()).toBe('ab\b \bcd\r\n')
    e.pending.shift()!()
    await e.settle()
    e.ed.input('junk\x15ok\x03x\r')
    await e.settle()
    expect(e.lines).toEqual(['acd', 'x'])
    expect(e.echo()).toBe(`ab\b \bcd\r\njunk${'\b \b'.repeat(4)}ok^C\r\n$ x\r\n`)
  })

  test('keys typed while a line runs are read after it; ^C interrupts it and drops them', async () => {
    const e = editor()
    e.ed.input('one\rtwo\r')
    await e.settle()
    expect(e.lines).toEqual(['one'])
    e.pending.shift()!()
    await e.settle()
    expect(e.lines).toEqual(['one', 'two'])
    e.ed.input('three\r\x03four\r')
    await e.settle()
    expect(e.interrupts()).toBe(1)
    e.pending.shift()!()
    await e.settle()
    expect(e.lines).toEqual(['one', 'two', 'four'])
  })

  test('^D on an empty line ends; on a non-empty one it is ignored', async () => {
    const e = editor()
    e.ed.input('a\x04')
    await e.settle()
    expect(e.eof()).toBe(false)
    e.ed.input('\x15\x04')
    await e.settle()
    expect(e.eof()).toBe(true)
  })

  test('a 5 MB paste: one echo write per chunk, the line joined once', async () => {
    const e = editor()
    const big = 'x'.repeat(5_000_000)
    e.ed.input(`${big}\r`)
    for (let i = 0; i < 200 && !e.lines.length; i++) await e.settle()
    expect(e.lines).toEqual([big])
    expect(e.writes.length).toBe(Math.ceil((big.length + 1) / chunkUnits))
    expect(Math.max(...e.writes.map((w) => w.length))).toBeLessThanOrEqual(chunkUnits + 1)
  })
})
