/** What every way of reaching a host offers: run a program with arguments and stdin. */
export interface ExecResult {
  code: number;
  stdout: string;
  /** stdout as bytes, for output that carries file contents. */
  bytes: Buffer;
  stderr: string;
}

/** For long output read as it comes (`agents logs --follow`): chunks go to onStdout, not into the result. */
export interface StreamOptions {
  onStdout(chunk: Buffer): void;
  /** Ends the remote program; exec then resolves with code 0. */
  signal?: AbortSignal;
}

/** What a command reads on stdin: text, or a stream for large payloads (an OpenClaw bundle). */
export type ExecInput = string | NodeJS.ReadableStream;

/** Feed stdin to a remote or local program; a stream is piped, so it is never held in memory. */
export function feed(input: ExecInput | undefined, to: NodeJS.WritableStream): void {
  if (typeof input === 'object') input.pipe(to);
  else to.end(input ?? '');
}

export interface HostConnection {
  /** Human description for errors, e.g. `deploy@10.0.0.5:22` or `local:/srv/fleet`. */
  readonly describe: string;
  /**
   * Run argv on the host with $HOME set to the managed home. argv[0] is a program, never a
   * shell line: SSH quotes every argument, the local connection passes argv as is.
   */
  exec(argv: readonly string[], stdin?: ExecInput, stream?: StreamOptions, deadline?: Deadline): Promise<ExecResult>;
  close(): void;
}

/**
 * How long a command may run before clawctl gives up on it: a host is hostile ground, where
 * a command can hang (a forced `command=`, a stalled disk, a dead link). Every exec has
 * one: the connection's default (the Fleet's `commandTimeoutSeconds`) unless the caller
 * names another; only a stream the caller ends itself (`--follow`) may run without.
 */
export type Deadline = { seconds: number } | 'none';

/** The deadline in seconds, if any: the caller's, else the connection's; none for a stream the caller ends itself. */
export function limit(deadline: Deadline | undefined, fallback: number, streaming: StreamOptions | undefined): number | undefined {
  if (deadline === 'none' || (deadline === undefined && streaming?.signal)) return undefined;
  return deadline?.seconds ?? fallback;
}

/**
 * The program a command runs, for messages: a host script's name (`sh -c SCRIPT NAME …`) or
 * argv[0], past the wrappers apply puts around a script (`timeout -k K N`, the agent lock).
 */
export function programName(argv: readonly string[]): string {
  let i = 0;
  for (;;) {
    if (argv[i] === 'timeout' && argv[i + 1] === '-k') i += 4;
    else if (argv[i] === 'sh' && argv[i + 1] === '-c' && argv[i + 3] === 'clawctl-agent-lock') i += 6;
    else break;
  }
  return argv[i] === 'sh' && argv[i + 1] === '-c' && argv[i + 3] ? argv[i + 3] : (argv[i] ?? 'command');
}

/** A host could not be reached or refused us; names the host so a fleet run can go on without it. */
export class HostUnreachableError extends Error {
  constructor(
    readonly host: string,
    message: string,
    readonly hint?: string,
  ) {
    super(`host ${host}: ${message}`);
    this.name = 'HostUnreachableError';
  }
}

/** A command that outlived its deadline; it was killed on the host where the transport allows. */
export class CommandTimeoutError extends HostUnreachableError {
  constructor(
    host: string,
    readonly seconds: number,
    program: string,
  ) {
    super(host, `${program} did not finish within ${seconds} s; it was stopped`, "the host may be hung, overloaded or out of disk; if it is only slow, raise the Fleet's spec.commandTimeoutSeconds");
    this.name = 'CommandTimeoutError';
  }
}
