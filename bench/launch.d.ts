/** The Node.js flags on `cli`'s `#!/usr/bin/env -S node …` line (none when it has no such line). */
export function nodeFlags(cli: string): string[]
/** The argument list for spawn(process.execPath, …) that runs `cli` with `args`. */
export function serverArgs(cli: string, args: string[]): string[]
