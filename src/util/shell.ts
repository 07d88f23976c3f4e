/**
 * Quote one argument for a POSIX shell. SSH sends a command line, not an argv, so every
 * argument that reaches a remote shell goes through here: single quotes, with embedded
 * single quotes closed, escaped and reopened.
 */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_/.,:=@%+-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
