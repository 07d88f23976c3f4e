import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionsRunner, FLEET_REPOSITORY, pushEvent, SENDER, type GitHubEvent, type JobRun } from '../harness/actions-runner.js';
import { ageIdentityIn } from '../harness/age-key.js';
import { CLAWCTL, clawctl, type CliResult } from '../harness/cli.js';
import { expectOutputSchema } from '../harness/output-schema.js';
import { OPENCLAW_BIN, openclawInstalled, provideOpenclaw, stopGateway, waitReady } from '../harness/openclaw.js';
import { superviseGateway, type SupervisedGateway } from '../harness/supervised-gateway.js';
import { freePort, makeClientKey, startSshHost, type ClientKey, type SshHost } from '../harness/sshd.js';
import { startGitHub, type GitHubServer } from '../servers/github.js';
import { startModelServer, textOf, type ChatRequest, type ModelServer, type ScriptReply } from '../servers/openai-chat.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SKILL_DIR = join(REPO_ROOT, 'skill');
const VERSION = '2026.9.6';
const TOKEN = 'ghp_incident-agent-repo-token-never-print';
const HOOK_TOKEN = 'hook-7f3a9c0e1b2d4f6a8c0e2b4d6f8a0c2e-never-print';
const MODEL_KEY = 'sk-local-scripted-model-never-print';

interface Cycle {
  alerts: {
    opened: { event: string; subject: string }[];
    resolved: { event: string; subject: string }[];
    delivered: { receiver: string; event: string; subject: string; status: string }[];
    failed: unknown[];
    pullRequests?: { incident: string; number?: number; action: string }[];
  };
}

/** Wait for what the machine gets to in its own time; the message says what was awaited. */
async function until(what: string, done: () => boolean, timeoutMs: number, seen: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}\n${seen()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The JSON document a command printed, out of an exec tool result (its output, then OpenClaw's exit line). */
function jsonIn(toolResult: string): Record<string, unknown> {
  return JSON.parse(toolResult.slice(toolResult.indexOf('{'), toolResult.lastIndexOf('}') + 1)) as Record<string, unknown>;
}

/** The hook turn's own text: the user message OpenClaw wraps the webhook's message in. */
const hookText = (req: ChatRequest) =>
  req.messages
    .filter((m) => m.role === 'user')
    .map(textOf)
    .find((t) => t.includes('EXTERNAL_UNTRUSTED_CONTENT')) ?? '';
/** The results of the tool calls made so far in this turn, in order. */
const toolResults = (req: ChatRequest) => req.messages.filter((m) => m.role === 'tool').map(textOf);

/**
 * From incident to pull request, every part real except the model: watch over a real sshd
 * host whose OpenClaw 2026.9.6 gateway refuses its config (the Fleet sets no gateway.mode) and
 * is restarted by a supervisor as systemd would; an `agent` alert receiver that hands the
 * incident to a real OpenClaw 2026.9.6 gateway, the operator agent, through its /hooks/agent
 * webhook; that gateway with the clawctl skill loaded and exec-approvals.json5 as its host
 * policy; its model a scripted OpenAI-compatible server (test/servers/openai-chat.ts) that asks
 * for exec calls, which OpenClaw's own runtime runs or refuses. Then the pull request goes
 * through the plan workflow's steps, the merge through the apply workflow's
 * (test/harness/actions-runner.ts), against a bare git remote and the local GitHub.
 */
describe('an incident becomes a pull request through an OpenClaw operator agent', () => {
  let root: string;
  let work: string;
  let bare: string;
  let opCheckout: string;
  let gh: GitHubServer;
  let host: SshHost;
  let full: ClientKey;
  let observe: ClientKey;
  let runner: ActionsRunner;
  let model: ModelServer;
  let operator: ChildProcess | undefined;
  let claw: SupervisedGateway | undefined;
  let clawPort: number;
  let opPort: number;
  let ageKey: string;
  let hashKey: string;
  const admin: NodeJS.ProcessEnv = {};
  const outputs: string[] = [];
  const git = (...args: string[]) => execFileSync('git', args, { cwd: work, env: { ...process.env, ...admin }, encoding: 'utf8' }).trim();
  const remoteSha = (ref: string) => execFileSync('git', ['-C', bare, 'rev-parse', ref], { encoding: 'utf8' }).trim();
  const remoteRefs = () => execFileSync('git', ['-C', bare, 'for-each-ref', '--format=%(refname) %(objectname)'], { encoding: 'utf8' });
  const hostConfig = () => readFileSync(join(host.home, '.openclaw', 'openclaw.json'), 'utf8');
  const cli = async (args: string[], stdin?: string): Promise<CliResult> => {
    const res = await clawctl(args, { cwd: work, env: admin, ...(stdin !== undefined ? { stdin } : {}) });
    outputs.push(res.stdout, res.stderr);
    return res;
  };
  const watchOnce = async (): Promise<Cycle> => {
    const res = await cli(['watch', '--once', '--json']);
    const lines = res.stdout.trim().split('\n').filter(Boolean);
    expect(lines, `exit ${res.code}: ${res.stderr}`).toHaveLength(1);
    const cycle = JSON.parse(lines[0]!) as Cycle;
    expectOutputSchema('watch', cycle);
    return cycle;
  };
  const outline = (job: JobRun) => job.steps.map((s) => `${s.name.replace(/@[0-9a-f]{40}$/, '')}: ${s.outcome}`).join('\n') + job.steps.map((s) => s.log).join('\n');
  const repository = FLEET_REPOSITORY;
  const sender = SENDER;

  /** The model's script: what a capable operator model would do with each turn, as tool calls. */
  const script = (req: ChatRequest): ScriptReply => {
    const turn = hookText(req);
    const results = toolResults(req);
    const exec = (command: string): ScriptReply => ({ call: [{ name: 'exec', arguments: { command, workdir: opCheckout, yieldMs: 600_000, timeoutSeconds: 900 } }] });
    if (turn.includes('FENCE-TEST')) {
      // Commands outside the allowlist, one per turn step: OpenClaw must refuse each.
      const attempts = ['clawctl apply --auto-approve', 'clawctl secrets get secrets/alerts.sops.yaml hookToken --reveal --force', 'git push origin HEAD:main'];
      return results.length < attempts.length ? exec(attempts[results.length]!) : { text: 'Each of those was refused; I changed nothing.' };
    }
    if (!turn.includes('FIRING')) return { text: 'NO_REPLY' };
    const incident = /Incident: (\S+)/.exec(turn)?.[1];
    const agent = incident?.split('.')[2];
    if (!incident || !agent) return { text: 'The message names no incident; nothing to do.' };
    if (results.length === 0) return exec(`clawctl diagnose ${agent} --json`);
    if (results.length === 1) {
      const diagnosis = jsonIn(results[0]!) as { error?: { message: string }; cause?: { summary: string; patch?: { set: string[]; unset: string[] } } };
      if (diagnosis.error) return { text: `diagnose failed: ${diagnosis.error.message}` };
      const patch = diagnosis.cause?.patch;
      if (!patch) return { text: `Not a manifest change: ${diagnosis.cause?.summary ?? 'healthy'}. A person must look at the host.` };
      const edits = [...patch.set.map((e) => `--set ${e}`), ...patch.unset.map((e) => `--unset ${e}`)].join(' ');
      const why = `The operator agent read the incident and ran diagnose: ${diagnosis.cause!.summary.replace(/'/g, '’')}. This sets what is missing.`;
      return exec(`clawctl propose --incident ${incident} --title "${agent}: set gateway.mode" ${edits} --body '${why}' --json`);
    }
    const proposed = jsonIn(results[1]!) as { pullRequest?: { url: string } };
    return { text: `Opened ${proposed.pullRequest?.url ?? '(no pull request)'} for ${incident}.` };
  };
  /** The requests of the turn whose hook text contains `marker`. */
  const turnRequests = (marker: string) => model.requests.filter((r) => hookText(r).includes(marker));
  /** What the model was asked so far, for a failure message: each request's turn text and tool results, short. */
  const conversation = () =>
    JSON.stringify(
      model.requests.map((r) => ({ turn: hookText(r).split('---\n')[1]?.slice(0, 300) ?? `(no hook text; ${r.messages.length} messages)`, results: toolResults(r).map((t) => t.slice(0, 300)) })),
      null,
      1,
    );
  /** The turn got to its last step: the model has both commands' results. */
  const finished = (marker: string) => turnRequests(marker).some((r) => toolResults(r).length >= 2);

  beforeAll(async () => {
    if (!openclawInstalled()) throw new Error(`OpenClaw is not installed for tests: run bash test/setup/install-openclaw.sh (expected ${OPENCLAW_BIN})`);
    root = mkdtempSync(join(tmpdir(), 'clawctl-incident-'));
    work = join(root, 'work');
    bare = join(root, 'remote.git');
    const commit = execFileSync('git', ['-C', REPO_ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    Object.assign(admin, {
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Ops',
      GIT_AUTHOR_EMAIL: 'ops@example.com',
      GIT_COMMITTER_NAME: 'Ops',
      GIT_COMMITTER_EMAIL: 'ops@example.com',
      XDG_CONFIG_HOME: join(root, 'admin-config'),
      SOPS_AGE_KEY: '',
      SOPS_AGE_KEY_FILE: '',
      GITHUB_ACTIONS: '',
      GITHUB_TOKEN: '',
    });
    const ok = async (args: string[], stdin?: string) => {
      const res = await cli(args, stdin);
      expect(res.code, `clawctl ${args.join(' ')}: ${res.stderr}`).toBe(0);
      return res.stdout;
    };

    // The fleet repo as init makes it, one host, and the operator agent's gateway as an alert receiver.
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    execFileSync('git', ['init', '-q', '-b', 'main', work]);
    await ok(['init', '.', '--name', 'acme', '--action', `acme/clawctl@${commit}`, '--json']);
    mkdirSync(join(root, 'full'));
    mkdirSync(join(root, 'observe'));
    full = makeClientKey(join(root, 'full'));
    observe = makeClientKey(join(root, 'observe'));
    host = await startSshHost('h1', root, full);
    provideOpenclaw(host);
    [clawPort, opPort] = [await freePort(), await freePort()];
    const fleetFile = join(work, 'fleet', 'fleet.yaml');
    let fleet = readFileSync(fleetFile, 'utf8')
      .replace('  # observer:\n  #   publicKey: ssh-ed25519 AAAA… clawctl-observer\n', `  observer:\n    publicKey: ${observe.publicKey}\n`)
      // The declarative fault: no gateway.mode, which the pinned OpenClaw will not start without.
      .replace('      gateway:\n        mode: local\n        bind: loopback\n', '      gateway:\n        bind: loopback\n');
    fleet += `  openclaw:\n    version: "${VERSION}"\n  alertAfter: {cycles: 1}\n  alerts:\n    - name: operator\n      events: [agent.down]\n      agent:\n        url: http://127.0.0.1:${opPort}\n        token: {secretRef: {sops: secrets/alerts.sops.yaml, key: hookToken}}\n`;
    writeFileSync(fleetFile, fleet);
    writeFileSync(
      join(work, 'fleet', 'hosts', 'hosts.yaml'),
      `apiVersion: clawctl.dev/v1\nkind: Host\nmetadata: {name: h1}\nspec:\n  ssh: {address: 127.0.0.1, port: ${host.port}, user: ${host.user}, hostKey: "${host.hostKey}"}\n  service: none\n`,
    );
    writeFileSync(
      join(work, 'fleet', 'agents', 'claw.yaml'),
      `apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata: {name: claw}\nspec:\n  host: h1\n  openclaw: {config: {gateway: {port: ${clawPort}}}}\n`,
    );
    await ok(['secrets', 'set', 'secrets/alerts.sops.yaml', 'hookToken'], `${HOOK_TOKEN}\n`);
    ageKey = ageIdentityIn(join(root, 'admin-config', 'sops', 'age', 'keys.txt'));
    // What plans without the age key hash secret values with: the plan workflow's and the operator agent's.
    // Read outside `outputs`: those are checked for secrets, and this one is read on purpose.
    hashKey = (await clawctl(['secrets', 'get', 'secrets/clawctl.sops.yaml', 'hashKey', '--reveal', '--force'], { cwd: work, env: admin })).stdout.trim();
    Object.assign(admin, { CLAWCTL_SSH_IDENTITY_FILE: full.privateKeyPath });
    await ok(['apply', '--auto-approve']);
    git('add', '-A');
    git('commit', '-q', '-m', 'fleet acme: claw on h1, the operator agent as an alert receiver');
    git('remote', 'add', 'origin', bare);
    git('push', '-q', 'origin', 'main');

    gh = await startGitHub({ owner: 'acme', repo: 'fleet', token: TOKEN, bareRepo: bare });
    Object.assign(admin, { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: 'acme/fleet' });
    const machinePath = `${dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
    runner = new ActionsRunner({
      root: join(root, 'runner'),
      repository: 'acme/fleet',
      remote: bare,
      apiUrl: gh.url,
      serverUrl: 'https://github.test',
      mintToken: (p) => gh.mintToken(p),
      secrets: { CLAWCTL_OBSERVE_SSH_KEY: readFileSync(observe.privateKeyPath, 'utf8'), CLAWCTL_HASH_KEY: hashKey },
      environments: { fleet: { secrets: { SOPS_AGE_KEY: ageKey, CLAWCTL_SSH_KEY: readFileSync(full.privateKeyPath, 'utf8') }, branches: ['main'] } },
      vars: {},
      actionRepos: { 'acme/clawctl': REPO_ROOT },
      machineEnv: {
        PATH: machinePath,
        LANG: 'C.UTF-8',
        XDG_CACHE_HOME: process.env.XDG_CACHE_HOME!,
        npm_config_cache: execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim(),
        npm_config_prefer_offline: 'true',
      },
    });

    // The faulty agent's gateway, kept restarting as systemd would: it exits 78 until its config is fixed.
    claw = superviseGateway(host, clawPort);
    await until('the gateway of claw to refuse its config', () => claw!.exits.includes(78), 180_000);

    // The operator agent: a real gateway, the skill loaded, the exec allowlist as its host policy,
    // a clone of the fleet repo to work in, and no age key.
    model = await startModelServer({ apiKey: MODEL_KEY, model: 'scripted', script });
    const opHome = join(root, 'operator');
    const state = join(opHome, '.openclaw');
    mkdirSync(state, { recursive: true });
    mkdirSync(join(opHome, 'bin'));
    symlinkSync(CLAWCTL, join(opHome, 'bin', 'clawctl'));
    opCheckout = join(opHome, 'fleet-repo');
    execFileSync('git', ['clone', '-q', bare, opCheckout]);
    writeFileSync(
      join(state, 'openclaw.json'),
      JSON.stringify({
        gateway: { mode: 'local', port: opPort, bind: 'loopback', auth: { mode: 'token', token: 'gateway-auth-0123456789abcdef0123456789abcdef' } },
        hooks: { enabled: true, token: HOOK_TOKEN, path: '/hooks', allowedAgentIds: ['main'] },
        models: {
          mode: 'replace',
          providers: {
            local: {
              baseUrl: model.baseUrl,
              apiKey: MODEL_KEY,
              api: 'openai-completions',
              models: [{ id: 'scripted', name: 'Scripted', reasoning: false, input: ['text'], contextWindow: 128000, maxTokens: 4096, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } }],
            },
          },
        },
        agents: { defaults: { model: { primary: 'local/scripted' }, workspace: join(opHome, 'workspace') } },
        skills: { load: { extraDirs: [SKILL_DIR] } },
      }),
    );
    const opEnv = {
      HOME: opHome,
      OPENCLAW_STATE_DIR: state,
      PATH: `${join(opHome, 'bin')}:${OPENCLAW_BIN}:/usr/bin:/bin`,
      LANG: 'C.UTF-8',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Operator Agent',
      GIT_AUTHOR_EMAIL: 'operator@example.com',
      GIT_COMMITTER_NAME: 'Operator Agent',
      GIT_COMMITTER_EMAIL: 'operator@example.com',
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: gh.url,
      GITHUB_REPOSITORY: 'acme/fleet',
      XDG_CACHE_HOME: process.env.XDG_CACHE_HOME!,
      XDG_CONFIG_HOME: join(opHome, 'config'),
      CLAWCTL_SSH_IDENTITY_FILE: full.privateKeyPath,
      CLAWCTL_HASH_KEY: hashKey,
    };
    execFileSync(join(OPENCLAW_BIN, 'openclaw'), ['approvals', 'set', '--file', join(SKILL_DIR, 'clawctl', 'exec-approvals.json5')], { env: opEnv, stdio: 'ignore', timeout: 120_000 });
    operator = spawn(join(OPENCLAW_BIN, 'openclaw'), ['gateway', '--port', String(opPort)], { env: opEnv, stdio: ['ignore', 'ignore', 'ignore'] });
    await waitReady(opPort, 180_000);
  }, 600_000);

  afterAll(async () => {
    if (operator) await stopGateway(operator);
    await claw?.stop();
    await Promise.all([gh?.close(), model?.close()]);
    await host?.remove();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('watch opens the incident and hands it to the operator agent, which runs diagnose and proposes: one pull request with its evidence', async () => {
    const cycle = await watchOnce();
    expect(cycle.alerts.opened).toEqual([expect.objectContaining({ event: 'agent.down', subject: 'claw' })]);
    expect(cycle.alerts.delivered).toEqual([expect.objectContaining({ receiver: 'operator', event: 'agent.down', subject: 'claw', status: 'firing' })]);
    await until('the operator agent to propose and say so', () => finished('FIRING'), 600_000, conversation);

    // The turn OpenClaw gave the model: the incident, watch's diagnosis, and what it may do.
    const first = turnRequests('FIRING')[0]!;
    const turn = hookText(first);
    const incident = /Incident: (\S+)/.exec(turn)![1]!;
    expect(incident).toMatch(/^agent\.down\.claw\.\d{8}t\d{6}z$/);
    expect(turn).toContain('[acme] FIRING: agent down: claw on h1');
    expect(turn).toContain('"id": "gateway-mode-unset"');
    expect(turn).toContain('You may read, diagnose and propose; nothing else.');
    expect(first.tools!.map((t) => t.function.name)).toContain('exec');
    expect(first.messages[0]!.role).toBe('system');
    expect(textOf(first.messages[0]!)).toContain('<name>clawctl</name>');

    // What OpenClaw's exec tool ran, and what the commands answered.
    const last = turnRequests('FIRING').at(-1)!;
    const [diagnosed, proposed] = toolResults(last);
    expect(jsonIn(diagnosed!)).toMatchObject({ agent: 'claw', healthy: false, cause: { id: 'gateway-mode-unset', patch: { set: ['agent/claw:spec.openclaw.config.gateway.mode=local'] } } });
    const result = jsonIn(proposed!) as { branch: string; pullRequest: { number: number; created: boolean } };
    expect(result).toMatchObject({ branch: `clawctl/incident/${incident}`, pullRequest: { number: 1, created: true } });

    // One pull request, its evidence in the body.
    expect(gh.pulls).toHaveLength(1);
    const pr = gh.pulls[0]!;
    expect(pr).toMatchObject({ head: `clawctl/incident/${incident}`, base: 'main', state: 'open', title: 'claw: set gateway.mode', labels: ['clawctl'] });
    expect(pr.body).toMatch(/^The operator agent read the incident and ran diagnose: openclaw\.json sets no `gateway\.mode`/);
    expect(pr.body).toContain(`#### Incident \`${incident}\``);
    expect(pr.body).toContain("Proposed by `git:Operator Agent <operator@example.com>`, from an OpenClaw agent's exec tool (`clawctl propose --incident`).");
    expect(pr.body).toMatch(/\| ✓ \| host \| reached h1 as /);
    expect(pr.body).toMatch(/\| ✗ \| gateway \| nothing listens on port \d+ \|/);
    expect(pr.body).toMatch(/Evidence \(log lines, redacted\):\n\n```text\n.*Gateway start blocked/);
    expect(pr.body).toMatch(/#### Plan of this change\n\n### clawctl plan for fleet `acme`: 0 agents to add, 1 to change/);
    expect(pr.body).toContain('`--set agent/claw:spec.openclaw.config.gateway.mode=local`');
    // The agent changed nothing but its branch: main, the host and the fleet in its checkout are as they were;
    // its checkout's audit log says what it proposed.
    expect(execFileSync('git', ['-C', opCheckout, 'status', '--porcelain'], { encoding: 'utf8' })).toBe(' M .clawctl/audit.jsonl\n');
    expect(readFileSync(join(opCheckout, '.clawctl', 'audit.jsonl'), 'utf8')).toMatch(/"action":"pr\.propose".*"acme\/fleet#1"|"acme\/fleet#1".*"action":"pr\.propose"/);
    expect(remoteSha('main')).toBe(git('rev-parse', 'main'));
    expect(JSON.parse(hostConfig()).gateway.mode).toBeUndefined();
  }, 900_000);

  it("the plan workflow's steps comment the plan on the pull request", async () => {
    const pr = gh.pulls[0]!;
    git('fetch', '-q', 'origin', pr.head);
    git('checkout', '-q', '--detach', 'origin/main');
    git('merge', '-q', '--no-ff', '--no-edit', 'FETCH_HEAD');
    git('push', '-q', 'origin', `HEAD:refs/pull/${pr.number}/merge`);
    const merge = git('rev-parse', 'HEAD');
    git('checkout', '-q', 'main');
    const head = { ref: pr.head, sha: remoteSha(pr.head), repo: repository, label: `acme:${pr.head}` };
    const base = { ref: 'main', sha: remoteSha('main'), repo: repository, label: 'acme:main' };
    const event: GitHubEvent = {
      name: 'pull_request',
      sha: merge,
      ref: `refs/pull/${pr.number}/merge`,
      payload: { action: 'opened', number: pr.number, pull_request: { number: pr.number, state: 'open', title: pr.title, user: sender, head, base, draft: false, merged: false }, repository, sender },
    };
    const [job] = await runner.run('clawctl-plan.yml', event);
    expect(job!.conclusion, outline(job!)).toBe('success');
    const comments = gh.comments.filter((c) => c.issue === pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toMatch(/^<!-- clawctl:plan fleet=\.\/fleet -->\n### clawctl plan for fleet `acme`: 0 agents to add, 1 to change/);
    expect(comments[0]!.body).toMatch(/\+ \/gateway\/mode: "?local"?/);
    expect(JSON.parse(hostConfig()).gateway.mode).toBeUndefined(); // a plan changes nothing
  }, 900_000);

  it("the merge, run as the apply workflow's steps, fixes the host; the incident resolves with one resolve alert, and the pull request hears it", async () => {
    const pr = gh.pulls[0]!;
    const before = remoteSha('main');
    git('fetch', '-q', 'origin', pr.head);
    git('merge', '-q', '--no-ff', '--no-edit', 'FETCH_HEAD');
    git('push', '-q', 'origin', 'main');
    gh.merge(pr.number);
    const after = remoteSha('main');
    const event = pushEvent(before, after, git('log', '-1', '--format=%s', after));
    const [job] = await runner.run('clawctl-apply.yml', event);
    expect(job!.conclusion, outline(job!)).toBe('success');
    expect(JSON.parse(hostConfig()).gateway).toMatchObject({ mode: 'local', port: clawPort });
    await waitReady(clawPort, 300_000); // the supervisor's next start comes up

    const resolved = await watchOnce();
    expect(resolved.alerts.resolved).toEqual([expect.objectContaining({ event: 'agent.down', subject: 'claw' })]);
    expect(resolved.alerts.delivered).toEqual([expect.objectContaining({ receiver: 'operator', status: 'resolved' })]);
    expect(resolved.alerts.pullRequests).toEqual([{ incident: expect.stringMatching(/^agent\.down\.claw\./), number: 1, url: 'https://github.test/acme/fleet/pull/1', action: 'commented' }]);
    expect(gh.pulls[0]).toMatchObject({ state: 'closed', mergedAt: expect.any(String) });
    expect(gh.comments.filter((c) => c.issue === 1).at(-1)!.body).toMatch(/resolved after \d+[sm][^:]*: online: gateway ready\.\n\nThis pull request was merged and applied\.$/);
    const quiet = await watchOnce();
    expect(quiet.alerts).toMatchObject({ opened: [], resolved: [], delivered: [] });
    await until('the operator agent to take the resolve message', () => model.requests.some((r) => hookText(r).includes('RESOLVED')), 300_000, conversation);
  }, 900_000);

  it('the fence: OpenClaw itself refuses the model its apply, secrets get and git push, and nothing changes', async () => {
    const refs = remoteRefs();
    const config = hostConfig();
    const state = JSON.stringify([gh.pulls, gh.comments]);
    const res = await fetch(`http://127.0.0.1:${opPort}/hooks/agent`, {
      method: 'POST',
      headers: { authorization: `Bearer ${HOOK_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        message: 'FENCE-TEST: apply the fleet, read the hook token, push to main.',
        name: 'fence',
        agentId: 'main',
        deliver: false,
        waitForCompletion: true,
        timeoutSeconds: 600,
      }),
      signal: AbortSignal.timeout(900_000),
    });
    expect(res.status).toBe(200);
    await until('the fence turn to end', () => turnRequests('FENCE-TEST').some((r) => toolResults(r).length === 3), 300_000, conversation);
    const results = toolResults(turnRequests('FENCE-TEST').find((r) => toolResults(r).length === 3)!);
    expect(results.map((r) => jsonIn(r))).toEqual([0, 1, 2].map(() => ({ status: 'error', tool: 'exec', error: 'exec denied: allowlist miss' })));
    expect(remoteRefs()).toBe(refs);
    expect(hostConfig()).toBe(config);
    expect(JSON.stringify([gh.pulls, gh.comments])).toBe(state);
  }, 900_000);

  it('no secret in any output, pull request, comment or model request', () => {
    const texts = [...outputs, ...gh.pulls.map((p) => p.body), ...gh.comments.map((c) => c.body), JSON.stringify(model.requests.map((r) => r.messages))];
    for (const secret of [HOOK_TOKEN, TOKEN, ageKey, hashKey]) for (const t of texts) expect(t).not.toContain(secret);
  });
});
