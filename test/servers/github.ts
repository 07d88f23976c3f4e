import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * A small, honest GitHub REST API (v3 JSON over HTTP) for the calls clawctl makes: pull
 * requests, labels and issue comments. It checks the token like GitHub (401 "Bad
 * credentials") and the User-Agent GitHub requires (403), refuses a second open pull request
 * for a head and a head branch that the backing bare repository does not have (422
 * "Validation Failed"), and refuses comments over 65,536 characters.
 *
 * Lists page as GitHub documents it: per_page (default 30, at most 100) and page, a Link
 * header with next/last (and prev/first past page 1) only when there is more than one page,
 * its URLs in GitHub's own form /repositories/{id}/… (which must be followed, not rebuilt);
 * issue comments in ascending id, pull requests newest first unless `direction` says otherwise.
 *
 * Issues share the pull requests' numbers, as on GitHub, and the issues list holds both (a pull
 * request carries `pull_request`), newest first, filtered by state and labels. Besides the
 * all-powerful token it was started with, it mints tokens holding only a workflow's
 * `permissions:` (as Actions mints GITHUB_TOKEN), and refuses what they do not cover with
 * GitHub's own 403 "Resource not accessible by integration".
 *
 * Accounts: the start token is the owner's (a User), minted tokens are github-actions[bot],
 * and userToken() makes one acting as any login and type (a person, or an agent's GitHub App,
 * type Bot): pull requests record who opened them. Reviews are submitted as a person does in
 * the web UI (review()), on the head commit the branch has then; a merged pull request keeps
 * its last head and its merge commit, and /commits/{sha}/pulls finds pull requests by them.
 */
export interface PullRequest {
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  /** When it was merged (merge() sets it), as GitHub's merged_at; null until then. */
  mergedAt: string | null;
  /** Who opened it. */
  user: Account;
  /** The base branch's commit when it was opened: commits past it on the head are its own. */
  baseSha: string;
  /** Frozen at merge: its last head commit, and the merge commit on the base. */
  headSha?: string;
  mergeSha?: string;
}

/** A GitHub account: type User, or Bot for a GitHub App. */
export interface Account {
  login: string;
  type: 'User' | 'Bot';
}

export interface Review {
  id: number;
  pull: number;
  user: Account;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';
  commitId: string;
}

export interface Issue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  stateReason: string | null;
  labels: string[];
  /** Who opened it: github-actions[bot] for a minted token. */
  user: string;
}

/** A workflow's `permissions:`: scope → read or write (write includes read; unnamed scopes are none). */
export type Permissions = Record<string, string>;

export interface Comment {
  id: number;
  issue: number;
  body: string;
}

export interface GitHubServer {
  url: string;
  token: string;
  /** The repository's numeric id, as GitHub puts it in Link URLs (/repositories/{id}/…). */
  repoId: number;
  pulls: PullRequest[];
  issues: Issue[];
  comments: Comment[];
  /** Every request as `METHOD path?query`, in order. */
  calls: string[];
  reviews: Review[];
  /** A person merges a pull request (its branch already merged into the base on the remote): closed, with merged_at. */
  merge(number: number): void;
  /** A review submitted in the web UI, on the pull request's head commit as it is now. */
  review(number: number, user: Account, state: Review['state']): Review;
  /** A token acting as this account, with full access to the repository (a person's or an App's). */
  userToken(user: Account): string;
  /** Someone else's comment on an issue or pull request, as if posted through the API. */
  comment(issue: number, body: string): Comment;
  /** A token holding only these permissions, as Actions gives a job whose workflow declares them. */
  mintToken(permissions: Permissions): string;
  close(): Promise<void>;
}

const REPO_ID = 861_530_471;

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: unknown[],
  ) {
    super(message);
  }
}

export async function startGitHub(opts: { owner: string; repo: string; token: string; bareRepo?: string }): Promise<GitHubServer> {
  const pulls: PullRequest[] = [];
  const issues: Issue[] = [];
  const comments: Comment[] = [];
  /** Minted tokens and what they may do; the token the server was started with may do anything. */
  const minted = new Map<string, Permissions>();
  const accounts = new Map<string, Account>([[opts.token, { login: opts.owner, type: 'User' }]]);
  const reviews: Review[] = [];
  const calls: string[] = [];
  let nextId = 1000;
  let nextNumber = 1;
  const prefix = `/repos/${opts.owner}/${opts.repo}`;
  let base = '';
  const htmlPull = (n: number) => `https://github.test/${opts.owner}/${opts.repo}/pull/${n}`;
  const revParse = (ref: string) => (opts.bareRepo ? execFileSync('git', ['-C', opts.bareRepo, 'rev-parse', '--verify', '--quiet', ref], { encoding: 'utf8' }).trim() : '0'.repeat(40));
  const headOf = (p: PullRequest) => p.headSha ?? revParse(`refs/heads/${p.head}`);
  const userJson = (a: Account) => ({ login: a.login, type: a.type, id: [...a.login].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 100_000_000, 7) });
  const pullJson = (p: PullRequest) => ({
    id: p.number + 5_000_000,
    number: p.number,
    state: p.state,
    title: p.title,
    body: p.body,
    html_url: htmlPull(p.number),
    url: `${base}${prefix}/pulls/${p.number}`,
    user: userJson(p.user),
    head: { ref: p.head, label: `${opts.owner}:${p.head}`, sha: headOf(p) },
    base: { ref: p.base, label: `${opts.owner}:${p.base}` },
    labels: p.labels.map((name) => ({ name })),
    merged_at: p.mergedAt,
    merge_commit_sha: p.mergeSha ?? null,
  });
  const reviewJson = (r: Review) => ({ id: r.id, user: userJson(r.user), state: r.state, commit_id: r.commitId, html_url: `${htmlPull(r.pull)}#pullrequestreview-${r.id}` });
  /** Whether `sha` is one of the pull request's own commits, or its merge. */
  const carries = (p: PullRequest, sha: string) => {
    if (sha === p.mergeSha || sha === headOf(p)) return true;
    if (!opts.bareRepo) return false;
    const isAncestor = (a: string, b: string) => {
      try {
        execFileSync('git', ['-C', opts.bareRepo!, 'merge-base', '--is-ancestor', a, b], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    };
    return isAncestor(sha, headOf(p)) && !isAncestor(sha, p.baseSha);
  };
  const htmlIssue = (n: number) => `https://github.test/${opts.owner}/${opts.repo}/issues/${n}`;
  const issueJson = (i: Issue) => ({
    id: i.number + 7_000_000,
    number: i.number,
    state: i.state,
    state_reason: i.stateReason,
    title: i.title,
    body: i.body,
    user: { login: i.user },
    labels: i.labels.map((name) => ({ name })),
    html_url: htmlIssue(i.number),
    url: `${base}${prefix}/issues/${i.number}`,
  });
  /** A pull request as the issues endpoints show it. */
  const pullAsIssue = (p: PullRequest) => ({
    ...issueJson({ ...p, stateReason: null, user: p.user.login }),
    html_url: htmlPull(p.number),
    pull_request: { url: `${base}${prefix}/pulls/${p.number}`, html_url: htmlPull(p.number) },
  });
  const commentJson = (c: Comment) => ({ id: c.id, body: c.body, html_url: `${htmlPull(c.issue)}#issuecomment-${c.id}`, url: `${base}${prefix}/issues/comments/${c.id}` });
  const branchExists = (name: string) => {
    if (!opts.bareRepo) return true;
    try {
      execFileSync('git', ['-C', opts.bareRepo, 'rev-parse', '--verify', '--quiet', `refs/heads/${name}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  const pullOf = (n: string) => {
    const p = pulls.find((x) => x.number === Number(n));
    if (!p) throw new ApiError(404, 'Not Found');
    return p;
  };
  const issueOf = (n: string) => {
    const i = issues.find((x) => x.number === Number(n));
    if (!i) throw new ApiError(404, 'Not Found');
    return i;
  };
  /** Issue comments are about an issue or a pull request; which one decides the permission they need. */
  const threadOf = (n: string): 'issues' | 'pull-requests' => {
    if (issues.some((x) => x.number === Number(n))) return 'issues';
    pullOf(n);
    return 'pull-requests';
  };
  const checkBody = (body: unknown) => {
    if (typeof body !== 'string' || body.length === 0) throw new ApiError(422, 'Validation Failed', [{ resource: 'IssueComment', field: 'body', code: 'missing_field' }]);
    if (body.length > 65536) throw new ApiError(422, 'Validation Failed', [{ resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }]);
    return body;
  };

  /**
   * One page of a list, GitHub's way: per_page (default 30, capped at 100), page (from 1), and
   * a Link header only when the list spans pages, with the query kept and URLs of the form
   * /repositories/{id}/… as api.github.com writes them.
   */
  const paged = <T>(res: ServerResponse, path: string, q: URLSearchParams, items: T[]): T[] => {
    const perPageAsked = Number(q.get('per_page') ?? 30);
    const perPage = Number.isInteger(perPageAsked) && perPageAsked > 0 ? Math.min(100, perPageAsked) : 30;
    const pageAsked = Number(q.get('page') ?? 1);
    const page = Number.isInteger(pageAsked) && pageAsked > 0 ? pageAsked : 1;
    const last = Math.max(1, Math.ceil(items.length / perPage));
    if (last > 1) {
      const link = (n: number, rel: string) => {
        const query = new URLSearchParams(q);
        query.set('page', String(n));
        return `<${base}/repositories/${REPO_ID}${path}?${query.toString()}>; rel="${rel}"`;
      };
      const rels = [...(page > 1 ? [link(Math.min(page - 1, last), 'prev')] : []), ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []), ...(page > 1 ? [link(1, 'first')] : [])];
      res.setHeader('link', rels.join(', '));
    }
    return items.slice((page - 1) * perPage, page * perPage);
  };

  /** The caller's permissions for this request (undefined: the all-powerful token). */
  let caller: Permissions | undefined;
  /** The token of this request, for who it acts as. */
  let currentToken = opts.token;
  /** Refuse unless the caller's token holds one of `scopes` at `level` (write covers read). */
  const need = (level: 'read' | 'write', ...scopes: string[]) => {
    if (!caller) return;
    if (scopes.some((s) => caller![s] === 'write' || (level === 'read' && caller![s] === 'read'))) return;
    throw new ApiError(403, 'Resource not accessible by integration');
  };
  type Route = [method: string, path: RegExp, handle: (m: string[], q: URLSearchParams, body: Record<string, unknown>, res: ServerResponse) => unknown];
  const routes: Route[] = [
    [
      'GET',
      /^\/pulls$/,
      (_m, q, _b, res) => {
        need('read', 'pull-requests');
        const state = q.get('state') ?? 'open';
        const matching = pulls
          .filter((p) => state === 'all' || p.state === state)
          .filter((p) => !q.get('head') || `${opts.owner}:${p.head}` === q.get('head'))
          .filter((p) => !q.get('base') || p.base === q.get('base'));
        // sort=created (the default): newest first unless direction=asc
        const ordered = q.get('direction') === 'asc' ? matching : [...matching].reverse();
        return paged(res, '/pulls', q, ordered).map(pullJson);
      },
    ],
    [
      'POST',
      /^\/pulls$/,
      (_m, _q, b, res) => {
        need('write', 'pull-requests');
        const head = String(b.head ?? '');
        const baseRef = String(b.base ?? '');
        if (!b.title) throw new ApiError(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'title', code: 'missing_field' }]);
        if (!branchExists(head)) throw new ApiError(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
        if (!branchExists(baseRef)) throw new ApiError(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
        if (pulls.some((p) => p.state === 'open' && p.head === head)) {
          throw new ApiError(422, 'Validation Failed', [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${opts.owner}:${head}.` }]);
        }
        const p: PullRequest = {
          number: nextNumber++,
          head,
          base: baseRef,
          title: String(b.title),
          body: String(b.body ?? ''),
          state: 'open',
          labels: [],
          mergedAt: null,
          user: caller ? { login: 'github-actions[bot]', type: 'Bot' } : accounts.get(currentToken)!,
          baseSha: revParse(`refs/heads/${baseRef}`),
        };
        pulls.push(p);
        res.statusCode = 201;
        return pullJson(p);
      },
    ],
    [
      'GET',
      /^\/pulls\/(\d+)$/,
      (m) => {
        need('read', 'pull-requests');
        return pullJson(pullOf(m[1]!));
      },
    ],
    [
      'GET',
      /^\/pulls\/(\d+)\/reviews$/,
      (m, q, _b, res) => {
        need('read', 'pull-requests');
        const p = pullOf(m[1]!);
        return paged(
          res,
          `/pulls/${p.number}/reviews`,
          q,
          reviews.filter((r) => r.pull === p.number),
        ).map(reviewJson);
      },
    ],
    [
      'GET',
      /^\/commits\/([0-9a-f]{40})\/pulls$/,
      (m, q, _b, res) => {
        need('read', 'pull-requests');
        return paged(
          res,
          `/commits/${m[1]}/pulls`,
          q,
          pulls.filter((p) => carries(p, m[1]!)),
        ).map(pullJson);
      },
    ],
    [
      'PATCH',
      /^\/pulls\/(\d+)$/,
      (m, _q, b) => {
        need('write', 'pull-requests');
        const p = pullOf(m[1]!);
        if (typeof b.title === 'string') p.title = b.title;
        if (typeof b.body === 'string') p.body = b.body;
        if (b.state !== undefined && b.state !== 'open' && b.state !== 'closed') throw new ApiError(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'state', code: 'invalid' }]);
        if (b.state === 'closed') p.state = 'closed';
        if (b.state === 'open' && p.mergedAt === null) p.state = 'open';
        return pullJson(p);
      },
    ],
    [
      'POST',
      /^\/issues\/(\d+)\/labels$/,
      (m, _q, b) => {
        need('write', 'issues', 'pull-requests');
        const p = pullOf(m[1]!);
        for (const l of (b.labels as string[]) ?? []) if (!p.labels.includes(l)) p.labels.push(l);
        return p.labels.map((name) => ({ name }));
      },
    ],
    [
      'GET',
      /^\/issues\/(\d+)\/comments$/,
      (m, q, _b, res) => {
        need('read', ...new Set(['issues', threadOf(m[1]!)]));
        const all = comments.filter((c) => c.issue === Number(m[1])).sort((a, b) => a.id - b.id);
        return paged(res, `/issues/${m[1]}/comments`, q, all).map(commentJson);
      },
    ],
    [
      'POST',
      /^\/issues\/(\d+)\/comments$/,
      (m, _q, b, res) => {
        need('write', ...new Set(['issues', threadOf(m[1]!)]));
        const c: Comment = { id: nextId++, issue: Number(m[1]), body: checkBody(b.body) };
        comments.push(c);
        res.statusCode = 201;
        return commentJson(c);
      },
    ],
    [
      'PATCH',
      /^\/issues\/comments\/(\d+)$/,
      (m, _q, b) => {
        const c = comments.find((x) => x.id === Number(m[1]));
        if (!c) throw new ApiError(404, 'Not Found');
        need('write', ...new Set(['issues', threadOf(String(c.issue))]));
        c.body = checkBody(b.body);
        return commentJson(c);
      },
    ],
    // Issues and pull requests together, newest first (sort=created, direction=desc by default).
    [
      'GET',
      /^\/issues$/,
      (_m, q, _b, res) => {
        need('read', 'issues');
        const state = q.get('state') ?? 'open';
        const wanted = (q.get('labels') ?? '')
          .split(',')
          .map((l) => l.trim())
          .filter(Boolean);
        const all = [
          ...issues.map((i) => ({ n: i.number, state: i.state, labels: i.labels, json: () => issueJson(i) })),
          ...pulls.map((p) => ({ n: p.number, state: p.state, labels: p.labels, json: () => pullAsIssue(p) })),
        ]
          .filter((x) => state === 'all' || x.state === state)
          .filter((x) => wanted.every((l) => x.labels.includes(l)))
          .sort((a, b) => (q.get('direction') === 'asc' ? a.n - b.n : b.n - a.n));
        return paged(res, '/issues', q, all).map((x) => x.json());
      },
    ],
    [
      'POST',
      /^\/issues$/,
      (_m, _q, b, res) => {
        need('write', 'issues');
        if (typeof b.title !== 'string' || b.title.length === 0) throw new ApiError(422, 'Validation Failed', [{ resource: 'Issue', field: 'title', code: 'missing_field' }]);
        const i: Issue = {
          number: nextNumber++,
          title: b.title,
          body: b.body === undefined ? '' : checkBody(b.body),
          state: 'open',
          stateReason: null,
          labels: [...new Set((b.labels as string[] | undefined) ?? [])],
          user: caller ? 'github-actions[bot]' : accounts.get(currentToken)!.login,
        };
        issues.push(i);
        res.statusCode = 201;
        return issueJson(i);
      },
    ],
    [
      'GET',
      /^\/issues\/(\d+)$/,
      (m) => {
        need('read', 'issues');
        return issueJson(issueOf(m[1]!));
      },
    ],
    [
      'PATCH',
      /^\/issues\/(\d+)$/,
      (m, _q, b) => {
        need('write', 'issues');
        const i = issueOf(m[1]!);
        if (b.state !== undefined && b.state !== 'open' && b.state !== 'closed') throw new ApiError(422, 'Validation Failed', [{ resource: 'Issue', field: 'state', code: 'invalid' }]);
        if (typeof b.title === 'string') i.title = b.title;
        if (b.body !== undefined) i.body = checkBody(b.body);
        if (Array.isArray(b.labels)) i.labels = [...new Set(b.labels as string[])];
        if (b.state === 'closed') [i.state, i.stateReason] = ['closed', typeof b.state_reason === 'string' ? b.state_reason : 'completed'];
        if (b.state === 'open') [i.state, i.stateReason] = ['open', i.state === 'closed' ? 'reopened' : i.stateReason];
        return issueJson(i);
      },
    ],
  ];

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      calls.push(`${req.method} ${url.pathname}${url.search}`);
      res.setHeader('content-type', 'application/json; charset=utf-8');
      try {
        if (!req.headers['user-agent']) {
          throw new ApiError(
            403,
            'Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.',
          );
        }
        const token = /^(?:token|Bearer) (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (!token || !(accounts.has(token) || minted.has(token))) throw new ApiError(401, 'Bad credentials');
        caller = minted.get(token);
        currentToken = token;
        // The repository by name, or by id as GitHub's own Link URLs address it.
        const root = [`${prefix}/`, `/repositories/${REPO_ID}/`].find((r) => url.pathname.startsWith(r));
        if (!root) throw new ApiError(404, 'Not Found');
        const path = url.pathname.slice(root.length - 1);
        const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
        for (const [method, re, handle] of routes) {
          const m = re.exec(path);
          if (m && method === req.method) {
            res.end(JSON.stringify(handle([...m], url.searchParams, body, res)));
            return;
          }
        }
        throw new ApiError(404, 'Not Found');
      } catch (err) {
        const e = err instanceof ApiError ? err : new ApiError(500, (err as Error).message);
        res.statusCode = e.status;
        res.end(JSON.stringify({ message: e.message, ...(e.errors ? { errors: e.errors } : {}), documentation_url: 'https://docs.github.com/rest', status: String(e.status) }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  base = `http://127.0.0.1:${address.port}`;
  const comment = (issue: number, body: string) => {
    const c: Comment = { id: nextId++, issue, body };
    comments.push(c);
    return c;
  };
  const mintToken = (permissions: Permissions) => {
    const token = `ghs_${randomBytes(18).toString('base64url')}`;
    minted.set(token, { ...permissions });
    return token;
  };
  const merge = (number: number) => {
    const p = pulls.find((x) => x.number === number);
    if (p?.state !== 'open') throw new Error(`no open pull request #${number} to merge`);
    [p.headSha, p.mergeSha] = [headOf(p), revParse(`refs/heads/${p.base}`)];
    [p.state, p.mergedAt] = ['closed', new Date().toISOString()];
  };
  const review = (number: number, user: Account, state: Review['state']) => {
    const p = pulls.find((x) => x.number === number);
    if (!p) throw new Error(`no pull request #${number} to review`);
    const r: Review = { id: nextId++, pull: number, user, state, commitId: headOf(p) };
    reviews.push(r);
    return r;
  };
  const userToken = (user: Account) => {
    const token = `ghp_${randomBytes(18).toString('base64url')}`;
    accounts.set(token, user);
    return token;
  };
  return {
    url: base,
    token: opts.token,
    repoId: REPO_ID,
    pulls,
    issues,
    comments,
    reviews,
    calls,
    comment,
    merge,
    review,
    userToken,
    mintToken,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
