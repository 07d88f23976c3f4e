import type { CompiledPolicies } from './compile.js';
import { globMatch } from './openclaw-config.js';
import { toViolation, type Violation } from './violation.js';

/** A GitHub account as the REST API shows it: `type` is User, Bot (a GitHub App) or Organization. */
export interface GitHubAccount {
  login: string;
  type: string;
}

/** What GitHub says of one pull request, as the review rule needs it. */
export interface PullRequestReviews {
  number: number;
  author: GitHubAccount;
  /** The commit its branch ends at: an approval counts only for what it saw. */
  headSha: string;
  /** Every submitted review, oldest first. */
  reviews: { user: GitHubAccount; state: string; commitId: string }[];
}

/** An agent's account: a GitHub App's, or a login the rule names (logins are case-insensitive). */
export function isAgent(account: GitHubAccount, patterns: readonly string[]): boolean {
  return account.type === 'Bot' || patterns.some((p) => globMatch(p.toLowerCase(), account.login.toLowerCase()));
}

/**
 * The people whose approval stands, as GitHub counts reviews: each reviewer's latest deciding
 * review (approved, changes requested, dismissed), here only if it approves the head commit
 * and its reviewer is a person who is neither an agent nor the author.
 */
export function humanApprovers(pr: PullRequestReviews, patterns: readonly string[]): string[] {
  const latest = new Map<string, PullRequestReviews['reviews'][number]>();
  for (const r of pr.reviews) if (['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED'].includes(r.state)) latest.set(r.user.login.toLowerCase(), r);
  return [...latest.values()]
    .filter((r) => r.state === 'APPROVED' && r.commitId === pr.headSha)
    .filter((r) => r.user.type === 'User' && !isAgent(r.user, patterns) && r.user.login.toLowerCase() !== pr.author.login.toLowerCase())
    .map((r) => r.user.login);
}

/**
 * Pure: each `humanReview` rule against the pull requests a run is about (the one a plan
 * comments on, or those an apply's push merged). A rule holds for every pull request of the
 * repository: it is about who proposed a change, not about which agents it touches.
 */
export function humanReviewViolations(compiled: CompiledPolicies, pulls: readonly PullRequestReviews[]): Violation[] {
  return compiled.policies.flatMap((p) =>
    p.rules.flatMap((rule) => {
      if (!('humanReview' in rule.rule)) return [];
      const patterns = rule.rule.humanReview.agents ?? [];
      return pulls
        .filter((pr) => isAgent(pr.author, patterns) && humanApprovers(pr, patterns).length === 0)
        .map((pr) =>
          toViolation(
            p.name,
            rule.rule,
            { kind: 'PullRequest', name: `#${pr.number}` },
            {
              pos: rule.pos,
              value: pr.author.login,
              detail: `opened by the agent ${pr.author.login}; it needs an approving review from a person (not an agent, not its author) on its latest commit ${pr.headSha.slice(0, 7)}`,
            },
          ),
        );
    }),
  );
}

/** Whether any rule asks for this: only then is GitHub asked about reviews. */
export function hasHumanReviewRules(compiled: CompiledPolicies): boolean {
  return compiled.policies.some((p) => p.rules.some((r) => 'humanReview' in r.rule));
}
