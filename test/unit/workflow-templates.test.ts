import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ACTION_PLACEHOLDER, renderWorkflow, WORKFLOWS } from '../../src/engine/init-run.js';
import { findClawctlAction, parseActionRef, type ClawctlAction } from '../../src/github/clawctl-action.js';
import { clawctlLines, commandLineProblems } from '../harness/command-lines.js';
import { actionlint, formatProblems, shellcheckScript } from '../harness/workflow-lint.js';

type Step = { id?: string; name?: string; run?: string; uses?: string; if?: string; shell?: string; env?: Record<string, string>; with?: Record<string, unknown> };
type Job = { steps: Step[]; if?: string; environment?: string; permissions?: Record<string, string> };
type Workflow = {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  concurrency: { group: string; 'cancel-in-progress': boolean };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
};

const ACTION: ClawctlAction = { repo: 'acme/clawctl', commit: '0123456789abcdef0123456789abcdef01234567' };
const VERSION = '9.9.9';
const text: Record<string, string> = Object.fromEntries(await Promise.all(WORKFLOWS.map(async (w) => [w, await renderWorkflow(w, VERSION, ACTION)] as const)));
const load = (name: string) => parse(text[name]!) as Workflow;
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);
const actionYml = readFileSync(fileURLToPath(new URL('../../action.yml', import.meta.url)), 'utf8');
const action = parse(actionYml) as { runs: { using: string; steps: Step[] }; inputs: Record<string, { default?: string }> };
/** Every `uses:` line of a file, with its comment. */
const usesLines = (src: string) =>
  src
    .split('\n')
    .filter((l) => /^\s*-?\s*uses:/.test(l))
    .map((l) => l.replace(/^\s*-?\s*uses:\s*/, ''));
/** A plan workflow with mistakes actionlint must find (a misspelt context and action input). */
const BROKEN = text['clawctl-plan.yml']!.replace('persist-credentials: false', 'persist-credential: false')
  .replace('vars.CLAWCTL_TAILNET', 'var.CLAWCTL_TAILNET')
  .replace(/actions\/checkout@[0-9a-f]+/, 'actions/checkout@v4');
const linted = actionlint([...WORKFLOWS.map((w) => ({ source: text[w]!, path: `.github/workflows/${w}` })), { source: BROKEN, path: 'broken.yml' }]);
/** Every secret a workflow names. */
const secretsNamed = (src: string) => [...new Set([...src.matchAll(/secrets\.([A-Z0-9_]+)/g)].map((m) => m[1]))].sort();

/** The workflow templates `clawctl init` writes (as it writes them) and the action they install clawctl with. */
describe('workflow templates', () => {
  const plan = load('clawctl-plan.yml');
  const apply = load('clawctl-apply.yml');
  const drift = load('clawctl-drift.yml');

  for (const name of WORKFLOWS) {
    const w = load(name);
    it(`${name}: actionlint finds nothing`, () => {
      expect(formatProblems(name, linted[`.github/workflows/${name}`]!)).toEqual([]);
    });
    it(`${name}: every run: script passes shellcheck`, () => {
      for (const s of steps(w).filter((x) => x.run)) expect(shellcheckScript(s.run!, s.shell), s.run).toEqual([]);
    });
    it(`${name}: every clawctl command and flag exists in the CLI`, () => {
      const lines = steps(w).flatMap((s) => clawctlLines(s.run ?? ''));
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.flatMap(commandLineProblems)).toEqual([]);
    });
    it(`${name}: no expression is pasted into a script (inputs and secrets come in through env)`, () => {
      for (const s of steps(w)) expect(s.run ?? '', s.run).not.toContain('${{');
    });
    it(`${name}: every action is pinned by full commit sha, clawctl by the action init was given`, () => {
      const uses = usesLines(text[name]!);
      expect(uses.length).toBeGreaterThan(3);
      for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40} # (v\d+\.\d+\.\d+|clawctl \d+\.\d+\.\d+)$/);
      expect(uses).toContain(`acme/clawctl@${ACTION.commit} # clawctl ${VERSION}`);
      expect(text[name]).toContain(`(clawctl ${VERSION})`);
    });
    it(`${name}: nothing installs a package by name; clawctl comes only from its pinned action`, () => {
      for (const s of steps(w)) expect(s.run ?? '').not.toMatch(/\b(npm (install|i|exec|add)|npx|yarn|pnpm|pip3? install|go install|gem install)\b|\|\s*(ba)?sh\b/);
      expect(steps(w).filter((s) => s.uses?.startsWith('acme/clawctl@'))).toHaveLength(1);
      expect(steps(w).findIndex((s) => s.uses?.startsWith('acme/clawctl@'))).toBeLessThan(steps(w).findIndex((s) => s.run?.includes('clawctl ')));
    });
    it(`${name}: checkout keeps no token in the work tree`, () => {
      expect(steps(w).find((s) => s.uses?.startsWith('actions/checkout@'))?.with?.['persist-credentials']).toBe(false);
    });
    it(`${name}: joins the tailnet with Tailscale's own action only when the repository says its hosts are there`, () => {
      const ts = steps(w).find((s) => s.uses?.startsWith('tailscale/github-action@'))!;
      expect(ts.if).toBe("vars.CLAWCTL_TAILNET == 'true'");
      expect(ts.with).toEqual({ 'oauth-client-id': '${{ secrets.TS_OAUTH_CLIENT_ID }}', 'oauth-secret': '${{ secrets.TS_OAUTH_SECRET }}', tags: 'tag:ci' });
      // before anything contacts a host
      expect(steps(w).indexOf(ts)).toBeLessThan(steps(w).findIndex((s) => /clawctl (plan|apply)/.test(s.run ?? '')));
    });
  }

  it('the checkers catch what they are for: an unknown command or flag, a wrong expression or input, a shell mistake', () => {
    expect(commandLineProblems('clawctl plan --no-such-flag')).toEqual(['clawctl plan has no flag --no-such-flag']);
    expect(commandLineProblems('clawctl deploy everything')).toEqual(['unknown command: clawctl deploy everything']);
    expect(commandLineProblems('clawctl secrets set secrets/a.sops.yaml KEY --from-env V')).toEqual([]);
    const found = formatProblems('broken.yml', linted['broken.yml']!).join('\n');
    expect(found).toMatch(/input "persist-credential" is not defined in action "actions\/checkout@v4"/);
    expect(found).toMatch(/undefined variable "var"/);
    expect(shellcheckScript('rm -rf $DIR/build')).toEqual([expect.stringMatching(/SC2086/)]);
  });

  it('plan: on pull requests that touch the fleet, comments, skips forks, and holds only the observation key', () => {
    expect(Object.keys(plan.on)).toEqual(['pull_request', 'pull_request_review']);
    expect(plan.on.pull_request).toEqual({ paths: ['fleet/**', '.sops.yaml'] });
    // A person's review is what a humanReview rule waits for: it plans again.
    expect(plan.on.pull_request_review).toEqual({ types: ['submitted', 'dismissed'] });
    expect(plan.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(plan.concurrency['cancel-in-progress']).toBe(true);
    expect(plan.jobs.plan!.if).toContain('head.repo.full_name == github.repository');
    expect(plan.jobs.plan!.environment).toBeUndefined();
    expect(secretsNamed(text['clawctl-plan.yml']!)).toEqual(['CLAWCTL_HASH_KEY', 'CLAWCTL_OBSERVE_SSH_KEY', 'TS_OAUTH_CLIENT_ID', 'TS_OAUTH_SECRET']);
    const run = steps(plan).find((s) => s.run?.startsWith('clawctl plan'))!;
    expect(run.run).toMatch(/clawctl plan --pr-comment --require-openclaw-check/);
    expect(run.run).not.toContain('--audit'); // reads no secret, so there is nothing to audit and no branch to push
    expect(run.env).toEqual({ GITHUB_TOKEN: '${{ github.token }}', CLAWCTL_HASH_KEY: '${{ secrets.CLAWCTL_HASH_KEY }}' });
  });

  it('apply: on merge to main, in the fleet environment that holds the keys, one at a time, approvals only by hand', () => {
    expect(apply.on).toMatchObject({ push: { branches: ['main'] }, workflow_dispatch: { inputs: { approve: { required: false } } } });
    expect(apply.concurrency).toEqual({ group: 'clawctl-apply', 'cancel-in-progress': false });
    expect(apply.jobs.apply!.environment).toBe('fleet');
    expect(apply.permissions).toEqual({ contents: 'write', 'pull-requests': 'read' });
    expect(secretsNamed(text['clawctl-apply.yml']!)).toEqual(['CLAWCTL_SSH_KEY', 'SOPS_AGE_KEY', 'TS_OAUTH_CLIENT_ID', 'TS_OAUTH_SECRET']);
    const run = steps(apply).find((s) => s.run?.includes('clawctl apply'))!;
    expect(run.env?.APPROVE).toBe('${{ inputs.approve }}');
    expect(run.run).toContain('--audit git');
  });

  it('drift: scheduled and by hand, plans with --detailed-exitcode, keeps one issue, never applies', () => {
    expect(Object.keys(drift.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(drift.permissions).toEqual({ contents: 'read', issues: 'write' });
    expect(drift.jobs.drift!.environment).toBeUndefined();
    expect(secretsNamed(text['clawctl-drift.yml']!)).toEqual(['CLAWCTL_HASH_KEY', 'CLAWCTL_OBSERVE_SSH_KEY', 'TS_OAUTH_CLIENT_ID', 'TS_OAUTH_SECRET']);
    const scripts = steps(drift)
      .map((s) => s.run ?? '')
      .join('\n');
    expect(scripts).toContain('clawctl plan --detailed-exitcode');
    expect(scripts).not.toMatch(/^\s*clawctl apply|--auto-approve/m);
    expect(scripts).toContain("marker='<!-- clawctl:drift fleet=fleet -->'");
  });

  it('action.yml: a composite action that sets up Node and installs exactly its own lockfile', () => {
    expect(action.runs.using).toBe('composite');
    for (const u of usesLines(actionYml)) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    const install = action.runs.steps.find((s) => s.run)!;
    expect(install.shell).toBe('bash');
    expect(install.run).toMatch(/^\s*npm ci --include=dev /m);
    expect(install.run).not.toMatch(/\bnpm (install|i|exec)\b|npx/);
    expect(shellcheckScript(install.run!)).toEqual([]);
    expect(Number(action.inputs['node-version']!.default)).toBeGreaterThanOrEqual(22);
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8'));
    expect(pkg.scripts.prepare).toBe('npm run build'); // npm ci (and a git install) builds dist/
  });

  it('without a known clawctl action, the workflows name a placeholder that fails rather than install anything', async () => {
    const w = await renderWorkflow('clawctl-plan.yml', VERSION, undefined);
    expect(usesLines(w)).toContain(ACTION_PLACEHOLDER);
    expect(w).not.toMatch(/uses: clawctl@|npm install/);
  });
});

describe('where this clawctl came from', () => {
  const root = mkdtempSync(join(tmpdir(), 'clawctl-action-'));
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
    }).trim();
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a git checkout of clawctl: its GitHub origin and HEAD', async () => {
    const repo = join(root, 'clawctl');
    mkdirSync(repo);
    git(repo, 'init', '-q');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'x');
    git(repo, 'remote', 'add', 'origin', 'git@github.com:acme/clawctl.git');
    expect(await findClawctlAction(repo)).toEqual({ repo: 'acme/clawctl', commit: git(repo, 'rev-parse', 'HEAD') });
    // inside some other repository (node_modules/clawctl of a project): not clawctl's own checkout
    const nested = join(repo, 'node_modules', 'clawctl');
    mkdirSync(nested, { recursive: true });
    expect(await findClawctlAction(nested)).toBeUndefined();
    // a checkout whose origin is no repository on a forge
    git(repo, 'remote', 'set-url', 'origin', '/srv/git/clawctl.git');
    expect(await findClawctlAction(repo)).toBeUndefined();
  });

  it('an npm install from git: the repository and commit npm recorded', async () => {
    const modules = join(root, 'global', 'lib', 'node_modules');
    mkdirSync(join(modules, 'clawctl'), { recursive: true });
    const sha = 'fedcba9876543210fedcba9876543210fedcba98';
    writeFileSync(
      join(modules, '.package-lock.json'),
      JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/clawctl': { version: '0.1.0', resolved: `git+ssh://git@github.com/acme/clawctl.git#${sha}` } } }),
    );
    expect(await findClawctlAction(join(modules, 'clawctl'))).toEqual({ repo: 'acme/clawctl', commit: sha });
    writeFileSync(join(modules, '.package-lock.json'), JSON.stringify({ packages: { 'node_modules/clawctl': { resolved: 'https://registry.npmjs.org/clawctl/-/clawctl-0.1.0.tgz' } } }));
    expect(await findClawctlAction(join(modules, 'clawctl'))).toBeUndefined();
  });

  it('--action must name a full commit, never a tag or branch', () => {
    expect(parseActionRef('acme/clawctl@0123456789abcdef0123456789abcdef01234567')).toEqual(ACTION);
    for (const bad of ['acme/clawctl@v1', 'acme/clawctl@main', 'acme/clawctl', 'clawctl@0123456789abcdef0123456789abcdef01234567']) {
      expect(() => parseActionRef(bad), bad).toThrow(/expected OWNER\/REPO@<full commit sha>/);
    }
  });
});
