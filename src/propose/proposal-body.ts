import type { DiagnoseResult } from '../diagnose/analyze.js';
import { fenced } from '../plan/render-markdown.js';
import type { ChangedFile } from './proposal-git.js';
import type { ManifestEdit } from './manifest-edits.js';

export interface ProposalFacts {
  /** The proposer's own words: why this change. */
  body: string;
  files: ChangedFile[];
  edits: ManifestEdit[];
  checked: { agents: number; hosts: number; policies: number };
  actor: string;
  clawctlVersion: string;
  incident?: IncidentEvidence;
}

/** What a proposal for an incident carries besides the change: why, and what was seen. */
export interface IncidentEvidence {
  id: string;
  event: string;
  subject: string;
  /** Who proposed it, in words: an OpenClaw agent through its exec tool, or `clawctl diagnose --propose`. */
  via: string;
  /** The subject agent's diagnosis: each step with what it saw, the cause, redacted log lines. */
  diagnosis?: DiagnoseResult;
  /** The plan of the change, as the plan workflow prints it (renderPlanMarkdown), or why there is none. */
  plan: string;
}

const MARK = { ok: '✓', warn: '!', fail: '✗', skipped: '-' } as const;

/**
 * The pull request's text: the proposer's reason, then what clawctl knows and checked. It is
 * built from manifest paths, edit specs, counts and, for an incident, a diagnosis whose host
 * text is already redacted and a plan that shows secrets only as keyed hashes; `propose`
 * refuses credential-looking text before this is ever sent.
 */
export function proposalBody(f: ProposalFacts): string {
  const out = [f.body.trim() || '_No description given._', ''];
  if (f.incident) out.push(...incidentSection(f.incident, f.actor));
  out.push('---', '', '#### Proposed change', '');
  for (const file of f.files) out.push(`- \`${file.path}\` (${file.status})`);
  if (f.edits.length > 0) out.push('', 'Edits:', ...f.edits.map((e) => `- \`${e.value === undefined ? '--unset' : '--set'} ${e.spec}\``));
  out.push(
    '',
    `Checked before pushing: the whole fleet validates (${f.checked.hosts} host(s), ${f.checked.agents} agent(s)) and no policy rule on desired state is broken (${f.checked.policies} polic(ies) and the baseline).`,
    '',
    'Nothing changes on any host until a person reviews and merges this; the plan workflow comments what apply would do.',
    '',
    `<sub>proposed by \`${f.actor}\` with clawctl ${f.clawctlVersion} (\`clawctl propose\`)</sub>`,
  );
  return out.join('\n');
}

function incidentSection(i: IncidentEvidence, actor: string): string[] {
  const out = [
    `#### Incident \`${i.id}\``,
    '',
    `\`${i.event}\` on \`${i.subject}\`. Proposed by \`${actor}\`, ${i.via}. Proposing again for this incident updates this pull request; when the incident resolves, clawctl watch comments here, and closes it if nothing was merged.`,
    '',
  ];
  const d = i.diagnosis;
  if (d) {
    out.push(`#### Diagnosis of \`${d.agent}\` on \`${d.host}\``, '', '| | step | what it saw |', '|---|---|---|');
    for (const s of d.steps) out.push(`| ${MARK[s.status]} | ${s.step} | ${cell(s.detail)} |`);
    out.push('');
    if (d.cause) {
      out.push(`**Cause:** ${d.cause.summary}`, '', `**Fix:** ${d.cause.fix}`, '');
      if (d.cause.evidence.length > 0) out.push('Evidence (log lines, redacted):', '', fenced(d.cause.evidence.join('\n')), '');
    } else out.push(`${d.agent} is healthy now.`, '');
  }
  out.push('#### Plan of this change', '', i.plan, '');
  return out;
}

/** A table cell: no line break or pipe can end it early. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
