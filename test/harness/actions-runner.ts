import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { interpolate, shouldRun, type Status, type Value } from './actions-expressions.js';

/**
 * A small GitHub Actions runner for the workflows `clawctl init` writes: it runs a workflow's
 * jobs on this machine the way a hosted runner would, step by step, each `run:` in its shell
 * with the environment Actions gives (GITHUB_EVENT_PATH holding the event, GITHUB_OUTPUT,
 * GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY, GITHUB_* and RUNNER_*), the `env:` each level
 * maps, `${{ }}` evaluated (actions-expressions.ts), `if:` with the status functions, and a job
 * that fails at its first failing step (later steps run only if their `if:` asks for it).
 *
 * What it models of GitHub, because the workflows' safety rests on it:
 * - the workflow file is read from the commit the event is about, and its `on:` (event,
 *   branches, paths) decides whether it runs at all;
 * - GITHUB_TOKEN is not in the environment unless a step maps `github.token`, and it holds
 *   only the workflow's `permissions:` (minted by the local GitHub, which enforces them);
 * - `secrets` are the repository's, plus an environment's only for a job naming that
 *   environment on a branch the environment allows (else the job fails before its steps, as
 *   GitHub refuses it); a pull request from a fork gets none;
 * - every job starts on a fresh machine: its own HOME, workspace and RUNNER_TEMP.
 *
 * `uses:` steps, as far as they can be here:
 * - actions/checkout: a git clone of the bare remote at the event's commit;
 * - actions/setup-node: this machine's Node (already on PATH);
 * - an action from `actionRepos` (clawctl's own action.yml): fetched as GitHub does (the files
 *   of that commit, no .git) and its composite steps run. They run for real in the first job
 *   that uses the action; later jobs of the same runner reuse that install (its PATH and
 *   outputs), as `npm ci` and the build would give the same result again at several times the
 *   test's run time;
 * - actions/cache, actions/upload-artifact, tailscale/github-action: not run here (there is no
 *   cache service, artifact store or tailnet); their steps are reported as such. Any other
 *   action fails the job, so nothing is skipped unnoticed.
 */
export interface RunnerConfig {
  /** The runner's own directory: jobs, downloaded actions. */
  root: string;
  /** owner/name of the repository the workflows belong to. */
  repository: string;
  /** The repository's git remote (a bare repository): what actions/checkout clones. */
  remote: string;
  apiUrl: string;
  serverUrl: string;
  /** A GITHUB_TOKEN holding these permissions (the local GitHub's mintToken). */
  mintToken(permissions: Record<string, string>): string;
  secrets: Record<string, string>;
  /** Deployment environments: their secrets, and the branches allowed to use them. */
  environments: Record<string, { secrets: Record<string, string>; branches: string[] }>;
  vars: Record<string, string>;
  /** Actions this runner can fetch: `owner/repo` → a local git repository holding their commits. */
  actionRepos: Record<string, string>;
  /** What the machine itself has in its environment (PATH, caches), before Actions adds its own. */
  machineEnv: Record<string, string>;
}

export interface GitHubEvent {
  name: string;
  payload: Record<string, unknown>;
  /** GITHUB_SHA and GITHUB_REF of the run. */
  sha: string;
  ref: string;
}

/** The test repository acme/fleet and the person acting on it, as GitHub's events name them. */
export const FLEET_REPOSITORY = { id: 861_530_471, name: 'fleet', full_name: 'acme/fleet', owner: { login: 'acme' }, default_branch: 'main', private: true };
export const SENDER = { login: 'octocat', type: 'User' };

/** A push to main as GitHub sends it: `before` and `after` commits, the head commit's message. */
export function pushEvent(before: string, after: string, message: string): GitHubEvent {
  return {
    name: 'push',
    sha: after,
    ref: 'refs/heads/main',
    payload: {
      ref: 'refs/heads/main',
      before,
      after,
      created: false,
      deleted: false,
      forced: false,
      base_ref: null,
      commits: [{ id: after, message, distinct: true }],
      head_commit: { id: after },
      repository: FLEET_REPOSITORY,
      pusher: { name: 'octocat' },
      sender: SENDER,
    },
  };
}

export interface StepRun {
  name: string;
  uses?: string;
  run?: string;
  outcome: 'success' | 'failure' | 'skipped' | 'not run here';
  /** Why a `uses:` step was not run, or what stood in for it. */
  note?: string;
  /** stdout and stderr, interleaved. */
  log: string;
  /** The environment the step's process got. */
  env: Record<string, string>;
  /** `::error::` and `::warning::` lines it printed. */
  annotations: string[];
}

export interface JobRun {
  job: string;
  conclusion: 'success' | 'failure' | 'skipped';
  /** Why it was skipped, or refused before its steps. */
  reason?: string;
  steps: StepRun[];
  home: string;
  workspace: string;
  /** What the steps wrote to GITHUB_STEP_SUMMARY. */
  summary: string;
}

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string | boolean;
  env?: Record<string, unknown>;
  with?: Record<string, unknown>;
  shell?: string;
  'working-directory'?: string;
  'continue-on-error'?: boolean;
}

interface Job {
  if?: string;
  environment?: string | { name: string };
  permissions?: Record<string, string>;
  env?: Record<string, unknown>;
  steps: Step[];
}

interface Workflow {
  name: string;
  on: Record<string, { branches?: string[]; paths?: string[]; types?: string[] } | null>;
  permissions?: Record<string, string>;
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

/** What running an action left for the job's later steps. */
interface ActionEffects {
  path: string[];
  env: Record<string, string>;
  outputs: Record<string, string>;
}

/** The actions that cannot run here, and why. */
const NOT_RUN: Record<string, string> = {
  'actions/cache': "no cache service here: the OpenClaw toolchain is in this machine's cache (XDG_CACHE_HOME), as a cache hit restores it",
  'actions/upload-artifact': 'no artifact store here',
  'tailscale/github-action': 'no tailnet here: the test hosts are on loopback',
};

/** `fleet/**`, `*.yml`: a workflow's path filter as a regular expression. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Lines a step wrote to GITHUB_OUTPUT or GITHUB_ENV: `name=value` and `name<<DELIMITER` … `DELIMITER`. */
export function parseKeyValueFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]!);
      if (i >= lines.length) throw new Error(`GITHUB_OUTPUT/GITHUB_ENV: ${heredoc[1]}<<${heredoc[2]} is not closed`);
      out[heredoc[1]!] = value.join('\n');
    } else {
      const eq = line.indexOf('=');
      if (eq < 1) throw new Error(`GITHUB_OUTPUT/GITHUB_ENV: cannot read line ${JSON.stringify(line)}`);
      out[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return out;
}

const readIfThere = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');

export class ActionsRunner {
  private runs = 0;
  private readonly installed = new Map<string, ActionEffects>();

  constructor(private readonly cfg: RunnerConfig) {}

  /** The repository's variables (`vars`), to change between runs. */
  get vars(): Record<string, string> {
    return this.cfg.vars;
  }

  private git(...args: string[]): string {
    return execFileSync('git', ['-C', this.cfg.remote, ...args], { encoding: 'utf8' });
  }

  /** The workflow file as the event's commit has it. */
  workflowAt(sha: string, file: string): Workflow {
    return parse(this.git('show', `${sha}:.github/workflows/${file}`)) as Workflow;
  }

  /**
   * Whether the event starts the workflow: its name and activity `types`, and for push and
   * pull_request the branches and paths filters (pull_request_review has none, as on GitHub).
   */
  triggered(workflow: Workflow, event: GitHubEvent): boolean {
    if (!(event.name in workflow.on)) return false;
    const filter = workflow.on[event.name] ?? {};
    const p = event.payload as { action?: string; before?: string; after?: string; pull_request?: { base: { sha: string; ref: string }; head: { sha: string } } };
    if (filter.types && !filter.types.includes(p.action ?? '')) return false;
    if (event.name === 'pull_request_review') return true;
    const branch = event.name === 'pull_request' ? p.pull_request!.base.ref : event.ref.replace(/^refs\/heads\//, '');
    if (filter.branches && !filter.branches.some((b) => globToRegExp(b).test(branch))) return false;
    if (!filter.paths) return true;
    const [from, to] = event.name === 'pull_request' ? [`${p.pull_request!.base.sha}...`, p.pull_request!.head.sha] : [p.before!, p.after!];
    const changed = this.git('diff', '--name-only', event.name === 'pull_request' ? `${from}${to}` : from, ...(event.name === 'pull_request' ? [] : [to]))
      .split('\n')
      .filter(Boolean);
    return changed.some((f) => filter.paths!.some((g) => globToRegExp(g).test(f)));
  }

  /** Run every job of `.github/workflows/<file>` for the event (none when the event does not trigger it). */
  async run(file: string, event: GitHubEvent): Promise<JobRun[]> {
    const workflow = this.workflowAt(event.sha, file);
    if (!this.triggered(workflow, event)) return [];
    const jobs: JobRun[] = [];
    for (const [id, job] of Object.entries(workflow.jobs)) jobs.push(await this.runJob(workflow, id, job, event));
    return jobs;
  }

  private async runJob(workflow: Workflow, jobId: string, job: Job, event: GitHubEvent): Promise<JobRun> {
    const n = ++this.runs;
    const dir = join(this.cfg.root, 'jobs', `${n}-${jobId}`);
    const home = join(dir, 'home');
    const workspace = join(dir, 'work', this.cfg.repository.split('/')[1]!);
    const temp = join(dir, 'temp');
    for (const d of [home, workspace, temp]) mkdirSync(d, { recursive: true });
    const eventPath = join(temp, 'event.json');
    writeFileSync(eventPath, JSON.stringify(event.payload, null, 2));
    const summaryPath = join(temp, 'step_summary');
    writeFileSync(summaryPath, '');
    const result: JobRun = { job: jobId, conclusion: 'success', steps: [], home, workspace, summary: '' };

    const pr = event.payload.pull_request as { head: { ref: string; repo: { full_name: string } }; base: { ref: string } } | undefined;
    const fromFork = pr !== undefined && pr.head.repo.full_name !== this.cfg.repository;
    const token = this.cfg.mintToken(job.permissions ?? workflow.permissions ?? { contents: 'write', issues: 'write', 'pull-requests': 'write' });
    const runId = String(4_000_000_000 + n);
    const github: Record<string, Value> = {
      event: event.payload as Value,
      event_name: event.name,
      event_path: eventPath,
      repository: this.cfg.repository,
      repository_owner: this.cfg.repository.split('/')[0]!,
      sha: event.sha,
      ref: event.ref,
      ref_name: event.ref.replace(/^refs\/(heads|tags)\//, ''),
      head_ref: pr?.head.ref ?? '',
      base_ref: pr?.base.ref ?? '',
      token,
      server_url: this.cfg.serverUrl,
      api_url: this.cfg.apiUrl,
      graphql_url: `${this.cfg.apiUrl}/graphql`,
      run_id: runId,
      run_number: String(n),
      run_attempt: '1',
      actor: 'octocat',
      triggering_actor: 'octocat',
      workflow: workflow.name,
      job: jobId,
      workspace,
    };
    const environment = typeof job.environment === 'string' ? job.environment : job.environment?.name;
    const secrets: Record<string, Value> = { ...(fromFork ? {} : this.cfg.secrets), GITHUB_TOKEN: token };
    const contexts: Record<string, Value> = {
      github,
      vars: { ...this.cfg.vars },
      secrets,
      inputs: ((event.payload.inputs as Value) ?? {}) as Value,
      env: {},
      steps: {},
      job: { status: 'success' },
      runner: { os: 'Linux', arch: 'X64', temp, name: 'clawctl-test' },
      needs: {},
      matrix: {},
      strategy: {},
    };

    if (!shouldRun(job.if, contexts, { failed: false })) return { ...result, conclusion: 'skipped', reason: `if: ${job.if}` };
    if (environment) {
      const env = this.cfg.environments[environment];
      const branch = event.ref.replace(/^refs\/heads\//, '');
      if (!env || !event.ref.startsWith('refs/heads/') || !env.branches.includes(branch)) {
        return { ...result, conclusion: 'failure', reason: `Branch "${event.ref.replace(/^refs\/heads\//, '')}" is not allowed to deploy to ${environment} due to environment protection rules.` };
      }
      Object.assign(secrets, env.secrets);
    }

    const base: Record<string, string> = {
      ...this.cfg.machineEnv,
      HOME: home,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTOR: 'octocat',
      GITHUB_API_URL: this.cfg.apiUrl,
      GITHUB_BASE_REF: pr?.base.ref ?? '',
      GITHUB_EVENT_NAME: event.name,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_GRAPHQL_URL: `${this.cfg.apiUrl}/graphql`,
      GITHUB_HEAD_REF: pr?.head.ref ?? '',
      GITHUB_JOB: jobId,
      GITHUB_REF: event.ref,
      GITHUB_REF_NAME: String(github.ref_name),
      GITHUB_REF_TYPE: 'branch',
      GITHUB_REPOSITORY: this.cfg.repository,
      GITHUB_REPOSITORY_OWNER: String(github.repository_owner),
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_RUN_ID: runId,
      GITHUB_RUN_NUMBER: String(n),
      GITHUB_SERVER_URL: this.cfg.serverUrl,
      GITHUB_SHA: event.sha,
      GITHUB_STEP_SUMMARY: summaryPath,
      GITHUB_WORKFLOW: workflow.name,
      GITHUB_WORKSPACE: workspace,
      RUNNER_ARCH: 'X64',
      RUNNER_NAME: 'clawctl-test',
      RUNNER_OS: 'Linux',
      RUNNER_TEMP: temp,
      RUNNER_TOOL_CACHE: join(dir, 'toolcache'),
    };
    const job$ = { dir, temp, base, contexts, event, workspace, path: [] as string[], addedEnv: {} as Record<string, string>, status: { failed: false } as Status, result };
    // Workflow and job env, each level able to read the one before.
    const env = contexts.env as Record<string, Value>;
    for (const level of [workflow.env, job.env]) for (const [k, v] of Object.entries(level ?? {})) env[k] = interpolate(String(v), contexts);

    await this.runSteps(job.steps, job$, contexts, '');
    result.summary = readIfThere(summaryPath);
    result.conclusion = job$.status.failed ? 'failure' : 'success';
    return result;
  }

  /** Steps of a job, or of a composite action (with its own `steps` and `inputs` contexts). */
  private async runSteps(steps: Step[], job: JobState, contexts: Record<string, Value>, prefix: string): Promise<void> {
    let index = 0;
    for (const step of steps) {
      index++;
      const name = prefix + (step.name ?? (step.uses ? step.uses : `Run ${step.run!.split('\n')[0]}`));
      const record: StepRun = { name, uses: step.uses, run: step.run, outcome: 'skipped', log: '', env: {}, annotations: [] };
      job.result.steps.push(record);
      if (!shouldRun(step.if, contexts, job.status)) continue;
      const stepEnv: Record<string, Value> = { ...(contexts.env as Record<string, Value>), ...job.addedEnv };
      const scoped = { ...contexts, env: stepEnv };
      for (const [k, v] of Object.entries(step.env ?? {})) stepEnv[k] = interpolate(String(v), scoped, job.status);
      const stepId = step.id ?? `__${prefix ? 'action' : 'run'}_${index}`;
      let ok: boolean;
      let outputs: Record<string, string> = {};
      if (step.run !== undefined) {
        const res = await this.runScript(step, job, scoped, stepEnv, record, stepId);
        ok = res.ok;
        outputs = res.outputs;
      } else {
        const res = await this.useAction(step, job, scoped, stepEnv, record);
        ok = res.ok;
        outputs = res.outputs;
      }
      record.outcome = record.outcome === 'not run here' ? record.outcome : ok ? 'success' : 'failure';
      (contexts.steps as Record<string, Value>)[stepId] = { outputs, outcome: ok ? 'success' : 'failure', conclusion: ok || step['continue-on-error'] ? 'success' : 'failure' };
      if (!ok && !step['continue-on-error']) job.status.failed = true;
    }
  }

  /** Run one `run:` step's script in its shell, as the runner does (a script file, `bash -e {0}` by default). */
  private async runScript(
    step: Step,
    job: JobState,
    contexts: Record<string, Value>,
    stepEnv: Record<string, Value>,
    record: StepRun,
    stepId: string,
  ): Promise<{ ok: boolean; outputs: Record<string, string> }> {
    const script = interpolate(step.run!, contexts, job.status);
    const token = randomBytes(6).toString('hex');
    const file = join(job.temp, `${token}.sh`);
    writeFileSync(file, script);
    const files = {
      GITHUB_OUTPUT: join(job.temp, `output_${token}`),
      GITHUB_ENV: join(job.temp, `env_${token}`),
      GITHUB_PATH: join(job.temp, `path_${token}`),
      GITHUB_STATE: join(job.temp, `state_${token}`),
    };
    for (const f of Object.values(files)) writeFileSync(f, '');
    const shell = step.shell;
    const argv =
      shell === undefined
        ? ['bash', '-e', file]
        : shell === 'bash'
          ? ['bash', '--noprofile', '--norc', '-eo', 'pipefail', file]
          : shell === 'sh'
            ? ['sh', '-e', file]
            : String(shell)
                .split(/\s+/)
                .map((w) => w.replace('{0}', file));
    const wd = step['working-directory'] ? interpolate(step['working-directory'], contexts) : undefined;
    const env: Record<string, string> = {
      ...job.base,
      ...Object.fromEntries(Object.entries(stepEnv).map(([k, v]) => [k, String(v)])),
      ...files,
      GITHUB_ACTION: stepId,
      ...(job.action ? { GITHUB_ACTION_PATH: job.action.path, GITHUB_ACTION_REPOSITORY: job.action.repository, GITHUB_ACTION_REF: job.action.ref } : {}),
      PATH: [...job.path, job.base.PATH].join(':'),
    };
    record.env = env;
    const { code, log } = await new Promise<{ code: number; log: string }>((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { cwd: wd ? (isAbsolute(wd) ? wd : join(job.workspace, wd)) : job.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
      child.on('error', reject);
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve({ code: c ?? 1, log: out });
      });
    });
    record.log = log;
    record.annotations = log.split('\n').filter((l) => /^::(error|warning|notice)\b/.test(l));
    Object.assign(job.addedEnv, parseKeyValueFile(readIfThere(files.GITHUB_ENV)));
    job.path.unshift(...readIfThere(files.GITHUB_PATH).split('\n').filter(Boolean).reverse());
    return { ok: code === 0, outputs: parseKeyValueFile(readIfThere(files.GITHUB_OUTPUT)) };
  }

  private async useAction(step: Step, job: JobState, contexts: Record<string, Value>, stepEnv: Record<string, Value>, record: StepRun): Promise<{ ok: boolean; outputs: Record<string, string> }> {
    const uses = step.uses!;
    const m = /^([^/@\s]+\/[^/@\s]+)@(\S+)$/.exec(uses);
    if (!m) throw new Error(`uses: ${uses} is not owner/repo@ref`);
    const [, repo, ref] = m as unknown as [string, string, string];
    if (repo === 'actions/checkout') {
      execFileSync('git', ['clone', '-q', '--no-checkout', this.cfg.remote, job.workspace]);
      execFileSync('git', ['-C', job.workspace, 'checkout', '-q', '--detach', job.event.sha]);
      record.note = `git clone of ${this.cfg.remote} at ${job.event.sha}`;
      return { ok: true, outputs: {} };
    }
    if (repo === 'actions/setup-node') {
      record.note = `this machine's Node ${process.version}`;
      return { ok: true, outputs: { 'node-version': process.version } };
    }
    if (NOT_RUN[repo]) {
      record.outcome = 'not run here';
      record.note = NOT_RUN[repo];
      return { ok: true, outputs: {} };
    }
    const source = this.cfg.actionRepos[repo];
    if (!source) throw new Error(`uses: ${uses}: this runner cannot run that action`);
    const key = `${repo}@${ref}`;
    const reused = this.installed.get(key);
    if (reused) {
      job.path.unshift(...reused.path);
      Object.assign(job.addedEnv, reused.env);
      record.note = 'reused the install of an earlier job';
      return { ok: true, outputs: reused.outputs };
    }
    // As GitHub downloads it: the files of that commit, without .git.
    const path = join(this.cfg.root, '_actions', repo, ref);
    if (!existsSync(path)) {
      mkdirSync(path, { recursive: true });
      execFileSync('sh', ['-c', 'git -C "$1" archive "$2" | tar -x -C "$3"', 'sh', source, ref, path]);
    }
    const action = parse(readFileSync(join(path, 'action.yml'), 'utf8')) as {
      inputs?: Record<string, { default?: string }>;
      outputs?: Record<string, { value: string }>;
      runs: { using: string; steps: Step[] };
    };
    if (action.runs.using !== 'composite') throw new Error(`${uses}: only composite actions run here`);
    const inputs: Record<string, Value> = {};
    for (const [name, spec] of Object.entries(action.inputs ?? {})) {
      const given = step.with?.[name];
      inputs[name] = given !== undefined ? interpolate(String(given), contexts) : spec.default !== undefined ? interpolate(String(spec.default), contexts) : '';
    }
    const before = { path: job.path.length, env: { ...job.addedEnv } };
    const inner: Record<string, Value> = {
      ...contexts,
      env: stepEnv,
      inputs,
      steps: {},
      github: { ...(contexts.github as Record<string, Value>), action_path: path, action_repository: repo, action_ref: ref },
    };
    const outer = job.action;
    job.action = { path, repository: repo, ref };
    await this.runSteps(action.runs.steps, job, inner, `${repo} › `);
    job.action = outer;
    const ok = !job.status.failed;
    const outputs = Object.fromEntries(Object.entries(action.outputs ?? {}).map(([k, o]) => [k, interpolate(o.value, inner)]));
    if (ok) {
      this.installed.set(key, { path: job.path.slice(0, job.path.length - before.path), env: Object.fromEntries(Object.entries(job.addedEnv).filter(([k, v]) => before.env[k] !== v)), outputs });
    }
    record.note = `composite action from ${source} at ${ref}`;
    return { ok, outputs };
  }
}

interface JobState {
  dir: string;
  temp: string;
  base: Record<string, string>;
  contexts: Record<string, Value>;
  event: GitHubEvent;
  workspace: string;
  path: string[];
  addedEnv: Record<string, string>;
  status: Status;
  result: JobRun;
  action?: { path: string; repository: string; ref: string };
}
