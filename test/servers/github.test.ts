import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHub, type GitHubServer } from './github.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** The GitHub stand-in pages lists as api.github.com does, checked through octokit as clawctl uses it. */
describe('the GitHub stand-in pages as GitHub does', () => {
  let gh: GitHubServer;
  let octokit: Octokit;
  const repo = { owner: 'acme', repo: 'fleet' };

  beforeAll(async () => {
    gh = await startGitHub({ ...repo, token: 't0ken' });
    octokit = new Octokit({ auth: 't0ken', baseUrl: gh.url, log: quiet });
    for (let i = 1; i <= 35; i++) await octokit.rest.pulls.create({ ...repo, head: `b${i}`, base: 'main', title: `pr ${i}` });
    for (let i = 1; i <= 35; i++) gh.comment(1, `comment ${i}`);
    gh.comment(2, 'alone');
  });
  afterAll(async () => {
    await gh?.close();
  });

  it('gives 30 by default, a Link to the next and last page in /repositories/{id} form, and the rest on page 2', async () => {
    const first = await octokit.rest.issues.listComments({ ...repo, issue_number: 1 });
    expect(first.data.map((c) => c.body)).toEqual(Array.from({ length: 30 }, (_, i) => `comment ${i + 1}`));
    const links = first.headers.link!;
    expect(links).toBe(`<${gh.url}/repositories/${gh.repoId}/issues/1/comments?page=2>; rel="next", <${gh.url}/repositories/${gh.repoId}/issues/1/comments?page=2>; rel="last"`);
    const second = await octokit.request(`GET ${/<([^>]+)>; rel="next"/.exec(links)![1]!}`);
    expect((second.data as { body: string }[]).map((c) => c.body)).toEqual(['comment 31', 'comment 32', 'comment 33', 'comment 34', 'comment 35']);
    expect(second.headers.link).toMatch(/rel="prev", .*rel="first"$/);
    expect(second.headers.link).not.toContain('rel="next"');
  });

  it('keeps per_page (at most 100) in its links, and omits the Link header when all fits on one page', async () => {
    const small = await octokit.rest.issues.listComments({ ...repo, issue_number: 1, per_page: 10, page: 2 });
    expect(small.data.map((c) => c.body)).toEqual(Array.from({ length: 10 }, (_, i) => `comment ${i + 11}`));
    expect(small.headers.link).toContain('/comments?per_page=10&page=3>; rel="next"');
    expect(small.headers.link).toContain('/comments?per_page=10&page=4>; rel="last"');
    const capped = await octokit.rest.issues.listComments({ ...repo, issue_number: 1, per_page: 500 });
    expect(capped.data).toHaveLength(35);
    expect(capped.headers.link).toBeUndefined();
    expect((await octokit.rest.issues.listComments({ ...repo, issue_number: 2 })).headers.link).toBeUndefined();
    const all = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: 1, per_page: 8 });
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 35 }, (_, i) => `comment ${i + 1}`));
  });

  it('lists pull requests newest first, 30 a page, filtered by head and base', async () => {
    const first = await octokit.rest.pulls.list({ ...repo });
    expect(first.data).toHaveLength(30);
    expect(first.data[0]!.number).toBe(35);
    expect(first.headers.link).toContain('rel="next"');
    const asc = await octokit.rest.pulls.list({ ...repo, direction: 'asc', per_page: 3 });
    expect(asc.data.map((p) => p.number)).toEqual([1, 2, 3]);
    expect(await octokit.paginate(octokit.rest.pulls.list, { ...repo, per_page: 100 })).toHaveLength(35);
    const byHead = await octokit.rest.pulls.list({ ...repo, head: 'acme:b7' });
    expect(byHead.data.map((p) => p.number)).toEqual([7]);
    expect((await octokit.rest.pulls.list({ ...repo, base: 'develop' })).data).toEqual([]);
  });

  it('refuses a bad token (401) and a request without a User-Agent (403)', async () => {
    const bad = await new Octokit({ auth: 'nope', baseUrl: gh.url, log: quiet }).rest.pulls.list({ ...repo }).catch((e: { status: number; message: string }) => e);
    expect(bad).toMatchObject({ status: 401, message: expect.stringContaining('Bad credentials') });
    const res = await fetch(`${gh.url}/repos/acme/fleet/pulls`, { headers: { authorization: 'token t0ken', 'user-agent': '' } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toContain('User-Agent');
  });
});
