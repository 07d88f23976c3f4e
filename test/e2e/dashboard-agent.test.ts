import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAWCTL, clawctl, userEnv, type CliResult } from '../harness/cli.js';
import { writeFleet, type AgentDef } from '../harness/fleet.js';
import { keepSharedLogDirRoot, openclawLogDir } from '../harness/openclaw.js';
import { parsePrometheusText, type PromFamily } from '../harness/prometheus-text.js';
import { freePort, startSshLab, type SshHost, type SshLab } from '../harness/sshd.js';
import { startCloudWatch, type CloudWatchServer } from '../servers/cloudwatch.js';

const TOKEN = 'tg-77ab12cd34ef-dashboard-secret-value';
/** Debian's chromium; CHROMIUM_PATH for runners that ship another build. */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** A gateway stand-in on the agent's port: /readyz answers 200. */
async function standIn(port: number): Promise<Server> {
  const server = createServer((req, res) => res.writeHead(req.url === '/readyz' ? 200 : 404, { 'content-type': 'application/json' }).end('{"ready":true}'));
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return server;
}

/**
 * The dashboard's agent page and /metrics over a real sshd host: the health chart, the log
 * followed and redacted, the audit log's reads of the agent's secrets, sync behind the typed
 * confirmation and the CSRF token, its outcome shown at once; /metrics read strictly as the
 * Prometheus text format. The dashboard observes only at start, on changes under fleet/ and
 * after an action (--interval 3600), so what the page shows after an action is that action's.
 */
describe('dashboard: agent page and /metrics', () => {
  let lab: SshLab;
  let host: SshHost;
  let env: NodeJS.ProcessEnv;
  let gateways: Server[] = [];
  let dash: ChildProcessWithoutNullStreams;
  let url: string;
  let browser: Browser;
  let page: Page;
  let cloudwatch: CloudWatchServer;
  let stderr = '';
  const outputs: string[] = [];
  const profile = `dash${process.pid}`;
  const agents: AgentDef[] = [];
  let logFile: string;
  const run = async (args: string[], stdin?: string): Promise<CliResult> => {
    const res = await clawctl(args, { cwd: lab.repo, env, ...(stdin !== undefined ? { stdin } : {}) });
    outputs.push(res.stdout, res.stderr);
    return res;
  };
  const logLine = (n: number, level: string, msg: string) => JSON.stringify({ 0: msg, _meta: { logLevelName: level, date: `2026-11-25T10:00:0${n}.000Z` }, time: `2026-11-25T10:00:0${n}.000Z` });
  const restarts = () =>
    existsSync(join(host.home, 'restarts'))
      ? readFileSync(join(host.home, 'restarts'), 'utf8')
          .split('\n')
          .filter((l) => l.startsWith(`--profile ${profile} `)).length
      : 0;
  const metrics = async (): Promise<Map<string, PromFamily>> => {
    const res = await fetch(`${url}metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    outputs.push(text);
    return parsePrometheusText(text);
  };
  /** A sample's value by its name (a histogram's _count too) and some of its labels. */
  const value = (m: Map<string, PromFamily>, name: string, labels: Record<string, string> = {}) =>
    (m.get(name) ?? m.get(name.replace(/_(bucket|sum|count)$/, '')))?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

  beforeAll(async () => {
    lab = await startSshLab('dash-agent', ['d1']);
    host = lab.hosts[0]!;
    const identity = await generateX25519Identity();
    writeFileSync(join(lab.repo, '.sops.yaml'), `creation_rules:\n  - path_regex: .*\\.sops\\.yaml$\n    age: ${await identityToRecipient(identity)}\n`);
    env = { SOPS_AGE_KEY: identity, SOPS_AGE_KEY_FILE: '', XDG_CONFIG_HOME: join(lab.root, 'config'), GITHUB_ACTIONS: '', CLAWCTL_DASHBOARD_TOKEN: '' };
    const [p1, p2] = [await freePort(), await freePort()];
    gateways = await Promise.all([standIn(p1), standIn(p2)]);
    agents.push(
      { name: 'claw', host: 'd1', profile, port: p1, env: { TELEGRAM_BOT_TOKEN: { secretRef: { sops: 'secrets/app.sops.yaml', key: 'telegram.token' } } as unknown as string } },
      { name: 'side', host: 'd1', profile: `side${process.pid}`, port: p2 },
    );
    writeFleet(lab.repo, [host], agents, { identityFile: lab.client.privateKeyPath, service: 'process' });
    expect((await run(['secrets', 'set', 'secrets/app.sops.yaml', 'telegram.token'], `${TOKEN}\n`)).code).toBe(0);
    // The process service restarts through `openclaw gateway restart`: a stub on the host that logs it.
    // Asked for an agent's usage cost, it answers as OpenClaw 2026.9.6's gateway answered (test/fixtures/usage-cost):
    // claw spent $0.048 today, side nothing yet while OpenClaw was still counting.
    const bin = join(host.home, '.local', 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'openclaw'), '#!/bin/sh\ncase "$*" in *"gateway usage-cost --json"*) exec cat "$HOME/usage-cost-$2.json" ;; esac\necho "$@" >> "$HOME/restarts"\n', { mode: 0o755 });
    const usage = (name: string) => readFileSync(new URL(`../fixtures/usage-cost/${name}`, import.meta.url), 'utf8');
    writeFileSync(join(host.home, `usage-cost-${profile}.json`), usage('real-fresh-2026.9.6.json'));
    writeFileSync(join(host.home, `usage-cost-side${process.pid}.json`), usage('real-refreshing-2026.9.6.json'));
    for (const d of [join(host.home, '.local'), bin, join(bin, 'openclaw'), join(host.home, `usage-cost-${profile}.json`), join(host.home, `usage-cost-side${process.pid}.json`)])
      chownSync(d, host.uid, host.gid);
    const applied = await run(['apply', '--auto-approve']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    // OpenClaw's log on the host echoes the token, in the user's own log dir.
    keepSharedLogDirRoot(host.uid);
    const logs = openclawLogDir(host);
    mkdirSync(logs, { recursive: true, mode: 0o700 });
    logFile = join(logs, `openclaw-${profile}-2026-11-25.log`);
    writeFileSync(logFile, `${[logLine(1, 'INFO', 'gateway listening'), logLine(2, 'ERROR', `telegram: 401 for token ${TOKEN}`)].join('\n')}\n`);
    for (const p of [logs, logFile]) chownSync(p, host.uid, host.gid);
    // A key-level read of the agent's secret, beside the whole-file reads of plan and apply.
    expect((await run(['secrets', 'get', 'secrets/app.sops.yaml', 'telegram.token'])).code).toBe(0);
    // Both agents drift: a sync of claw must apply claw's change and leave side's pending.
    agents[0]!.config = { logging: { level: 'debug' } };
    agents[1]!.config = { logging: { level: 'warn' } };
    writeFleet(lab.repo, [host], agents, { identityFile: lab.client.privateKeyPath, service: 'process' });
    // A budget claw is over today ($0.048 of $0.04) and side is not.
    mkdirSync(join(lab.repo, 'fleet', 'policies'), { recursive: true });
    writeFileSync(
      join(lab.repo, 'fleet', 'policies', 'spend.yaml'),
      'apiVersion: clawctl.dev/v1\nkind: Policy\nmetadata: {name: spend}\nspec:\n  rules:\n    - name: daily-cap\n      budget: {daily: 0.04, monthly: 10}\n',
    );

    const port = await freePort();
    // Each cycle's figures also go to CloudWatch: the local one, through the real SDK.
    cloudwatch = await startCloudWatch({ credentials: { AKIDDASHBOARD: 'dashboard-cloudwatch-secret' } });
    const aws = {
      CLAWCTL_CLOUDWATCH_NAMESPACE: 'Clawctl/test',
      AWS_ENDPOINT_URL: cloudwatch.url,
      AWS_REGION: cloudwatch.region,
      AWS_ACCESS_KEY_ID: 'AKIDDASHBOARD',
      AWS_SECRET_ACCESS_KEY: 'dashboard-cloudwatch-secret',
    };
    dash = spawn(process.execPath, [CLAWCTL, 'dashboard', '--port', String(port), '--interval', '3600', '--actions'], {
      cwd: lab.repo,
      env: { ...userEnv(), NO_COLOR: '1', CI: 'true', ...env, ...aws },
    });
    dash.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    for (let i = 0; i < 300 && !/observed \d+ agent/.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
    expect(stderr).toMatch(/observed 2 agent\(s\)\n/);
    url = /Dashboard: (http:\/\/\S+)/.exec(stderr)![1]!;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    dash?.kill('SIGINT');
    await Promise.all(gateways.map((g) => new Promise((r) => g.close(r))));
    await cloudwatch?.close();
    await lab?.remove();
  });

  it('/metrics: every agent state, up/ready, drift and versions, the last apply and the cycle duration, in the Prometheus text format', async () => {
    const m = await metrics();
    for (const [name, type] of Object.entries({
      clawctl_agent_info: 'gauge',
      clawctl_agent_state: 'gauge',
      clawctl_agent_up: 'gauge',
      clawctl_agent_ready: 'gauge',
      clawctl_agent_drift_changes: 'gauge',
      clawctl_host_reachable: 'gauge',
      clawctl_observation_success: 'gauge',
      clawctl_last_apply_timestamp_seconds: 'gauge',
      clawctl_last_apply_status: 'gauge',
      clawctl_agent_last_apply_success: 'gauge',
      clawctl_reconcile_cycle_duration_seconds: 'histogram',
    })) {
      expect(m.get(name)?.type, name).toBe(type);
      expect(m.get(name)?.help.length, `${name} HELP`).toBeGreaterThan(10);
    }
    expect(value(m, 'clawctl_agent_state', { agent: 'claw', host: 'd1', state: 'online' })).toBe(1);
    expect(value(m, 'clawctl_agent_state', { agent: 'claw', host: 'd1', state: 'offline' })).toBe(0);
    expect(value(m, 'clawctl_agent_up', { agent: 'claw', host: 'd1' })).toBe(1);
    expect(value(m, 'clawctl_agent_ready', { agent: 'side', host: 'd1' })).toBe(1);
    expect(value(m, 'clawctl_agent_drift_changes', { agent: 'claw', host: 'd1' })).toBeGreaterThan(0);
    expect(value(m, 'clawctl_agent_info', { agent: 'claw', host: 'd1', pinned_version: '' })).toBe(1);
    expect(value(m, 'clawctl_host_reachable', { host: 'd1' })).toBe(1);
    expect(value(m, 'clawctl_observation_success')).toBe(1);
    expect(value(m, 'clawctl_last_apply_status', { status: 'applied' })).toBe(1);
    expect(value(m, 'clawctl_last_apply_status', { status: 'failed' })).toBe(0);
    const appliedAt = value(m, 'clawctl_last_apply_timestamp_seconds')!;
    expect(appliedAt).toBeGreaterThan(Date.parse('2026-01-01') / 1000);
    expect(value(m, 'clawctl_agent_last_apply_success', { agent: 'claw' })).toBe(1);
    expect(value(m, 'clawctl_reconcile_cycle_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(outputs.join('')).not.toContain(TOKEN);
  });

  it("shows each agent's cost and budget, from OpenClaw's usage cost: on the fleet view, the agent page and /metrics", async () => {
    await page.goto(`${url}#/`);
    const claw = page.locator('tr[data-agent="claw"] td.cost');
    await claw.waitFor();
    expect(await claw.textContent()).toBe('$0.05 / $0.05 over budget');
    expect(await page.locator('tr[data-agent="side"] td.cost').textContent()).toBe('$0.00 / $0.00 (partial)');
    expect(await page.locator('#fleet-cost b').textContent()).toBe('$0.05');

    await page.goto(`${url}#/agent/claw`);
    await page.locator('#spend').waitFor();
    expect(await page.locator('#spend').textContent()).toBe("$0.05 today (2026-12-01), $0.05 this month (2026-12), from OpenClaw's usage cost.");
    expect(await page.locator('tr.budget').allInnerTexts()).toEqual([
      'spend/daily-cap\tdaily $0.04\tdaily budget $0.04: spent $0.05 (over)',
      'spend/daily-cap\tmonthly $10.00\tmonthly budget $10.00: spent $0.05',
    ]);
    expect(await page.locator('tr.budget.bad').count()).toBe(1);

    const m = await metrics();
    expect(m.get('clawctl_agent_cost_usd')?.type).toBe('gauge');
    expect(value(m, 'clawctl_agent_cost_usd', { agent: 'claw', host: 'd1', period: 'day' })).toBe(0.048);
    expect(value(m, 'clawctl_agent_cost_usd', { agent: 'side', host: 'd1', period: 'month' })).toBe(0);
    expect(value(m, 'clawctl_agent_cost_known', { agent: 'claw', host: 'd1' })).toBe(1);
    expect(value(m, 'clawctl_agent_budget_limit_usd', { agent: 'claw', policy: 'spend', rule: 'daily-cap', period: 'daily' })).toBe(0.04);
    expect(value(m, 'clawctl_agent_budget_exceeded', { agent: 'claw', period: 'daily' })).toBe(1);
    expect(value(m, 'clawctl_agent_budget_exceeded', { agent: 'claw', period: 'monthly' })).toBe(0);
    expect(value(m, 'clawctl_agent_budget_exceeded', { agent: 'side', period: 'daily' })).toBe(0);
    expect(value(m, 'clawctl_agent_response_seconds', { agent: 'claw', host: 'd1' })).toBeGreaterThanOrEqual(0);
    // And to CloudWatch, signed, with the cycle's time.
    const put = cloudwatch.data.find((d) => d.name === 'AgentCostUsd' && d.dimensions.Agent === 'claw' && d.dimensions.Period === 'day');
    expect(put).toMatchObject({ namespace: 'Clawctl/test', value: 0.048, dimensions: { Fleet: 'test', Host: 'd1' } });
    expect(cloudwatch.data.find((d) => d.name === 'AgentBudgetExceeded' && d.dimensions.Agent === 'claw' && d.dimensions.Period === 'daily')?.value).toBe(1);
    expect(cloudwatch.refused).toEqual([]);

    // status prints the same, and its --json carries it.
    const status = await run(['status', '--json']);
    const rows = JSON.parse(status.stdout).agents as { agent: string; cost?: { state: string; todayUsd?: number }; budgets?: { over: boolean }[] }[];
    expect(rows.find((r) => r.agent === 'claw')).toMatchObject({ cost: { state: 'known', todayUsd: 0.048 }, budgets: [{ over: true }, { over: false }] });
    const text = await run(['status']);
    expect(text.stdout).toMatch(/claw\s+d1\s+online\s+\S+\s+\S+( \S+)?\s+\$0\.05 \/ \$0\.05\s+OVER/);
    expect(text.stdout).toContain('claw: spend/daily-cap daily budget $0.04: spent $0.05 (over)');
  });

  it("opens an agent: its health chart, its log followed and redacted, its secrets' access entries (where and why, never a value)", async () => {
    await page.goto(`${url}#/agent/claw`);
    await page.locator('#health-chart rect.bar.online').first().waitFor();
    expect(await page.locator('#health-chart g').count()).toBe(48);
    // With the gateway's response time over the same cycles, from the health history.
    expect(await page.locator('#uptime').textContent()).toMatch(/^Online in 100% of \d+ observations\. Its gateway answered \/readyz in \d+ ms \(median; slowest \d+ ms\)\.$/);

    await page.locator('#logs', { hasText: 'ERROR telegram: 401 for token (sensitive, sha256:' }).waitFor();
    expect(await page.locator('#logs').innerText()).toMatch(
      /^\[2026-11-25T10:00:01\.000Z\] INFO gateway listening\n\[2026-11-25T10:00:02\.000Z\] ERROR telegram: 401 for token \(sensitive, sha256:[0-9a-f]{8}\)/,
    );
    // Followed: a line written on the host now arrives on the open page, redacted.
    appendFileSync(logFile, `${logLine(3, 'WARN', `reconnecting with ${TOKEN}`)}\n`);
    await page.locator('#logs', { hasText: 'WARN reconnecting with (sensitive, sha256:' }).waitFor();

    await page.locator('tr.secret-access').first().waitFor();
    const rows = await page.locator('tr.secret-access').allInnerTexts();
    expect(
      rows.some((r) => /secret\.read\s+secrets\/app\.sops\.yaml\s+apply\s+ok/.test(r)),
      rows.join('\n'),
    ).toBe(true);
    expect(
      rows.some((r) => /secret\.read\s+secrets\/app\.sops\.yaml#telegram\.token\s+get\s+ok/.test(r)),
      rows.join('\n'),
    ).toBe(true);
    expect(
      rows.some((r) => /secret\.write\s+secrets\/app\.sops\.yaml#telegram\.token\s+set\s+ok/.test(r)),
      rows.join('\n'),
    ).toBe(true);
    expect(await page.locator('main').innerText()).toContain('Its .env refers to secrets/app.sops.yaml#telegram.token.');
    // `side` refers to no secret: none of these entries is its.
    const side = await (await fetch(`${url}api/agents/side/secret-access`)).json();
    expect(side).toEqual({ agent: 'side', entries: [] });

    const html = await page.content();
    expect(html).not.toContain(TOKEN);
    for (const path of ['api/snapshot', 'api/agents/claw/secret-access', 'api/agents/claw/history?window=24h', 'metrics'])
      expect(await (await fetch(`${url}${path}`)).text(), path).not.toContain(TOKEN);
    await page.screenshot({ path: join(lab.root, '..', 'clawctl-dashboard-agent.png'), fullPage: true });
  });

  it('sync applies that one agent behind the typed confirmation, health-gated and audited; the outcome and its new state show at once', async () => {
    await page.goto(`${url}#/agent/claw`);
    await page.locator('#pending', { hasText: '~ agent claw' }).waitFor();
    page.once('dialog', (d) => void d.accept('not-claw'));
    await page.click('#sync');
    expect(await page.locator('#action-result').count()).toBe(0);
    page.once('dialog', (d) => void d.accept('claw'));
    await page.click('#sync');
    await page.locator('#action-result', { hasText: /^Synced: / }).waitFor({ timeout: 60_000 });
    expect(await page.locator('#action-result').textContent()).toMatch(/^Synced: .*openclaw\.json.*health\.$/);
    // Shown with the outcome, from the observation the action made (the interval is an hour).
    expect(await page.locator('#pending').textContent()).toBe('None: the host matches the fleet.');
    expect(JSON.parse(readFileSync(join(host.home, `.openclaw-${profile}`, 'openclaw.json'), 'utf8')).logging).toEqual({ level: 'debug' });
    // Nothing of side's was applied.
    const side = JSON.parse((await run(['plan', '--json', '--target', 'side'])).stdout);
    expect(side.changes.map((c: { agent: string }) => c.agent)).toEqual(['side']);
    const audit = JSON.parse((await run(['audit', 'log', '--action', 'agent.apply', '--json'])).stdout);
    expect(audit.entries.at(-1)).toMatchObject({ action: 'agent.apply', target: 'claw', result: 'ok' });
    const m = await metrics();
    expect(value(m, 'clawctl_agent_drift_changes', { agent: 'claw', host: 'd1' })).toBe(0);
    expect(value(m, 'clawctl_agent_drift_changes', { agent: 'side', host: 'd1' })).toBeGreaterThan(0);
    expect(value(m, 'clawctl_agent_last_apply_success', { agent: 'claw' })).toBe(1);
    expect(value(m, 'clawctl_reconcile_cycle_duration_seconds_count')).toBeGreaterThanOrEqual(2);
  });

  it('restart shows its outcome at once', async () => {
    const before = restarts();
    await page.goto(`${url}#/agent/claw`);
    await page.locator('#restart').waitFor();
    page.once('dialog', (d) => void d.accept('claw'));
    await page.click('#restart');
    await page.locator('#action-result', { hasText: 'ready after' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('#action-result').textContent()).toMatch(/^Restarted via process; ready after [\d.]+ s\.$/);
    expect(restarts()).toBe(before + 1);
  });

  it("a forged sync without the CSRF token, or with a wrong one, is refused and audited; the page's token works", async () => {
    const post = (headers: Record<string, string>) => fetch(`${url}api/agents/side/sync`, { method: 'POST', headers: { 'x-clawctl-confirm': 'side', ...headers } });
    const without = await post({});
    expect(without.status).toBe(403);
    expect((await without.json()).error).toContain('CSRF token');
    expect((await post({ 'x-clawctl-csrf': 'guessed' })).status).toBe(403);
    const refused = JSON.parse((await run(['audit', 'log', '--action', 'agent.apply', '--json'])).stdout).entries.filter((e: { result: string }) => e.result === 'refused');
    expect(refused).toContainEqual(expect.objectContaining({ target: 'side', details: expect.objectContaining({ reason: 'csrf', remote: '127.0.0.1' }) }));
    expect(JSON.stringify(refused)).not.toContain('guessed');
    // side was not applied by either; then, with the page's token (what only its origin can read), it is.
    expect(JSON.parse((await run(['plan', '--json', '--target', 'side'])).stdout).changes).toHaveLength(1);
    const { csrf } = (await (await fetch(`${url}api/session`)).json()) as { csrf: string };
    const ok = await post({ 'x-clawctl-csrf': csrf });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ agent: 'side', status: 'applied', applied: { agent: 'side', ok: true }, observedAt: expect.any(String) });
    // The log stream also wants its header, so no cross-site link opens SSH sessions.
    expect((await fetch(`${url}api/agents/claw/logs`)).status).toBe(428);
    expect((await fetch(`${url}api/agents/nobody/history`)).status).toBe(404);
  });
});
