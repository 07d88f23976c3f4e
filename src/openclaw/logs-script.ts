import { hostScript } from './host-script.js';
import { serviceUnitName } from './paths.js';
import type { ServiceKind } from '../validate/manifests.js';

const LOGS_SCRIPT = hostScript('openclaw-log.sh', 'logs.sh');

export type LogSource = 'auto' | 'file' | 'journal';

export interface LogsRequest {
  service: ServiceKind;
  profile?: string;
  source: LogSource;
  lines: number;
  follow: boolean;
}

/** host-scripts/logs.sh: read-only; values are arguments, never spliced into the script. */
export function logsArgv(r: LogsRequest): string[] {
  return ['sh', '-c', LOGS_SCRIPT, 'clawctl-logs', r.source, r.service, serviceUnitName(r.profile), r.profile ?? '', String(r.lines), r.follow ? '1' : '0'];
}

/** The first line logs.sh prints names where the lines come from. */
export function parseLogsHeader(line: string): { kind: 'file' | 'journal'; where: string } | undefined {
  const m = /^clawctl-logs (file|journal) (.+)$/.exec(line);
  return m ? { kind: m[1] as 'file' | 'journal', where: m[2]! } : undefined;
}
