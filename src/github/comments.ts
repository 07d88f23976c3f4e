import { githubError, type GitHub } from './client.js';

/**
 * Create or update the one comment on a pull request that starts with `marker` (a hidden
 * HTML comment): each push re-plans into the same comment, as Atlantis and tfcmt do,
 * instead of burying the conversation.
 */
export async function upsertComment(gh: GitHub, issue: number, marker: string, body: string): Promise<{ id: number; url: string; created: boolean }> {
  const { octokit, repo } = gh;
  const text = `${marker}\n${body}`;
  try {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: issue, per_page: 100 });
    const mine = comments.find((c) => c.body?.startsWith(marker));
    const res = mine ? await octokit.rest.issues.updateComment({ ...repo, comment_id: mine.id, body: text }) : await octokit.rest.issues.createComment({ ...repo, issue_number: issue, body: text });
    return { id: res.data.id, url: res.data.html_url, created: !mine };
  } catch (err) {
    throw githubError(`comment on pull request #${issue} of ${repo.owner}/${repo.repo}`, err);
  }
}
