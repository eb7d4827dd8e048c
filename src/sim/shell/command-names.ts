/** @module command-names: the names of the simulated commands — light enough for the kubelet to check a PID 1 binary without loading the shell. */

/** Every command commands.ts implements (its table is typed by this list, so the two cannot drift apart). */
export const commandNames = [
  'ls',
  'cat',
  'echo',
  'cd',
  'env',
  'printenv',
  'ps',
  'kill',
  'sleep',
  'head',
  'tail',
  'grep',
  'wc',
  'uname',
  'tar',
  'test',
  '[',
  'curl',
  'wget',
  'sh',
  'bash',
  'dash',
  'pwd',
  'hostname',
  'date',
  'id',
  'whoami',
  'true',
  'break',
  'continue',
  'false',
  ':',
  'exit',
  'export',
  'unset',
  'touch',
  'mkdir',
  'rm',
  'rmdir',
  'which',
  'clear',
  'xargs',
] as const

/** One simulated command's name. */
export type CommandName = (typeof commandNames)[number]

const names: ReadonlySet<string> = new Set(commandNames)

/** True when `name` (a base name, no directory) is a simulated command. */
export function isSimulatedCommand(name: string): boolean {
  return names.has(name)
}
