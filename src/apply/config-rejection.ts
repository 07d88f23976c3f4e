import { isObject } from '../util/json.js';

/** One issue as the host's `openclaw config validate --json` names it. */
export interface HostConfigIssue {
  /** Dotted path into openclaw.json (`<root>` for the whole file; empty when OpenClaw gave no verdict). */
  path: string;
  message: string;
}

/**
 * The host's verdict on a candidate openclaw.json, from `openclaw config validate --json`
 * ({valid, issues: [{path, message}]}, pretty-printed on stdout). Anything else (an OpenClaw
 * that crashed, an older one without --json) is kept whole as one issue, never cut.
 */
export function parseHostVerdict(stdout: string, stderr = ''): { valid: boolean; issues: HostConfigIssue[] } {
  const start = stdout.indexOf('{');
  try {
    const v: unknown = JSON.parse(stdout.slice(start));
    if (start >= 0 && isObject(v) && (Array.isArray(v.issues) || typeof v.valid === 'boolean')) {
      const issues = (Array.isArray(v.issues) ? v.issues : []).map(
        (x): HostConfigIssue => ({
          path: isObject(x) && typeof x.path === 'string' ? x.path : '<root>',
          message: isObject(x) && typeof x.message === 'string' ? x.message : JSON.stringify(x),
        }),
      );
      const error = isObject(v.error) && typeof v.error.message === 'string' ? v.error.message : undefined;
      const valid = v.valid === true;
      if (!valid && issues.length === 0) issues.push({ path: '<root>', message: error ?? 'openclaw config validate gave no reason' });
      return { valid, issues };
    }
  } catch {
    // not JSON: the text itself is the reason
  }
  const text = [stdout.trim(), stderr.trim()].filter(Boolean).join('\n');
  return { valid: false, issues: [{ path: '', message: text || 'openclaw config validate printed nothing' }] };
}

/** Every issue, one per line, as a person reads them under the agent's line. */
export function formatIssues(issues: readonly HostConfigIssue[], indent: string): string {
  return issues.map((i) => `${indent}- ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n');
}
