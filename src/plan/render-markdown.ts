import { formatDiagnostic, type Diagnostic } from '../util/errors.js';
import { formatOptOut, formatViolation } from '../policy/violation.js';
import { hasChanges, summaryText, type Plan } from './plan.js';
import { renderPlanText } from './render-text.js';

/** Where the comment came from, printed under it: reviewers see which run and commit it is. */
export interface CommentFooter {
  commit?: string;
  runUrl?: string;
  clawctlVersion: string;
}

/** Longest plan text shown in full; GitHub refuses comments over 65,536 characters. */
const MAX_PLAN_TEXT = 60_000;

/**
 * The pull-request view of a plan, built from its JSON form like the text view: a verdict
 * line, policy findings first, then the text plan in a fenced block (it already holds only
 * hashes for secret values).
 */
export function renderPlanMarkdown(plan: Plan, footer: CommentFooter): string {
  const { violations, optOuts, approved } = plan.policy;
  const s = plan.summary;
  const out: string[] = [];
  const verdict =
    violations.length > 0
      ? `❌ refused by policy: ${violations.length} violation(s); nothing will be applied`
      : plan.unreachable.length > 0
        ? `⚠️ ${plan.unreachable.length} host(s) unreachable: planned without them`
        : !hasChanges(plan)
          ? '✅ no changes'
          : summaryText(s);
  out.push(`### clawctl plan for fleet \`${plan.fleet.name}\`: ${verdict}`, '');
  if (violations.length > 0) out.push(...violations.map((v) => `- ${escapeMarkdown(formatViolation(v))}`), '');
  for (const o of optOuts) out.push(`> ${escapeMarkdown(formatOptOut(o))}`);
  for (const a of approved) out.push(`> approved ${escapeMarkdown(`${a.policy}/${a.rule} for ${a.object.kind.toLowerCase()} ${a.object.name}: ${a.detail}`)}`);
  if (optOuts.length + approved.length > 0) out.push('');
  let text = renderPlanText(plan);
  if (text.length > MAX_PLAN_TEXT) text = `${text.slice(0, MAX_PLAN_TEXT)}\n… cut here: the whole plan is in the run's log`;
  const changed = plan.changes.map((c) => c.agent);
  out.push(
    `<details${changed.length <= 10 ? ' open' : ''}><summary>Plan (${changed.length === 1 ? '1 agent' : `${changed.length} agents`}: ${escapeMarkdown(changed.join(', ') || 'none')})</summary>`,
    '',
    fenced(text),
    '',
    '</details>',
    '',
  );
  out.push(footerLine(footer));
  return out.join('\n');
}

/** The comment when plan could not be made: the same diagnostics the CLI prints. */
export function renderErrorMarkdown(fleetDir: string, error: { message: string; diagnostics: Diagnostic[] }, footer: CommentFooter): string {
  const lines = [...error.diagnostics.map(formatDiagnostic), `Error: ${error.message}`].join('\n');
  return [`### clawctl plan for \`${fleetDir}\`: ❌ failed`, '', fenced(lines), '', footerLine(footer)].join('\n');
}

function footerLine(f: CommentFooter): string {
  const parts = [f.commit ? `commit ${f.commit.slice(0, 12)}` : undefined, f.runUrl ? `[run](${f.runUrl})` : undefined, `clawctl ${f.clawctlVersion}`];
  return `<sub>${parts.filter(Boolean).join(' · ')} · on merge, the apply workflow plans again and applies</sub>`;
}

/** A code fence longer than any backtick run inside, so no value can close it early. */
export function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|#~]/g, (c) => `\\${c}`);
}
