import { parseHostVerdict } from '../apply/config-rejection.js';

/** What host-scripts/diagnose.sh reports, parsed; plain data, so analysis is a pure function. */
export interface FileFact {
  mode: string;
  owner: string;
  size: number;
}

export interface DiagnoseFacts {
  user: string;
  /** null when the state directory does not exist. */
  stateDir: { mode: string; owner: string } | null;
  config: FileFact | null;
  env: FileFact | null;
  /** Path of the openclaw on the host's PATH; null when there is none. */
  openclaw: string | null;
  node?: string;
  /** `openclaw config validate --json` on the host's live config. */
  validate?: { valid: boolean; issues: string[] };
  listening: boolean;
  /** The live process holding OpenClaw's gateway lock (gateway-lock.sh); absent when none does. */
  lockHolder?: { pid: number };
  /** systemctl show properties, for systemd services. */
  unit?: Record<string, string>;
  journal: string[];
  /** /healthz, /readyz, /startupz: status (0 = no answer) and body. */
  http: Record<string, { status: number; body: string }>;
  log?: { path: string; lines: string[] };
}

export class DiagnoseFactsError extends Error {}

/** Pure: the script's stdout into facts. */
export function parseDiagnoseFacts(stdout: string): DiagnoseFacts {
  const lines = stdout.split('\n');
  if (lines[0] !== 'CLAWCTL-DIAGNOSE 1') throw new DiagnoseFactsError(`unexpected diagnose output: ${JSON.stringify(lines[0]?.slice(0, 80))}`);
  if (!lines.includes('end')) throw new DiagnoseFactsError('diagnose output ended early; was the connection cut?');
  const f: DiagnoseFacts = { user: '', stateDir: null, config: null, env: null, openclaw: null, listening: false, journal: [], http: {} };
  const block = (i: number, endMark: string): [string[], number] => {
    const out: string[] = [];
    while (++i < lines.length && lines[i] !== endMark) out.push(lines[i]!);
    return [out, i];
  };
  let validateOut: string[] | undefined;
  let validateErr: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const [word, ...rest] = line.split(' ');
    const arg = rest.join(' ');
    switch (word) {
      case 'user':
        f.user = rest[0] ?? '';
        break;
      case 'state':
        f.stateDir = arg === 'missing' ? null : { mode: rest[0]!, owner: rest[1]! };
        break;
      case 'file': {
        const fact = rest[1] === 'missing' ? null : { mode: rest[1]!, owner: rest[2]!, size: Number(rest[3]) };
        if (rest[0] === 'openclaw.json') f.config = fact;
        else f.env = fact;
        break;
      }
      case 'openclaw':
        f.openclaw = arg === 'none' ? null : arg;
        break;
      case 'node':
        f.node = arg;
        break;
      case 'listen':
        f.listening = arg === 'yes';
        break;
      case 'lock':
        if (/^\d+$/.test(arg)) f.lockHolder = { pid: Number(arg) };
        break;
      case 'unit':
        f.unit = Object.fromEntries(rest.filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
        break;
      case 'validate-begin':
        [validateOut, i] = block(i, 'validate-end');
        break;
      case 'validate-stderr-begin':
        [validateErr, i] = block(i, 'validate-stderr-end');
        break;
      case 'journal-begin':
        [f.journal, i] = block(i, 'journal-end');
        break;
      case 'http-begin': {
        const [out, end] = block(i, 'http-end');
        const status = out.length > 0 ? Number(/^status (\d+)$/.exec(out.at(-1)!)?.[1] ?? 0) : 0;
        f.http[rest[0]!] = { status, body: out.slice(0, -1).join('\n').trim() };
        i = end;
        break;
      }
      case 'log-begin': {
        const [out, end] = block(i, 'log-end');
        f.log = { path: arg, lines: out };
        i = end;
        break;
      }
    }
  }
  if (validateOut) {
    // OpenClaw's `config validate --json`: {valid, issues[]}; anything else is one issue, whole.
    const verdict = parseHostVerdict(validateOut.join('\n'), validateErr.join('\n'));
    f.validate = { valid: verdict.valid, issues: verdict.issues.map((x) => (x.path ? `${x.path}: ${x.message}` : x.message)) };
  }
  return f;
}
