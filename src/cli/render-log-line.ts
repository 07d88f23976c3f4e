import type { LogLine } from '../diagnose/log-lines.js';

/** `[time] LEVEL text`, as the PLAN asks of log views; journal lines without time or level stay as they are. */
export function renderLogLine(l: LogLine): string {
  return [l.time && `[${l.time}]`, l.level?.toUpperCase(), l.text].filter(Boolean).join(' ');
}
