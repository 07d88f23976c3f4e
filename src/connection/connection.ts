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

export interface HostConnection {
  /** Human description for errors, e.g. `deploy@10.0.0.5:22` or `local:/srv/fleet`. */
  readonly describe: string;
  /**
   * Run argv on the host with $HOME set to the managed home. argv[0] is a program, never a
   * shell line: SSH quotes every argument, the local connection passes argv as is.
   */
  exec(argv: readonly string[], stdin?: string, stream?: StreamOptions): Promise<ExecResult>;
  close(): void;
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
