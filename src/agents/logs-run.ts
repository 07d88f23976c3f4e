import { StringDecoder } from 'node:string_decoder';
import { redactor } from '../diagnose/redact.js';
import { parseLogLine, type LogLine } from '../diagnose/log-lines.js';
import { logsArgv, parseLogsHeader, type LogSource } from '../openclaw/logs-script.js';
import { ClawctlError } from '../util/errors.js';
import { agentTarget, observeAgent } from './agent-target.js';

export interface LogsOptions {
  fleetDir: string;
  agent: string;
  source: LogSource;
  lines: number;
  /** With follow: every line as it arrives, until signal aborts. */
  follow?: { onLine(line: LogLine): void; signal: AbortSignal };
}

export interface AgentLogsResult {
  agent: string;
  host: string;
  source: { kind: 'file' | 'journal'; where: string };
  /** Empty when following: the lines went to onLine. */
  lines: LogLine[];
}

/**
 * One agent's gateway log, read on its host: OpenClaw's JSON file log or the service
 * journal. Every .env value the host holds and anything shaped like a credential is
 * redacted before a line leaves this function.
 */
export async function agentLogs(opts: LogsOptions): Promise<AgentLogsResult> {
  const t = await agentTarget(opts.fleetDir, opts.agent);
  try {
    const seen = await observeAgent(t);
    const redact = redactor([...Object.values(t.agent.env), ...Object.values(seen.agent.env?.entries ?? {})]);
    let header: AgentLogsResult['source'] | undefined;
    let partial = '';
    // A UTF-8 character can be split across chunks; the decoder holds its first bytes back.
    const decoder = new StringDecoder('utf8');
    const lines: LogLine[] = [];
    const take = (raw: string) => {
      if (!header) {
        header = parseLogsHeader(raw);
        return;
      }
      if (raw.trim() === '') return;
      const line = parseLogLine(redact(raw));
      if (opts.follow) opts.follow.onLine(line);
      else lines.push(line);
    };
    const conn = await t.pool.get(t.host);
    const argv = logsArgv({ service: t.host.service, ...(t.agent.profile ? { profile: t.agent.profile } : {}), source: opts.source, lines: opts.lines, follow: Boolean(opts.follow) });
    const res = await conn.exec(argv, undefined, {
      onStdout: (chunk) => {
        const text = partial + decoder.write(chunk);
        const parts = text.split('\n');
        partial = parts.pop() ?? '';
        parts.forEach(take);
      },
      ...(opts.follow ? { signal: opts.follow.signal } : {}),
    });
    partial += decoder.end();
    if (partial) take(partial);
    if (res.code !== 0 || !header) {
      const why = redact(res.stderr.trim()) || `the log reader exited ${res.code}`;
      throw new ClawctlError(`agent ${t.agent.name} on host ${t.host.name}: ${why}`, [
        { message: why, hint: 'OpenClaw writes its log once the gateway has started; `clawctl diagnose AGENT` says why it has not' },
      ]);
    }
    return { agent: t.agent.name, host: t.host.name, source: header, lines };
  } finally {
    await t.pool.closeAll();
  }
}
