import { execFileSync } from 'node:child_process';
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
 */
export interface PullRequest {
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
}

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
  comments: Comment[];
  /** Every request as `METHOD path?query`, in order. */
  calls: string[];
  /** Someone else's comment on an issue or pull request, as if posted through the API. */
  comment(issue: number, body: string): Comment;
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
  const comments: Comment[] = [];
  const calls: string[] = [];
  let nextId = 1000;
  let nextNumber = 1;
  const prefix = `/repos/${opts.owner}/${opts.repo}`;
  let base = '';
  const htmlPull = (n: number) => `https://github.test/${opts.owner}/${opts.repo}/pull/${n}`;
  const pullJson = (p: PullRequest) => ({
    id: p.number + 5_000_000,
    number: p.number,
    state: p.state,
    title: p.title,
    body: p.body,
    html_url: htmlPull(p.number),
    url: `${base}${prefix}/pulls/${p.number}`,
    head: { ref: p.head, label: `${opts.owner}:${p.head}` },
    base: { ref: p.base, label: `${opts.owner}:${p.base}` },
    labels: p.labels.map((name) => ({ name })),
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
      const rels = [
        ...(page > 1 ? [link(Math.min(page - 1, last), 'prev')] : []),
        ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
        ...(page > 1 ? [link(1, 'first')] : []),
      ];
      res.setHeader('link', rels.join(', '));
    }
    return items.slice((page - 1) * perPage, page * perPage);
  };

  type Route = [method: string, path: RegExp, handle: (m: string[], q: URLSearchParams, body: Record<string, unknown>, res: ServerResponse) => unknown];
  const routes: Route[] = [
    ['GET', /^\/pulls$/, (_m, q, _b, res) => {
      const state = q.get('state') ?? 'open';
      const matching = pulls
        .filter((p) => state === 'all' || p.state === state)
        .filter((p) => !q.get('head') || `${opts.owner}:${p.head}` === q.get('head'))
        .filter((p) => !q.get('base') || p.base === q.get('base'));
      // sort=created (the default): newest first unless direction=asc
      const ordered = q.get('direction') === 'asc' ? matching : [...matching].reverse();
      return paged(res, '/pulls', q, ordered).map(pullJson);
    }],
    ['POST', /^\/pulls$/, (_m, _q, b, res) => {
      const head = String(b.head ?? '');
      const baseRef = String(b.base ?? '');
      if (!b.title) throw new ApiError(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'title', code: 'missing_field' }]);
      if (!branchExists(head)) throw new ApiError(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
      if (!branchExists(baseRef)) throw new ApiError(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
      if (pulls.some((p) => p.state === 'open' && p.head === head)) {
        throw new ApiError(422, 'Validation Failed', [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${opts.owner}:${head}.` }]);
      }
      const p: PullRequest = { number: nextNumber++, head, base: baseRef, title: String(b.title), body: String(b.body ?? ''), state: 'open', labels: [] };
      pulls.push(p);
      res.statusCode = 201;
      return pullJson(p);
    }],
    ['PATCH', /^\/pulls\/(\d+)$/, (m, _q, b) => {
      const p = pullOf(m[1]!);
      if (typeof b.title === 'string') p.title = b.title;
      if (typeof b.body === 'string') p.body = b.body;
      return pullJson(p);
    }],
    ['POST', /^\/issues\/(\d+)\/labels$/, (m, _q, b) => {
      const p = pullOf(m[1]!);
      for (const l of (b.labels as string[]) ?? []) if (!p.labels.includes(l)) p.labels.push(l);
      return p.labels.map((name) => ({ name }));
    }],
    ['GET', /^\/issues\/(\d+)\/comments$/, (m, q, _b, res) => {
      pullOf(m[1]!);
      const all = comments.filter((c) => c.issue === Number(m[1])).sort((a, b) => a.id - b.id);
      return paged(res, `/issues/${m[1]}/comments`, q, all).map(commentJson);
    }],
    ['POST', /^\/issues\/(\d+)\/comments$/, (m, _q, b, res) => {
      pullOf(m[1]!);
      const c: Comment = { id: nextId++, issue: Number(m[1]), body: checkBody(b.body) };
      comments.push(c);
      res.statusCode = 201;
      return commentJson(c);
    }],
    ['PATCH', /^\/issues\/comments\/(\d+)$/, (m, _q, b) => {
      const c = comments.find((x) => x.id === Number(m[1]));
      if (!c) throw new ApiError(404, 'Not Found');
      c.body = checkBody(b.body);
      return commentJson(c);
    }],
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
          throw new ApiError(403, 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.');
        }
        const auth = req.headers.authorization ?? '';
        if (auth !== `token ${opts.token}` && auth !== `Bearer ${opts.token}`) throw new ApiError(401, 'Bad credentials');
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
  return { url: base, token: opts.token, repoId: REPO_ID, pulls, comments, calls, comment, close: () => new Promise((r) => server.close(() => r())) };
}
