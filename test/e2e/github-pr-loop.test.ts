import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawctl } from '../harness/cli.js';
import { LOCAL_FLEET, LOCAL_HOST } from '../harness/local-fleet.js';
import { expectOutputSchema } from '../harness/output-schema.js';
import { startGitHub, type GitHubServer } from '../servers/github.js';

const TOKEN = 'test-token-for-the-local-github';
const AGENT = `# The support agent: answers customers.
apiVersion: clawctl.dev/v1
kind: Agent
metadata:
  name: support  # keep in sync with the docs
spec:
  host: h
  env:
    BANNER: hello   # shown on start
`;

/**
 * The pull-request loop on real git (a bare repo on disk as origin) and a local GitHub REST
 * server: `propose` commits a checked change to a new branch and opens a pull request
 * without touching the checkout; `plan --pr-comment` keeps one plan comment per fleet up to date.
 */
describe('propose and the plan comment', () => {
  let root: string;
  let work: string;
  let bare: string;
  let gh: GitHubServer;
  let env: NodeJS.ProcessEnv;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: work, env: { ...process.env, ...env }, encoding: 'utf8' });
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}) => clawctl(args, { cwd: work, env: { ...env, ...extra } });
  const remoteBranches = () => execFileSync('git', ['-C', bare, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/'], { encoding: 'utf8' }).trim().split('\n');
  const remoteFile = (branch: string, path: string) => execFileSync('git', ['-C', bare, 'show', `${branch}:${path}`], { encoding: 'utf8' });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-pr-loop-'));
    work = join(root, 'work');
    bare = join(root, 'remote.git');
    env = {
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Ops Bot',
      GIT_AUTHOR_EMAIL: 'ops-bot@example.com',
      GIT_COMMITTER_NAME: 'Ops Bot',
      GIT_COMMITTER_EMAIL: 'ops-bot@example.com',
      GITHUB_ACTIONS: '',
      GITHUB_REPOSITORY: '',
      GITHUB_TOKEN: TOKEN,
    };
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    execFileSync('git', ['init', '-q', '-b', 'main', work]);
    execFileSync('mkdir', ['-p', join(work, 'fleet', 'agents')]);
    writeFileSync(join(work, 'fleet', 'fleet.yaml'), `${LOCAL_FLEET('acme')}\n---\n${LOCAL_HOST}\n`);
    writeFileSync(join(work, 'fleet', 'agents', 'support.yaml'), AGENT);
    writeFileSync(join(work, '.gitignore'), 'home/\n.clawctl/\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'fleet');
    git('remote', 'add', 'origin', bare);
    git('push', '-q', 'origin', 'main');
    gh = await startGitHub({ owner: 'acme', repo: 'fleet', token: TOKEN, bareRepo: bare });
    env.GITHUB_API_URL = gh.url;
  });
  afterAll(async () => {
    await gh?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('proposes a --set edit as a pull request, comments kept, the checkout untouched, audited', async () => {
    const res = await run([
      'propose',
      '--title',
      'support: log at debug',
      '--body',
      'The gateway log is too quiet to diagnose the outage.',
      '--set',
      'agent/support:spec.env.LOG_LEVEL=debug',
      '--repo',
      'acme/fleet',
      '--json',
    ]);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout);
    expectOutputSchema('propose', out);
    expect(out.branch).toMatch(/^clawctl\/propose\/support-log-at-debug-[0-9a-f]{8}$/);
    expect(out).toMatchObject({ base: 'main', pushed: true, files: [{ path: 'fleet/agents/support.yaml', status: 'modified' }], pullRequest: { number: 1, created: true } });
    expect(gh.pulls).toHaveLength(1);
    expect(gh.pulls[0]).toMatchObject({ head: out.branch, base: 'main', title: 'support: log at debug', labels: ['clawctl'] });
    expect(gh.pulls[0]!.body).toContain('The gateway log is too quiet');
    expect(gh.pulls[0]!.body).toContain('`--set agent/support:spec.env.LOG_LEVEL=debug`');
    expect(gh.pulls[0]!.body).toContain('`git:Ops Bot <ops-bot@example.com>`');
    const proposed = remoteFile(out.branch, 'fleet/agents/support.yaml');
    expect(proposed).toContain('# The support agent: answers customers.');
    expect(proposed).toContain('# keep in sync with the docs');
    expect(proposed).toMatch(/BANNER: hello # shown on start\n\s+LOG_LEVEL: debug\n/);
    // The checkout: same branch, same files, nothing staged, no worktree left behind.
    expect(git('status', '--porcelain')).toBe('');
    expect(git('rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('main');
    expect(readFileSync(join(work, 'fleet', 'agents', 'support.yaml'), 'utf8')).toBe(AGENT);
    expect(git('worktree', 'list').trim().split('\n')).toHaveLength(1);
    const audit = JSON.parse((await run(['audit', 'log', '--action', 'pr.propose', '--json'])).stdout);
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({ action: 'pr.propose', target: 'acme/fleet#1', result: 'ok', actor: 'git:Ops Bot <ops-bot@example.com>' });
  });

  it('proposing the same change again reuses the branch and updates the pull request', async () => {
    const res = await run(['propose', '--title', 'support: log at debug', '--body', 'Still needed.', '--set', 'agent/support:spec.env.LOG_LEVEL=debug', '--repo', 'acme/fleet', '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ pushed: false, pullRequest: { number: 1, created: false } });
    expect(gh.pulls).toHaveLength(1);
    expect(gh.pulls[0]!.body).toContain('Still needed.');
  });

  it('proposes what was edited by hand under fleet/, leaving those edits in the checkout', async () => {
    const sales = `apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata: {name: sales}\nspec:\n  host: h\n  openclaw: {profile: sales, config: {gateway: {port: 18800}}}\n`;
    writeFileSync(join(work, 'fleet', 'agents', 'sales.yaml'), sales);
    writeFileSync(join(work, 'notes.txt'), 'not part of the fleet\n');
    const res = await run(['propose', '--title', 'Add the sales agent', '--repo', 'acme/fleet', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.files).toEqual([{ path: 'fleet/agents/sales.yaml', status: 'added' }]);
    expect(remoteFile(out.branch, 'fleet/agents/sales.yaml')).toBe(sales);
    expect(() => remoteFile(out.branch, 'notes.txt')).toThrow();
    expect(git('status', '--porcelain').trim().split('\n').sort()).toEqual(['?? fleet/agents/sales.yaml', '?? notes.txt']);
    rmSync(join(work, 'fleet', 'agents', 'sales.yaml'));
    rmSync(join(work, 'notes.txt'));
  });

  it('refuses bad edits, invalid fleets, policy violations and credentials before pushing anything', async () => {
    const branches = remoteBranches();
    const pulls = gh.pulls.length;
    const cases: [string[], number, RegExp][] = [
      [['--set', 'agent/support:spec.host=nowhere'], 1, /fleet\/agents\/support\.yaml:\d+:\d+: .*nowhere/],
      [['--set', 'agent/nope:spec.env.X=1'], 1, /agent\/nope:spec\.env\.X=1: not found[\s\S]*hint: agents: support/],
      [['--set', 'agent/support'], 1, /expected KIND\/NAME:PATH=VALUE/],
      [['--set', 'agent/support:spec.env=[1, 2'], 1, /not valid YAML/],
      [['--unset', 'agent/support:spec.env.NOPE'], 1, /nothing at spec\.env\.NOPE/],
      [['--set', 'agent/support:spec.openclaw.config.gateway.bind=lan'], 3, /baseline\/gateway-bind: agent support \(fleet\/agents\/support\.yaml:\d+:\d+\)/],
      [['--set', 'agent/support:spec.env.OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwx0123'], 1, /looks like an OpenAI-style API key; nothing was committed/],
      [[], 1, /nothing to propose/],
    ];
    for (const [args, code, message] of cases) {
      const res = await run(['propose', '--title', 'bad', '--repo', 'acme/fleet', ...args]);
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(code);
      expect(res.stderr).toMatch(message);
      expect(res.stdout + res.stderr).not.toContain('abcdefghijklmnopqrstuvwx0123');
    }
    const noToken = await run(['propose', '--title', 'bad', '--repo', 'acme/fleet', '--set', 'agent/support:spec.env.X=1'], { GITHUB_TOKEN: '', GH_TOKEN: '' });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('no GitHub token: set GITHUB_TOKEN');
    expect(remoteBranches()).toEqual(branches);
    expect(gh.pulls).toHaveLength(pulls);
    expect(git('status', '--porcelain')).toBe('');
  });

  it('refuses a repository with no commit yet, naming what to do', async () => {
    const empty = join(root, 'empty');
    execFileSync('git', ['init', '-q', '-b', 'main', empty]);
    execFileSync('mkdir', ['-p', join(empty, 'fleet')]);
    writeFileSync(join(empty, 'fleet', 'fleet.yaml'), `${LOCAL_FLEET('e')}\n`);
    const res = await clawctl(['propose', '--title', 'first', '--dry-run'], { cwd: empty, env });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/Error: the fleet repo .*empty has no commit yet/);
    expect(res.stderr).toContain('hint: commit the fleet once first');
  });

  it('a refused token leaves a pushed branch that the retry picks up; --dry-run sends nothing', async () => {
    const args = ['propose', '--title', 'support: quieter', '--set', 'agent/support:spec.env.LOG_LEVEL=warn', '--repo', 'acme/fleet'];
    const dry = await run([...args, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Dry run: nothing was pushed');
    expect(dry.stdout).toContain('fleet/agents/support.yaml');
    const refused = await run(args, { GITHUB_TOKEN: 'wrong' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Error: GitHub: open a pull request .*HTTP 401: Bad credentials/);
    expect(refused.stderr).toContain('hint: the token was refused');
    expect(refused.stderr).not.toContain('wrong');
    const retry = await run([...args, '--json']);
    expect(retry.code, retry.stderr).toBe(0);
    expect(JSON.parse(retry.stdout)).toMatchObject({ pushed: false, pullRequest: { created: true } });
  });

  it('plan --pr-comment keeps one comment per pull request up to date: plan, error, policy', async () => {
    const event = join(root, 'event.json');
    writeFileSync(event, JSON.stringify({ action: 'synchronize', number: 1, pull_request: { number: 1 } }));
    const actions = {
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: 'acme/fleet',
      GITHUB_RUN_ID: '4242',
      GITHUB_SHA: 'a'.repeat(40),
      GITHUB_SERVER_URL: 'https://github.test',
    };
    const first = await run(['plan', '--pr-comment'], actions);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/Commented on pull request #1: https:\/\/github\.test\/acme\/fleet\/pull\/1#issuecomment-\d+/);
    const mine = () => gh.comments.filter((c) => c.issue === 1);
    expect(mine()).toHaveLength(1);
    expect(mine()[0]!.body).toMatch(/^<!-- clawctl:plan fleet=\.\/fleet -->\n### clawctl plan for fleet `acme`: 1 agent to add, 0 to change, 0 to destroy \(2 files to write\)/);
    expect(mine()[0]!.body).toContain('+ agent support');
    expect(mine()[0]!.body).toContain('[run](https://github.test/acme/fleet/actions/runs/4242)');
    expect(mine()[0]!.body).not.toContain('hello'); // .env values appear only as keyed hashes

    writeFileSync(join(work, 'fleet', 'agents', 'support.yaml'), `${AGENT}  broken: [\n`);
    const failed = await run(['plan', '--pr-comment'], actions);
    expect(failed.code).toBe(1);
    expect(mine()).toHaveLength(1);
    expect(mine()[0]!.body).toMatch(/❌ failed[\s\S]*fleet\/agents\/support\.yaml:\d+:\d+: YAML syntax/);

    writeFileSync(join(work, 'fleet', 'agents', 'support.yaml'), AGENT.replace('spec:\n', 'spec:\n  openclaw: {config: {gateway: {bind: lan}}}\n'));
    const refused = await run(['plan', '--pr-comment'], actions);
    expect(refused.code).toBe(3);
    expect(mine()).toHaveLength(1);
    expect(mine()[0]!.body).toMatch(/❌ refused by policy: 1 violation\(s\)[\s\S]*- baseline\/gateway-bind: agent support \(fleet\/agents\/support\.yaml:\d+:\d+\)/);
    git('checkout', '--', 'fleet');

    const outside = await run(['plan', '--pr-comment'], { GITHUB_EVENT_PATH: '', GITHUB_REPOSITORY: '' });
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain('--pr-comment needs a GitHub Actions pull_request run');
  });

  it('plan --pr-comment finds its comment past the first page of a long conversation', async () => {
    // Pull request #2 (from the retry above), with more comments than one page of 100 holds.
    const event = join(root, 'event-2.json');
    writeFileSync(event, JSON.stringify({ action: 'synchronize', number: 2, pull_request: { number: 2 } }));
    const actions = {
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: 'acme/fleet',
      GITHUB_RUN_ID: '4243',
      GITHUB_SHA: 'b'.repeat(40),
      GITHUB_SERVER_URL: 'https://github.test',
    };
    for (let i = 0; i < 130; i++) gh.comment(2, `reviewer note ${i}`);
    const plans = () => gh.comments.filter((c) => c.issue === 2 && c.body.startsWith('<!-- clawctl:plan '));
    const first = await run(['plan', '--pr-comment'], actions);
    expect(first.code, first.stderr).toBe(0);
    expect(plans()).toHaveLength(1);
    const mine = plans()[0]!;
    expect(gh.comments.filter((c) => c.issue === 2).indexOf(mine)).toBe(130); // on page 2 of 100
    const calls = gh.calls.length;
    const again = await run(['plan', '--pr-comment'], actions);
    expect(again.code, again.stderr).toBe(0);
    expect(plans()).toEqual([mine]);
    expect(again.stderr).toContain(`#issuecomment-${mine.id}`);
    // octokit followed GitHub's Link header to the second page
    expect(gh.calls.slice(calls)).toContain(`GET /repositories/${gh.repoId}/issues/2/comments?per_page=100&page=2`);
  });
});
