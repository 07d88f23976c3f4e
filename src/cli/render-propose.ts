import type { ProposeResult } from '../propose/propose-run.js';

const STATUS = { added: '+', modified: '~', deleted: '-' } as const;

export function renderProposal(r: ProposeResult): string {
  const out = [`${r.dryRun ? 'Would propose' : 'Proposed'} ${r.branch} → ${r.base} (${r.commit.slice(0, 12)}):`];
  for (const f of r.files) out.push(`  ${STATUS[f.status]} ${f.path}`);
  for (const e of r.edits) out.push(`  edit: ${e}`);
  if (r.dryRun) out.push('', 'Pull request text:', '', r.body, '', 'Dry run: nothing was pushed and no pull request was opened.');
  else if (r.pullRequest)
    out.push('', `${r.pullRequest.created ? 'Opened' : 'Updated'} pull request #${r.pullRequest.number}: ${r.pullRequest.url}${r.pushed ? '' : ' (the branch already held this change)'}`);
  return out.join('\n');
}
