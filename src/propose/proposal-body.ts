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
}

/**
 * The pull request's text: the proposer's reason, then what clawctl knows and checked. It is
 * built from manifest paths, edit specs and counts; `propose` refuses credential-looking text
 * before this is ever sent.
 */
export function proposalBody(f: ProposalFacts): string {
  const out = [f.body.trim() || '_No description given._', '', '---', '', '#### Proposed change', ''];
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
