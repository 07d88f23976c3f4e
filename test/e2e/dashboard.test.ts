import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAWCTL, clawctl } from '../harness/cli.js';
import { LOCAL_FLEET, LOCAL_HOST } from '../harness/local-fleet.js';
import { freePort } from '../harness/sshd.js';

const BANNER = 'banner-value-that-must-stay-on-the-host';
/** Debian's chromium; CHROMIUM_PATH for runners that ship another build (GitHub's Ubuntu has Google Chrome). */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** A raw request to 127.0.0.1:port with exactly these headers (Host included): what a DNS-rebound page sends. */
function raw(port: number, method: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, setHost: false }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The dashboard in a real browser (Debian's chromium via playwright-core), over a real local fleet. */
describe('clawctl dashboard', () => {
  let root: string;
  let gatewayPort: number;
  let gateway: Server;
  let dash: ChildProcessWithoutNullStreams;
  let url: string;
  let browser: Browser;
  let page: Page;
  let stderr = '';
  const agent = (name: string, labels: string, port: number) =>
    `apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata: {name: ${name}, labels: ${labels}}\nspec:\n  host: h\n  env: {BANNER: ${BANNER}}\n  openclaw: {profile: ${name}, config: {gateway: {port: ${port}}}}\n`;
  const policy = 'apiVersion: clawctl.dev/v1\nkind: Policy\nmetadata: {name: owners}\nspec:\n  match: {matchLabels: {tier: bot}}\n  rules:\n    - name: owner-label\n      requiredLabels: [owner]\n';

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-dash-'));
    execFileSync('git', ['init', '-q', root]);
    mkdirSync(join(root, 'fleet'));
    gatewayPort = await freePort();
    // A stand-in gateway for "support": /readyz answers 200, so it is online.
    gateway = createServer((req, res) => res.writeHead(req.url === '/readyz' ? 200 : 404).end('{}'));
    await new Promise<void>((r) => gateway.listen(gatewayPort, '127.0.0.1', r));
    writeFileSync(join(root, 'fleet', 'fleet.yaml'), `${LOCAL_FLEET('dash')}\n---\n${LOCAL_HOST.replace('service: none', 'service: process')}\n---\n${policy}`);
    // The process service restarts through `openclaw gateway restart`: a stub that logs it.
    mkdirSync(join(root, 'home', '.local', 'bin'), { recursive: true });
    writeFileSync(join(root, 'home', '.local', 'bin', 'openclaw'), '#!/bin/sh\ncase "$*" in *"gateway usage-cost"*) exit 0 ;; esac\necho "$@" >> "$HOME/restarts"\n', { mode: 0o755 });
    writeFileSync(join(root, 'fleet', 'support.yaml'), agent('support', '{tier: bot, owner: ana}', gatewayPort));
    writeFileSync(join(root, 'fleet', 'sales.yaml'), agent('sales', '{tier: bot, owner: bo}', await freePort()));
    // support is applied; then sales loses its owner label, which the policy requires.
    const applied = await clawctl(['apply', '--auto-approve', '--target', 'support'], { cwd: root, env: { GITHUB_ACTIONS: '' } });
    expect(applied.code, applied.stderr).toBe(0);
    writeFileSync(join(root, 'fleet', 'sales.yaml'), agent('sales', '{tier: bot, team: sales}', await freePort()));

    const port = await freePort();
    dash = spawn(process.execPath, [CLAWCTL, 'dashboard', '--port', String(port), '--interval', '1', '--actions'], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', CLAWCTL_DASHBOARD_TOKEN: '' },
    });
    dash.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    for (let i = 0; i < 100 && !/observed \d+ agent/.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
    url = /Dashboard: (http:\/\/\S+)/.exec(stderr)![1]!;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage();
  });
  /** The audit log's refused restarts. */
  const refusals = async (): Promise<{ target: string; details: Record<string, unknown> }[]> => {
    const log = JSON.parse((await clawctl(['audit', 'log', '--action', 'agent.restart', '--json'], { cwd: root, env: { GITHUB_ACTIONS: '' } })).stdout);
    return log.entries.filter((e: { result: string }) => e.result === 'refused');
  };
  afterAll(async () => {
    await browser?.close();
    dash?.kill('SIGINT');
    await new Promise((r) => gateway?.close(r));
    rmSync(root, { recursive: true, force: true });
  });

  it('shows every agent with its state, version and drift, and the hosts', async () => {
    await page.goto(url);
    await page.locator('tr[data-agent="support"]').waitFor();
    expect(await page.locator('#fleet-name').textContent()).toBe('dash');
    const support = await page.locator('tr[data-agent="support"]').innerText();
    // Its cost: this stand-in openclaw answers usage-cost with nothing, which is no cost at all.
    expect(support).toMatch(/support\s+h\s+online\s+-\s+in sync\s+unknown\s+gateway ready/);
    const sales = await page.locator('tr[data-agent="sales"]').innerText();
    expect(sales).toMatch(/sales\s+h\s+offline\s+-\s+\d change\(s\)/);
    expect(await page.locator('#violation-count').textContent()).toBe('1');
    await page.screenshot({ path: join(tmpdir(), 'clawctl-dashboard-fleet.png'), fullPage: true });
  });

  it('opens an agent: its pending changes as plan prints them, .env names, never a value', async () => {
    await page.click('a[href="#/agent/sales"]');
    await page.locator('#pending').waitFor();
    const text = await page.locator('main').innerText();
    expect(text).toContain('+ agent sales (~/.openclaw-sales)');
    expect(text).toMatch(/\+ BANNER = \(sensitive, sha256:[0-9a-f]{8}\)/);
    expect(text).toContain('BANNER, OPENCLAW_CONFIG_READONLY');
    expect(await page.content()).not.toContain(BANNER);
    const api = await (await fetch(`${url}api/snapshot`)).text();
    expect(api).not.toContain(BANNER);
  });

  it('with --actions, restarts an agent after its name is typed, audited; a wrong name does nothing', async () => {
    const restarts = () =>
      readFileSync(join(root, 'home', 'restarts'), 'utf8')
        .split('\n')
        .filter((l) => l === '--profile support gateway restart').length;
    const before = restarts();
    await page.goto(`${url}#/agent/support`);
    await page.locator('#restart').waitFor();
    page.once('dialog', (d) => void d.accept('not-support'));
    await page.click('#restart');
    expect(await page.locator('#action-result').count()).toBe(0);
    page.once('dialog', (d) => void d.accept('support'));
    await page.click('#restart');
    await page.locator('#action-result', { hasText: 'ready after' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('#action-result').textContent()).toMatch(/^Restarted via process; ready after [\d.]+ s\.$/);
    expect(restarts()).toBe(before + 1);
    const audit = JSON.parse((await clawctl(['audit', 'log', '--action', 'agent.restart', '--json'], { cwd: root, env: { GITHUB_ACTIONS: '' } })).stdout);
    expect(audit.entries).toMatchObject([{ target: 'support', result: 'ok' }]);
    // Without the confirmation header, or from another origin, the server refuses, and audits the refusal.
    expect((await fetch(`${url}api/agents/support/restart`, { method: 'POST' })).status).toBe(428);
    expect((await fetch(`${url}api/agents/support/restart`, { method: 'POST', headers: { 'x-clawctl-confirm': 'support', origin: 'http://evil.example' } })).status).toBe(403);
    expect(restarts()).toBe(before + 1);
    const refused = await refusals();
    expect(refused).toContainEqual(expect.objectContaining({ target: 'support', details: expect.objectContaining({ reason: 'confirmation', remote: '127.0.0.1' }) }));
    expect(refused).toContainEqual(expect.objectContaining({ target: 'support', details: expect.objectContaining({ reason: 'origin', remote: '127.0.0.1', origin: 'http://evil.example' }) }));
  });

  it('answers only to the host it is bound to: a DNS-rebound request (forged Host, matching Origin) reads nothing and restarts nothing, audited', async () => {
    const port = Number(new URL(url).port);
    const forged = { host: `evil.example:${port}`, origin: `http://evil.example:${port}` };
    for (const path of ['/api/snapshot', '/api/audit', '/', '/app.js']) {
      const res = await raw(port, 'GET', path, forged);
      expect(res.status, path).toBe(421);
      expect(JSON.parse(res.body).error).toContain('evil.example');
      expect(res.body).not.toContain('support');
    }
    // The right name on another port is not this server either; no Host at all, Node's own parser refuses (HTTP/1.1).
    expect((await raw(port, 'GET', '/api/snapshot', { host: `127.0.0.1:${port + 1}` })).status).toBe(421);
    expect((await raw(port, 'GET', '/api/snapshot', {})).status).toBe(400);
    // Every name of the loopback bind is.
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      expect((await raw(port, 'GET', '/api/snapshot', { host, origin: `http://${host}` })).status, host).toBe(200);
    }
    const restarts = () => readFileSync(join(root, 'home', 'restarts'), 'utf8').split('\n').length;
    const before = restarts();
    const res = await raw(port, 'POST', '/api/agents/support/restart', { ...forged, 'x-clawctl-confirm': 'support' });
    expect(res.status).toBe(421);
    expect(restarts()).toBe(before);
    expect(await refusals()).toContainEqual(expect.objectContaining({ target: 'support', details: expect.objectContaining({ reason: 'host', remote: '127.0.0.1', host: `evil.example:${port}` }) }));
  });

  it('lists policy violations with policy, rule, object and file:line', async () => {
    await page.click('nav a[data-view="policy"]');
    const row = await page.locator('tr.violation').innerText();
    expect(row).toMatch(/owners\/owner-label\s+agent sales\s+fleet\/sales\.yaml:\d+:\d+\s+.*owner/);
  });

  it('shows the verified audit log, filtered by action', async () => {
    await page.goto(`${url}#/audit`);
    await page.locator('#verify').waitFor();
    expect(await page.locator('#verify').textContent()).toMatch(/^Chain verified: \d+ entries\.$/);
    await page.fill('input[name=action]', 'agent.apply');
    await page.click('form.filters button');
    await page.waitForFunction(() => location.hash === '#/audit?action=agent.apply');
    await page.locator('#verify').waitFor();
    const rows = await page.locator('main tbody tr').allInnerTexts();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/agent\.apply\s+support\s+ok/);
  });

  it('follows the fleet: a fix under fleet/ clears the violation without a reload, a broken file shows its error', async () => {
    await page.goto(url);
    await page.locator('tr[data-agent="sales"]').waitFor();
    writeFileSync(join(root, 'fleet', 'sales.yaml'), agent('sales', '{tier: bot, owner: bo}', gatewayPort + 1));
    await page.waitForFunction(() => document.getElementById('violation-count')!.hidden, undefined, { timeout: 20_000 });
    writeFileSync(join(root, 'fleet', 'sales.yaml'), 'kind: Agent\nmetadata: [\n');
    await page.locator('#banner').waitFor({ state: 'visible', timeout: 20_000 });
    expect(await page.locator('#banner').textContent()).toMatch(/fleet\/sales\.yaml:\d+:\d+: YAML syntax/);
    await page.screenshot({ path: join(tmpdir(), 'clawctl-dashboard-error.png'), fullPage: true });
  });

  it('is read-only without --actions, and off loopback it needs a token', async () => {
    expect((await fetch(`${url}api/snapshot`, { method: 'POST' })).status).toBe(405);
    const refused = await clawctl(['dashboard', '--host', '0.0.0.0', '--port', '0'], { cwd: root, env: { CLAWCTL_DASHBOARD_TOKEN: '' } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('set CLAWCTL_DASHBOARD_TOKEN first');
    const port = await freePort();
    const guarded = spawn(process.execPath, [CLAWCTL, 'dashboard', '--host', '0.0.0.0', '--port', String(port), '--interval', '60'], {
      cwd: root,
      env: { ...process.env, CLAWCTL_DASHBOARD_TOKEN: 's3cret-token' },
    });
    try {
      let out = '';
      guarded.stderr.on('data', (b: Buffer) => (out += b.toString()));
      for (let i = 0; i < 100 && !out.includes('Dashboard:'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).not.toContain('s3cret-token');
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/api/snapshot`)).status).toBe(401);
      expect((await fetch(`${base}/api/snapshot`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await fetch(`${base}/`, { headers: { authorization: 'Bearer s3cret-token' } })).status).toBe(200);
      const login = await fetch(`${base}/?token=s3cret-token`, { redirect: 'manual' });
      expect(login.status).toBe(303);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      expect((await fetch(`${base}/app.js`, { headers: { cookie } })).status).toBe(200);
      expect((await fetch(`${base}/api/agents/support/restart`, { method: 'POST', headers: { cookie, 'x-clawctl-confirm': 'support' } })).status).toBe(403);
      // A wrong token is refused and audited, with neither token in the entry.
      expect((await fetch(`${base}/api/agents/sales/restart`, { method: 'POST', headers: { authorization: 'Bearer wrong-guess', 'x-clawctl-confirm': 'sales' } })).status).toBe(401);
      expect(await refusals()).toContainEqual(expect.objectContaining({ target: 'sales', details: expect.objectContaining({ reason: 'token', remote: '127.0.0.1' }) }));
      const log = (await clawctl(['audit', 'log', '--json'], { cwd: root, env: { GITHUB_ACTIONS: '' } })).stdout;
      expect(log).not.toContain('wrong-guess');
      expect(log).not.toContain('s3cret-token');
    } finally {
      guarded.kill('SIGINT');
    }
  });
});
