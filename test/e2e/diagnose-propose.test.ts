import { execFileSync } from 'node:child_process';
import { chownSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawctl, type CliResult } from '../harness/cli.js';
import { writeFleet, type AgentDef } from '../harness/fleet.js';
import { expectOutputSchema } from '../harness/output-schema.js';
import { OPENCLAW_BIN, openclawInstalled, provideOpenclaw, waitReady } from '../harness/openclaw.js';
import { superviseGateway, type SupervisedGateway } from '../harness/supervised-gateway.js';
import { freePort, startSshLab, type SshHost, type SshLab } from '../harness/sshd.js';
import { startGitHub, type GitHubServer } from '../servers/github.js';
import { startWebhook, type WebhookServer } from '../servers/webhook.js';

const VERSION = '2026.9.6';
const TOKEN = 'ghp_diagnose-propose-token-never-print';

/** Wait for a condition the machine gets to in its own time; the reason says what was awaited. */
async function until(what: string, done: () => boolean, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The path from an incident to a pull request without a model: `diagnose --propose` on a real
 * OpenClaw 2026.9.6 gateway that refuses to start (its manifest sets no gateway.mode), kept
 * restarting by a supervisor as systemd would, on a real sshd host; a bare git remote and the
 * local GitHub. The incident is watch's own, from the alerts state it keeps.
 */
describe('diagnose --propose', () => {
  let lab: SshLab;
  let host: SshHost;
  let bare: string;
  let gh: GitHubServer;
  let hook: WebhookServer;
  let gateway: SupervisedGateway | undefined;
  let env: NodeJS.ProcessEnv;
  const agent: AgentDef = { name: 'claw', host: 'h1' };
  const outputs: string[] = [];
  const run = async (args: string[]): Promise<CliResult> => {
    const res = await clawctl(args, { cwd: lab.repo, env });
    outputs.push(res.stdout, res.stderr);
    return res;
  };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: lab.repo, env: { ...process.env, ...env }, encoding: 'utf8' }).trim();
  const watchOnce = async () => {
    const res = await run(['watch', '--once', '--json']);
    const cycle = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as {
      alerts: { opened: { event: string; subject: string }[]; resolved: { event: string; subject: string }[]; pullRequests?: unknown[] };
    };
    expectOutputSchema('watch', cycle);
    return cycle;
  };
  const hostConfig = () => join(host.home, '.openclaw', 'openclaw.json');

  beforeAll(async () => {
    if (!openclawInstalled()) throw new Error(`OpenClaw is not installed for tests: run bash test/setup/install-openclaw.sh (expected ${OPENCLAW_BIN})`);
    lab = await startSshLab('dpropose', ['h1']);
    host = lab.hosts[0]!;
    provideOpenclaw(host);
    agent.port = await freePort();
    hook = await startWebhook();
    bare = join(lab.root, 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    gh = await startGitHub({ owner: 'acme', repo: 'fleet', token: TOKEN, bareRepo: bare });
    env = {
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Ops',
      GIT_AUTHOR_EMAIL: 'ops@example.com',
      GIT_COMMITTER_NAME: 'Ops',
      GIT_COMMITTER_EMAIL: 'ops@example.com',
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: gh.url,
      GITHUB_REPOSITORY: 'acme/fleet',
      GITHUB_ACTIONS: '',
    };
    // The fault is declarative: the Fleet's defaults set no gateway.mode, so the pinned OpenClaw refuses to start.
    writeFleet(lab.repo, [host], [agent], {
      identityFile: lab.client.privateKeyPath,
      fleetSpec: {
        openclaw: { version: VERSION },
        defaults: { config: { gateway: { bind: 'loopback' } }, ignoreDifferences: [{ file: 'openclaw.json', jsonPointers: ['/meta'] }] },
        alertAfter: { cycles: 1 },
        alerts: [{ name: 'ops', webhook: { url: hook.url } }],
      },
    });
    writeFileSync(join(lab.repo, '.gitignore'), '.clawctl/\n');
    const applied = await run(['apply', '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
    git('checkout', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'fleet: claw on h1');
    git('remote', 'add', 'origin', bare);
    git('push', '-q', 'origin', 'main');
    gateway = superviseGateway(host, agent.port);
    await until('the gateway to refuse its config', () => gateway!.exits.includes(78));
  }, 300_000);

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([gh?.close(), hook?.close()]);
    await lab?.remove();
  });

  it("opens the incident's one pull request with the patch diagnose found, and updates it when run again", async () => {
    const opened = await watchOnce();
    expect(opened.alerts.opened).toContainEqual(expect.objectContaining({ event: 'agent.down', subject: 'claw' }));
    const incident = (hook.received.find((m) => m.status === 'firing' && m.event === 'agent.down') as { id: string }).id;
    expect(incident).toMatch(/^agent\.down\/claw\//);

    const res = await run(['diagnose', 'claw', '--propose', '--json']);
    expect(res.code, res.stderr).toBe(1); // the agent is not healthy
    const out = JSON.parse(res.stdout);
    expectOutputSchema('diagnose', out);
    expect(out.cause).toMatchObject({ id: 'gateway-mode-unset', patch: { set: ['agent/claw:spec.openclaw.config.gateway.mode=local'], unset: [] } });
    const proposed = out.proposal.proposed;
    expect(proposed.branch).toMatch(/^clawctl\/incident\/agent\.down\.claw\.\d{8}t\d{6}z$/);
    expect(proposed.pullRequest).toMatchObject({ number: 1, created: true });
    expect(gh.pulls).toHaveLength(1);
    const pr = gh.pulls[0]!;
    expect(pr).toMatchObject({ head: proposed.branch, base: 'main', state: 'open', title: 'claw: openclaw.json sets no `gateway.mode`' });
    // The evidence: which incident, who proposed it and how, each step with what it saw, the log lines, the plan.
    expect(pr.body).toContain(`#### Incident \`${proposed.branch.slice('clawctl/incident/'.length)}\``);
    expect(pr.body).toContain('Proposed by `git:Ops <ops@example.com>`, by `clawctl diagnose --propose`, without a model.');
    expect(pr.body).toMatch(/\| ✓ \| host \| reached 127\.0\.0\.1|\| ✓ \| host \| reached h1 as /);
    expect(pr.body).toMatch(/\| ✗ \| gateway \| nothing listens on port \d+ \|/);
    expect(pr.body).toContain('**Cause:** openclaw.json sets no `gateway.mode`');
    expect(pr.body).toMatch(/Evidence \(log lines, redacted\):\n\n```text\n.*Gateway start blocked/);
    expect(pr.body).toMatch(/#### Plan of this change\n\n### clawctl plan for fleet `test`: 0 agents to add, 1 to change/);
    expect(pr.body).toMatch(/\+ \/gateway\/mode: "?local"?/);
    expect(pr.body).toContain('`--set agent/claw:spec.openclaw.config.gateway.mode=local`');
    const branchFile = execFileSync('git', ['-C', bare, 'show', `${proposed.branch}:fleet/fleet.yaml`], { encoding: 'utf8' });
    expect(branchFile).toMatch(/name: claw\n[\s\S]*mode: local/);

    const again = JSON.parse((await run(['diagnose', 'claw', '--propose', '--json'])).stdout);
    expect(again.proposal.proposed).toMatchObject({ branch: proposed.branch, pullRequest: { number: 1, created: false } });
    expect(gh.pulls).toHaveLength(1);
    expect(git('status', '--porcelain')).toBe(''); // the checkout is untouched
  }, 300_000);

  it('when the incident resolves on its own, the pull request is commented on and closed, since nothing was merged', async () => {
    // Someone fixes the host by hand; the supervisor's next start comes up.
    const config = JSON.parse(readFileSync(hostConfig(), 'utf8'));
    config.gateway.mode = 'local';
    writeFileSync(hostConfig(), JSON.stringify(config));
    chownSync(hostConfig(), host.uid, host.gid);
    await waitReady(agent.port!, 180_000);
    const resolved = await watchOnce();
    expect(resolved.alerts.resolved).toContainEqual(expect.objectContaining({ event: 'agent.down', subject: 'claw' }));
    expect(resolved.alerts.pullRequests).toEqual([{ incident: expect.stringMatching(/^agent\.down\.claw\./), number: 1, url: 'https://github.test/acme/fleet/pull/1', action: 'closed' }]);
    expect(gh.pulls[0]).toMatchObject({ state: 'closed', mergedAt: null });
    const comments = gh.comments.filter((c) => c.issue === 1).map((c) => c.body);
    expect(comments).toEqual([
      expect.stringMatching(/resolved after \d+(s|m)[^:]*: online: gateway ready\.\n\nNothing was merged from this pull request and the fleet no longer needs it, so clawctl watch closes it\.$/),
    ]);
  }, 300_000);

  it('a cause that is not a manifest change is said, and nothing is opened', async () => {
    // A second host that does not answer: no manifest change brings it back.
    const down = { ...host, name: 'h2', port: await freePort() };
    writeFleet(lab.repo, [host, down], [agent, { name: 'ghost', host: 'h2' }], {
      identityFile: lab.client.privateKeyPath,
      fleetSpec: { openclaw: { version: VERSION }, defaults: { config: { gateway: { bind: 'loopback' } } } },
    });
    try {
      const res = await run(['diagnose', 'ghost', '--propose', '--json']);
      expect(res.code).toBe(1);
      const out = JSON.parse(res.stdout);
      expect(out.steps).toEqual([expect.objectContaining({ step: 'host', status: 'fail' })]);
      expect(out.cause.patch).toBeUndefined();
      expect(out.proposal).toEqual({ declined: expect.stringMatching(/^the cause is not a manifest change, so nothing was proposed; it needs a person: /) });
      const text = await run(['diagnose', 'ghost', '--propose']);
      expect(text.stdout).toMatch(/\nNot proposed: the cause is not a manifest change/);
      expect(gh.pulls).toHaveLength(1);
      expect(execFileSync('git', ['-C', bare, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/'], { encoding: 'utf8' }).trim().split('\n')).toHaveLength(2);
    } finally {
      git('checkout', '-q', '--', 'fleet');
    }
  }, 300_000);

  it('no secret in any output', () => {
    for (const t of [...outputs, ...gh.pulls.map((p) => p.body), ...gh.comments.map((c) => c.body)]) expect(t).not.toContain(TOKEN);
  });
});
