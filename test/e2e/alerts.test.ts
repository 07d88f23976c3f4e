import { chownSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clawctl, startClawctl, type CliResult } from '../harness/cli.js';
import { writeFleet, type AgentDef } from '../harness/fleet.js';
import { expectOutputSchema } from '../harness/output-schema.js';
import { freePort, startSshLab, type SshLab } from '../harness/sshd.js';
import { startSmtp, type SmtpServer } from '../servers/smtp.js';
import { startTelegram, type TelegramServer } from '../servers/telegram.js';
import { startWebhook, type WebhookServer } from '../servers/webhook.js';

const BOT_TOKEN = '7001234567:AAalerts-bot-token-never-print';
const SMTP_PASS = 'smtp-password-never-print';

interface Cycle {
  cycle: number;
  outcome: string;
  alerts?: {
    opened: { event: string; subject: string }[];
    resolved: { event: string; subject: string }[];
    delivered: { receiver: string; event: string; subject: string; status: string; attempts: number }[];
    failed: { receiver: string; error: string; attempts: number; nextAttemptAt?: string }[];
    unavailable: { receiver: string; reason: string }[];
  };
}

/** A gateway stand-in on the agent's port: /readyz answers 200 while it runs, nothing listens while it is stopped. */
function standIn(port: number) {
  let server: Server | undefined;
  return {
    start: () =>
      new Promise<void>((resolve) => {
        server = createServer((req, res) => res.writeHead(req.url === '/readyz' ? 200 : 404, { 'content-type': 'application/json' }).end('{"ready":true}'));
        server.listen(port, '127.0.0.1', () => resolve());
      }),
    stop: () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
  };
}

/**
 * Alerts end to end: real sshd hosts observed by watch, a Telegram Bot API, an SMTP server
 * with STARTTLS and a webhook receiver, all on loopback. The receivers' secrets live in a SOPS
 * file; every output, message and file clawctl keeps is checked for them.
 */
describe('clawctl watch alerts', () => {
  let lab: SshLab;
  let tg: TelegramServer;
  let hook: WebhookServer;
  let smtp: SmtpServer;
  let plainSmtp: SmtpServer;
  let env: NodeJS.ProcessEnv;
  let claw: ReturnType<typeof standIn>;
  const outputs: string[] = [];
  const agents: AgentDef[] = [];

  const run = async (args: string[], extra: NodeJS.ProcessEnv = {}, stdin?: string): Promise<CliResult> => {
    const res = await clawctl(args, { cwd: lab.repo, env: { ...env, ...extra }, ...(stdin !== undefined ? { stdin } : {}) });
    outputs.push(res.stdout, res.stderr);
    return res;
  };
  /** One `watch --once --json`: its cycle and exit code. */
  const once = async (extra: NodeJS.ProcessEnv = {}): Promise<{ code: number; cycle: Cycle }> => {
    const res = await run(['watch', '--once', '--json'], extra);
    const lines = res.stdout.trim().split('\n').filter(Boolean);
    expect(lines, `exit ${res.code}, stderr: ${res.stderr}`).toHaveLength(1);
    const cycle = JSON.parse(lines[0]!) as Cycle;
    expectOutputSchema('watch', cycle);
    return { code: res.code, cycle };
  };
  const counts = () => ({ hook: hook.received.length, tg: tg.sent.length, mail: smtp.mails.length });

  beforeAll(async () => {
    lab = await startSshLab('alerts', ['a1']);
    [tg, hook, smtp, plainSmtp] = await Promise.all([
      startTelegram({ token: BOT_TOKEN, chats: ['-100123'] }),
      startWebhook(),
      startSmtp({ user: 'alerts@example.com', pass: SMTP_PASS }),
      startSmtp({ user: 'alerts@example.com', pass: SMTP_PASS, starttls: false }),
    ]);
    const identity = await generateX25519Identity();
    writeFileSync(join(lab.repo, '.sops.yaml'), `creation_rules:\n  - path_regex: .*\\.sops\\.yaml$\n    age: ${await identityToRecipient(identity)}\n`);
    env = { SOPS_AGE_KEY: identity, SOPS_AGE_KEY_FILE: '', XDG_CONFIG_HOME: join(lab.root, 'config'), NODE_EXTRA_CA_CERTS: smtp.caFile, GITHUB_ACTIONS: '' };
    const [p1, p2] = [await freePort(), await freePort()];
    agents.push({ name: 'claw', host: 'a1', port: p1, labels: { team: 'core' } }, { name: 'side', host: 'a1', profile: 'side', port: p2, labels: { team: 'side' } });
    const secret = (key: string) => ({ secretRef: { sops: 'secrets/alerts.sops.yaml', key } });
    const email = (name: string, port: number, extra: object) => ({
      name,
      email: { smtp: { host: '127.0.0.1', port, username: 'alerts@example.com', password: secret('smtp.password') }, from: 'clawctl@example.com', to: ['ops@example.com'] },
      ...extra,
    });
    writeFleet(lab.repo, lab.hosts, agents, {
      identityFile: lab.client.privateKeyPath,
      fleetSpec: {
        alertAfter: { cycles: 2 },
        alerts: [
          { name: 'ops', webhook: { url: hook.url } },
          { name: 'oncall', telegram: { chatId: '-100123', botToken: secret('telegram.token'), apiBaseUrl: tg.url }, events: ['agent.down'] },
          email('mail', smtp.port, { selector: { matchLabels: { team: 'core' } } }),
          // Never sent to by watch (no budgets yet): only `alerts test` reaches it.
          email('plaintext', plainSmtp.port, { events: ['budget.crossed'] }),
        ],
      },
    });
    expect((await run(['secrets', 'set', 'secrets/alerts.sops.yaml', 'telegram.token'], {}, `${BOT_TOKEN}\n`)).code).toBe(0);
    expect((await run(['secrets', 'set', 'secrets/alerts.sops.yaml', 'smtp.password'], {}, `${SMTP_PASS}\n`)).code).toBe(0);
    claw = standIn(p1);
    await Promise.all([claw.start(), standIn(p2).start()]);
    const applied = await run(['apply', '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
  });
  afterAll(async () => {
    await claw?.stop();
    await Promise.all([tg?.close(), hook?.close(), smtp?.close(), plainSmtp?.close()]);
    await lab?.remove();
  });

  it('alerts test sends through each receiver; a server without STARTTLS and an unknown name are refused', async () => {
    for (const name of ['ops', 'oncall', 'mail']) {
      const res = await run(['alerts', 'test', name, '--json']);
      expect(res.code, res.stderr).toBe(0);
      expectOutputSchema('alerts test', JSON.parse(res.stdout));
      expect(JSON.parse(res.stdout)).toMatchObject({ receiver: name, delivered: true, attempts: 1 });
    }
    expect(hook.received.at(-1)).toMatchObject({ status: 'test', text: expect.stringContaining('TEST: clawctl alert receiver ops') });
    expect(tg.sent.at(-1)).toMatchObject({ chatId: '-100123', text: expect.stringContaining('TEST: clawctl alert receiver oncall') });
    expect(smtp.mails.at(-1)).toMatchObject({ secure: true, user: 'alerts@example.com', to: ['ops@example.com'], subject: expect.stringContaining('TEST: clawctl alert receiver mail') });
    const plain = await run(['alerts', 'test', 'plaintext']);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/Could not send through plaintext \(email\).*STARTTLS/i);
    expect(plainSmtp.mails).toHaveLength(0);
    const unknown = await run(['alerts', 'test', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/fleet\/fleet\.yaml:\d+:\d+: the Fleet has no alert receiver "nope"\n {2}hint: its receivers: ops, oncall, mail, plaintext/);
  });

  it('an agent that stays down: one message per receiver when it opens, none while it stays, one when it recovers; flapping and restarts send nothing', async () => {
    const quiet = await once();
    expect(quiet.code).toBe(0);
    expect(quiet.cycle).toMatchObject({ outcome: 'in-sync', alerts: { opened: [], delivered: [], failed: [], unavailable: [] } });
    const before = counts();

    await claw.stop(); // down for one cycle only: damped
    expect((await once()).cycle.alerts).toMatchObject({ opened: [], delivered: [] });
    await claw.start();
    expect((await once()).cycle.alerts).toMatchObject({ opened: [], resolved: [], delivered: [] });
    expect(counts()).toEqual(before);

    await claw.stop();
    expect((await once()).cycle.alerts!.opened).toEqual([]);
    const opened = await once();
    expect(opened.code).toBe(0);
    expect(opened.cycle.alerts!.opened).toEqual([{ event: 'agent.down', subject: 'claw', host: 'a1', reason: 'offline: no gateway listening on its port' }]);
    expect(opened.cycle.alerts!.delivered.map((d) => `${d.receiver} ${d.status}`).sort()).toEqual(['mail firing', 'oncall firing', 'ops firing']);
    expect(counts()).toEqual({ hook: before.hook + 1, tg: before.tg + 1, mail: before.mail + 1 });
    expect(hook.received.at(-1)).toMatchObject({
      status: 'firing',
      event: 'agent.down',
      subject: 'claw',
      host: 'a1',
      text: '[test] FIRING: agent down: claw on a1\noffline: no gateway listening on its port',
    });
    expect(tg.sent.at(-1)!.text).toBe('[test] FIRING: agent down: claw on a1\noffline: no gateway listening on its port');
    expect(smtp.mails.at(-1)).toMatchObject({ secure: true, subject: '[test] FIRING: agent down: claw on a1' });

    // Each --once is a fresh process: the incident kept in .clawctl/state is not sent again.
    for (let i = 0; i < 2; i++) expect((await once()).cycle.alerts).toMatchObject({ opened: [], delivered: [] });
    expect(counts()).toEqual({ hook: before.hook + 1, tg: before.tg + 1, mail: before.mail + 1 });

    await claw.start();
    const resolved = await once();
    expect(resolved.cycle.alerts!.resolved).toEqual([{ event: 'agent.down', subject: 'claw', host: 'a1', reason: 'online: gateway ready' }]);
    expect(counts()).toEqual({ hook: before.hook + 2, tg: before.tg + 2, mail: before.mail + 2 });
    expect(tg.sent.at(-1)!.text).toMatch(/^\[test\] RESOLVED: agent down: claw on a1\nonline: gateway ready \(open \d+s\)$/);
    expect((await once()).cycle.alerts!.delivered).toEqual([]);
  });

  it('drift goes only to the receivers whose events and selector take it, and resolves once applied', async () => {
    const config = join(lab.hosts[0]!.home, '.openclaw-side', 'openclaw.json');
    const edited = JSON.parse(readFileSync(config, 'utf8'));
    edited.gateway.bind = 'lan';
    writeFileSync(config, JSON.stringify(edited));
    chownSync(config, lab.hosts[0]!.uid, lab.hosts[0]!.gid);
    const before = counts();
    const drift = await once();
    expect(drift.cycle).toMatchObject({ outcome: 'drift', alerts: { opened: [{ event: 'drift.found', subject: 'side', reason: '1 change pending: openclaw.json' }] } });
    expect(counts()).toEqual({ ...before, hook: before.hook + 1 }); // oncall takes agent.down only; mail selects team=core
    expect((await run(['apply', '--auto-approve'])).code).toBe(0);
    expect((await once()).cycle.alerts!.resolved).toEqual([{ event: 'drift.found', subject: 'side', host: 'a1', reason: 'in sync' }]);
    expect(hook.received.at(-1)).toMatchObject({ status: 'resolved', event: 'drift.found', subject: 'side' });
  });

  it('a failing receiver is retried and reported while the loop goes on; a flaky one gets through', async () => {
    hook.failNext(2, 503);
    tg.failNext(1000, 'server-error');
    const watch = startClawctl(['watch', '--json', '--interval', '1'], { cwd: lab.repo, env });
    const cycles = (): Cycle[] =>
      watch
        .stdout()
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Cycle);
    const waitFor = async (n: number) => {
      for (let i = 0; i < 600 && cycles().length < n; i++) await new Promise((r) => setTimeout(r, 100));
      if (cycles().length < n) throw new Error(`watch gave ${cycles().length} cycle(s), waiting for ${n}; stderr: ${watch.stderr()}`);
    };
    try {
      await waitFor(1);
      await claw.stop();
      const start = cycles().length;
      await waitFor(start + 4);
    } finally {
      watch.child.kill('SIGINT');
    }
    const done = await watch.done;
    outputs.push(done.stdout, done.stderr);
    expect(done.code, done.stderr).toBe(0);
    await claw.start();
    const all = cycles();
    const opening = all.find((c) => (c.alerts?.opened.length ?? 0) > 0)!;
    expect(opening.alerts!.delivered.find((d) => d.receiver === 'ops')).toMatchObject({ status: 'firing', attempts: 3 });
    expect(opening.alerts!.failed).toEqual([expect.objectContaining({ receiver: 'oncall', attempts: 3, error: 'Telegram 500: Internal Server Error', nextAttemptAt: expect.any(String) })]);
    expect(all.indexOf(opening)).toBeLessThan(all.length - 1); // the loop went on after the failure
    tg.failNext(0, 'server-error');
  });

  it('without the age key, watch says which receivers cannot send and why; the others still send; --once exits 1', async () => {
    await claw.stop();
    const res = await once({ SOPS_AGE_KEY: '', XDG_CONFIG_HOME: join(lab.root, 'nobody') });
    await claw.start();
    expect(res.code).toBe(1);
    expect(res.cycle.alerts!.unavailable.map((u) => u.receiver).sort()).toEqual(['mail', 'oncall', 'plaintext']);
    expect(res.cycle.alerts!.unavailable[0]!.reason).toMatch(/could not be read: no age key to decrypt .*alerts\.sops\.yaml/);
  });

  it('status --since shows the uptime and changes of state that the cycles recorded', async () => {
    const res = await run(['status', '--since', '1h', '--json']);
    const out = JSON.parse(res.stdout) as { history: { agents: { agent: string; samples: number; uptime: number; transitions: { from: string; to: string }[] }[] } };
    expectOutputSchema('status', out);
    const [claw, side] = out.history.agents;
    expect(claw!.samples).toBeGreaterThanOrEqual(10);
    expect(claw!.uptime).toBeGreaterThan(0);
    expect(claw!.uptime).toBeLessThan(1);
    expect(claw!.transitions.slice(0, 4).map((t) => `${t.from}→${t.to}`)).toEqual(['online→offline', 'offline→online', 'online→offline', 'offline→online']);
    expect(side).toMatchObject({ agent: 'side', uptime: 1, transitions: [] });
    const text = await run(['status', '--since', '1h']);
    expect(text.stdout).toMatch(
      /Over the last 1h:\n {2}claw: up \d+\.\d% of \d+ checks .*, \d+ changes of state, \/readyz answered in \d+ ms \(median; slowest \d+ ms\)\n {4}\S+ {2}online → offline: no gateway listening on its port/,
    );
    expect((await run(['status', '--since', 'yesterday'])).stderr).toContain('--since takes a number and a unit (s, m, h, d), got "yesterday"');
  });

  it('no secret value in any output, message or file clawctl keeps', () => {
    const kept = ['alerts.json'].map((f) => join(lab.repo, '.clawctl', 'state', f)).concat(join(lab.repo, '.clawctl', 'audit.jsonl'));
    const texts = [...outputs, ...kept.filter(existsSync).map((f) => readFileSync(f, 'utf8')), JSON.stringify(hook.received), JSON.stringify(tg.sent), JSON.stringify(smtp.mails), tg.calls.join('\n')];
    for (const secret of [BOT_TOKEN, SMTP_PASS, env.SOPS_AGE_KEY!]) for (const t of texts) expect(t).not.toContain(secret);
    expect(readFileSync(join(lab.repo, '.clawctl', 'audit.jsonl'), 'utf8')).toMatch(/"action":"secret.read".*"for":"alerts"/);
  });
});
