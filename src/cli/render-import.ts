import type { ImportResult } from '../engine/import-run.js';
import { formatDiagnostic } from '../util/errors.js';
import { plural } from './plural.js';

/** import's human output: per state dir what was (or would be) written; secrets by name only. */
export function renderImport(r: ImportResult): string {
  const lines = [`host ${r.host}${r.openclawVersion ? ` (OpenClaw ${r.openclawVersion})` : ''}:`];
  if (r.agents.length === 0 && r.problems.length === 0) lines.push('  no OpenClaw state dir (~/.openclaw, ~/.openclaw-<profile>) found');
  for (const a of r.agents) {
    if (a.status === 'declared') {
      lines.push(`  = ~/${a.stateDir}: already declared as agent ${a.agent}; nothing written`);
      continue;
    }
    lines.push(`  + ~/${a.stateDir} → agent ${a.agent}${r.dryRun ? ' (dry run: nothing written)' : ''}`);
    for (const f of a.files) lines.push(`      ${r.dryRun ? 'would write' : 'wrote'} fleet/${f}`);
    for (const s of a.secrets) lines.push(`      ${r.dryRun ? 'would put' : 'put'} .env ${s.key} into ${s.location}${s.hash ? ` (sensitive, ${s.hash})` : ''}`);
    if (a.literals.length > 0) lines.push(`      kept as literals (not credentials by their look): ${a.literals.join(', ')}`);
    if (a.cronJobs > 0) lines.push(`      ${plural(a.cronJobs, 'cron job')} into spec.cron`);
    for (const s of a.skippedCronJobs) lines.push(`      cron job "${s.name}" not imported: ${s.reason}`);
    for (const w of a.warnings) lines.push(`      warning: ${w}`);
  }
  for (const p of r.problems) lines.push(`  ! ${formatDiagnostic(p).replace(/\n/g, '\n    ')}`);
  if (r.preview) for (const f of r.preview) lines.push('', `--- fleet/${f.path}`, f.text.trimEnd());
  const written = r.agents.filter((a) => a.status === 'imported').length;
  if (written > 0) lines.push('', "Next: `clawctl plan` shows what the first apply does: it adds OPENCLAW_CONFIG_READONLY=1 to each .env and marks each state dir as this fleet's.");
  return lines.join('\n');
}
