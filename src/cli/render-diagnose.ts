import type { DiagnoseResult } from '../diagnose/analyze.js';

const MARK = { ok: '✓', warn: '!', fail: '✗', skipped: '-' } as const;

export function renderDiagnosis(r: DiagnoseResult): string {
  const out = [`Diagnosis of ${r.agent} on ${r.host}:`, ''];
  for (const s of r.steps) out.push(`  ${MARK[s.status]} ${s.step.padEnd(8)} ${s.detail}`);
  out.push('');
  if (!r.cause) return [...out, `${r.agent} is healthy.`].join('\n');
  out.push(`Cause: ${r.cause.summary}`, `Fix:   ${r.cause.fix}`);
  if (r.cause.evidence.length > 0) out.push('Evidence:', ...r.cause.evidence.map((e) => `  ${e}`));
  return out.join('\n');
}
