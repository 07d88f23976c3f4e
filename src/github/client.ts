import type { Octokit } from '@octokit/rest';
import { ClawctlError } from '../util/errors.js';

/** A repository on GitHub (or GitHub Enterprise): what every REST call is about. */
export interface RepoRef {
  owner: string;
  repo: string;
}

export interface GitHub {
  octokit: Octokit;
  repo: RepoRef;
}

/**
 * The REST client, configured like GitHub's own tools: GITHUB_TOKEN (or GH_TOKEN) and
 * GITHUB_API_URL, which Actions sets for github.com and Enterprise alike. Loaded lazily:
 * commands that never talk to GitHub should not pay for octokit at start-up.
 */
export async function connectGitHub(repo: RepoRef): Promise<GitHub> {
  const token = process.env.GITHUB_TOKEN || process.env.GH_TOKEN;
  if (!token) {
    throw new ClawctlError('no GitHub token: set GITHUB_TOKEN (or GH_TOKEN)', [
      {
        message: 'GITHUB_TOKEN and GH_TOKEN are unset',
        hint: 'in Actions: `env: {GITHUB_TOKEN: ${{ github.token }}}` with the `pull-requests: write` permission; locally: a fine-grained token with pull requests and contents write on the fleet repo',
      },
    ]);
  }
  const { Octokit } = await import('@octokit/rest');
  const octokit = new Octokit({ auth: token, baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com', userAgent: 'clawctl', log: quietLog });
  return { octokit, repo };
}

// Octokit logs deprecations and request failures itself; clawctl reports failures once, its own way.
const quietLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** `owner/name` from --repo, GITHUB_REPOSITORY (Actions), or a github remote URL. */
export function parseRepoRef(spec: string): RepoRef | undefined {
  const m = /^(?:(?:https?|ssh|git):\/\/(?:[^@/]+@)?[^/]+\/|[^@/:]+@[^:/]+:)?([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(spec.trim());
  return m ? { owner: m[1]!, repo: m[2]! } : undefined;
}

/** A failed REST call, as the user should read it: what was asked, what GitHub said, what to do. */
export function githubError(what: string, err: unknown): ClawctlError {
  const e = err as { status?: number; message?: string; response?: { data?: { message?: string; errors?: { message?: string }[] } } };
  const data = e.response?.data;
  const detail = [data?.message ?? e.message, ...(data?.errors ?? []).map((x) => x.message).filter(Boolean)].join('; ');
  const hint =
    e.status === 401
      ? 'the token was refused: check GITHUB_TOKEN'
      : e.status === 403 || e.status === 404
        ? 'the token cannot see or write this repository: it needs pull requests (and, to push, contents) write access'
        : undefined;
  return new ClawctlError(`GitHub: ${what}: ${e.status ? `HTTP ${e.status}: ` : ''}${detail}`, hint ? [{ message: `GitHub refused: ${what}`, hint }] : []);
}
