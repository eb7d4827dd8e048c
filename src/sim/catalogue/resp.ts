/** @module resp: a minimal RESP (redis protocol) answerer — PING, ECHO, SET/GET on a per-instance keyspace, errors in redis' words. */
import type { ContainerInstance } from '../containers/runtime.js'

const keyspaces = new WeakMap<ContainerInstance, Map<string, string>>()

/** Splits one read into commands: RESP arrays (`*1\r\n$4\r\nPING\r\n`) or inline lines (`PING\r\n`). */
export function parseResp(bytes: string): string[][] {
  const out: string[][] = []
  const lines = bytes.split('\r\n')
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]
    if (l.startsWith('*')) {
      const n = Number(l.slice(1))
      const args: string[] = []
      for (let k = 0; k < n && i + 2 < lines.length + 1; k++) {
        i += 2
        args.push(lines[i] ?? '')
      }
      out.push(args)
    } else if (l.trim()) out.push(l.trim().split(/\s+/))
  }
  return out
}

const bulk = (s: string | undefined) => (s === undefined ? '$-1\r\n' : `$${Buffer.byteLength(s)}\r\n${s}\r\n`)

/** Redis' answer to one command; `password`: requirepass, when set (`conn` remembers a successful AUTH). */
export function respAnswer(args: string[], inst: ContainerInstance, password?: string, conn: Record<string, unknown> = {}): string {
  const cmd = (args[0] ?? '').toUpperCase()
  let keys = keyspaces.get(inst)
  if (!keys) keyspaces.set(inst, (keys = new Map()))
  if (password !== undefined && !conn.authenticated && cmd !== 'AUTH' && cmd !== 'HELLO') return '-NOAUTH Authentication required.\r\n'
  const arity = (n: number) => (args.length < n ? `-ERR wrong number of arguments for '${args[0].toLowerCase()}' command\r\n` : undefined)
  switch (cmd) {
    case 'PING':
      return args[1] === undefined ? '+PONG\r\n' : bulk(args[1])
    case 'ECHO':
      return arity(2) ?? bulk(args[1])
    case 'SET':
      if (arity(3)) return arity(3)!
      keys.set(args[1], args[2])
      return '+OK\r\n'
    case 'GET':
      return args.length !== 2 ? `-ERR wrong number of arguments for 'get' command\r\n` : bulk(keys.get(args[1]))
    case 'DEL':
      return arity(2) ?? `:${args.slice(1).filter((k) => keys.delete(k)).length}\r\n`
    case 'AUTH':
      if (password === undefined)
        return '-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n'
      if (args.at(-1) !== password) return '-WRONGPASS invalid username-password pair or user is disabled.\r\n'
      conn.authenticated = true
      return '+OK\r\n'
    case 'QUIT':
      return '+OK\r\n'
    default:
      return `-ERR unknown command '${args[0]}', with args beginning with: ${args
        .slice(1)
        .map((a) => `'${a}' `)
        .join('')}\r\n`
  }
}

/** The wire answer of a redis listener to one read. */
export function redisWire(requirePass: (inst: ContainerInstance) => string | undefined) {
  return (bytes: string, { inst }: { inst: ContainerInstance }, conn: Record<string, unknown>): string | undefined => {
    const cmds = parseResp(bytes)
    return cmds.length ? cmds.map((c) => respAnswer(c, inst, requirePass(inst), conn)).join('') : undefined
  }
}
