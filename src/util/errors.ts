/** A place in a source file, 1-based, as editors and compilers print it. */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

/** One problem with the user's input, printed as `file:line:col: message`. */
export interface Diagnostic {
  pos?: SourcePos;
  message: string;
  hint?: string;
}

export function formatPos(pos: SourcePos): string {
  return `${pos.file}:${pos.line}:${pos.col}`;
}

export function formatDiagnostic(d: Diagnostic): string {
  const head = d.pos ? `${formatPos(d.pos)}: ${d.message}` : d.message;
  return d.hint ? `${head}\n  hint: ${d.hint}` : head;
}

/** Exit codes of the CLI contract (README, Commands); scripts and CI depend on them. */
export const ExitCode = {
  ok: 0,
  error: 1,
  changes: 2,
  policy: 3,
  partial: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the user can act on: carries every diagnostic found, not just the first. */
export class ClawctlError extends Error {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[] = [],
    readonly exitCode: ExitCode = ExitCode.error,
  ) {
    super(message);
    this.name = 'ClawctlError';
  }

  static of(diagnostics: Diagnostic[], summary: string): ClawctlError {
    return new ClawctlError(summary, diagnostics);
  }
}
