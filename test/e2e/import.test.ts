import { execFileSync } from 'node:child_process';
import { existsSync, lchownSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decryptSops } from 'sops-age';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageIdentityIn } from '../harness/age-key.js';
import { clawctl, type CliResult } from '../harness/cli.js';
import { openclawAs, openclawInstalled, provideOpenclaw } from '../harness/openclaw.js';
import { expectOutputSchema } from '../harness/output-schema.js';
import { startSshLab, type SshHost, type SshLab } from '../harness/sshd.js';

const API_KEY = 'sk-import-e2e-abcdefghijklmnopqrstuvwx';
const GATEWAY_TOKEN = 'gw-token-import-e2e-Zq8xW3vT9pL2';
const SECRETS = [API_KEY, GATEWAY_TOKEN];

/** A config as a person edits it: JSON5, comments, unquoted keys, what `openclaw onboard` adds. */
const hostConfig = (home: string) => `// Hand-made: the support bot.
{
  gateway: {
    mode: "local",
    bind: "loopback", // never the LAN
    port: 19411,
    auth: { mode: "token", token: "\${OPENCLAW_GATEWAY_TOKEN}" },
  },
  agents: {
    entries: {
      main: { workspace: "${home}/.openclaw/workspace" }, // onboard writes an absolute path
    },
  },
  wizard: { lastRunAt: "2026-01-02T03:04:05.000Z", lastRunCommand: "onboard" },
  meta: { lastTouchedVersion: "2026.9.6" },
}
`;

/**
 * Adopting a host that already runs OpenClaw, on real sshd hosts: a hand-made installation
 * (JSON5 config, .env with an API key, a cron job in OpenClaw's own store) becomes manifests
 * and SOPS values, after which plan has nothing to do; hostile homes are refused by name.
 */
describe.runIf(openclawInstalled())('clawctl import and hosts keyscan', () => {
  let lab: SshLab;
  let repo: string;
  let good: SshHost;
  let bad: SshHost;
  let env: NodeJS.ProcessEnv;
  const outputs: string[] = [];
  const run = async (...args: string[]): Promise<CliResult> => {
    const res = await clawctl(args, { cwd: repo, env });
    outputs.push(res.stdout, res.stderr);
    return res;
  };
  /** Every file under fleet/ with its text: what "nothing written" and "nothing new" compare. */
  const fleetFiles = (): Record<string, string> => {
    const dir = join(repo, 'fleet');
    return Object.fromEntries(
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => [join(e.parentPath, e.name).slice(dir.length + 1), readFileSync(join(e.parentPath, e.name), 'utf8')]),
    );
  };
  /** A Host manifest for a test host, with its spec.ssh.hostKey line as given. */
  const hostManifest = (host: SshHost, hostKeyLine: string) =>
    `apiVersion: clawctl.dev/v1\nkind: Host\nmetadata: {name: ${host.name}}\nspec:\n  ssh:\n    address: 127.0.0.1\n    port: ${host.port}\n    user: ${host.user}\n    identityFile: ${lab.client.privateKeyPath}\n${hostKeyLine}\n  service: none\n`;
  /** Write as the host's user would: owned by them. */
  const put = (host: SshHost, path: string, text: string, mode = 0o600) => {
    const full = join(host.home, path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, text, { mode });
    execFileSync('chown', ['-R', `${host.uid}:${host.gid}`, join(host.home, path.split('/')[0]!)]);
  };

  beforeAll(async () => {
    lab = await startSshLab('import', ['imp1', 'bad1']);
    ({ repo } = lab);
    [good, bad] = lab.hosts as [SshHost, SshHost];
    env = { XDG_CONFIG_HOME: join(lab.root, 'user-config'), SOPS_AGE_KEY: '', SOPS_AGE_KEY_FILE: '', GIT_CONFIG_GLOBAL: '/dev/null', GITHUB_ACTIONS: '' };
    const init = await run('init', '.', '--name', 'adopt');
    expect(init.code, init.stderr).toBe(0);
    // A short command deadline, for the host that hangs.
    const fleetYaml = join(repo, 'fleet', 'fleet.yaml');
    writeFileSync(fleetYaml, readFileSync(fleetYaml, 'utf8').replace(/^spec:\n/m, 'spec:\n  commandTimeoutSeconds: 8\n'));
    // imp1's Host is written by the keyscan test, with the line keyscan printed.
    writeFileSync(join(repo, 'fleet', 'hosts', 'bad1.yaml'), hostManifest(bad, `    hostKey: "${bad.hostKey}"`));
    // An agent the fleet declares already: import reports it and leaves it alone.
    writeFileSync(
      join(repo, 'fleet', 'agents', 'research.yaml'),
      'apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata: {name: research-bot}\nspec:\n  host: imp1\n  openclaw: {profile: research, config: {gateway: {port: 19412}}}\n',
    );

    // The hand-made installation. Its cron job goes into OpenClaw's own store the way an
    // older install's does: OpenClaw's doctor moves cron/jobs.json into its state database.
    provideOpenclaw(good);
    put(
      good,
      '.openclaw/cron/jobs.json',
      JSON.stringify({
        version: 1,
        jobs: [
          {
            id: 'brief',
            name: 'Morning brief',
            enabled: true,
            createdAtMs: 1_700_000_000_000,
            schedule: { kind: 'cron', expr: '0 7 * * *', tz: 'Europe/Berlin' },
            sessionTarget: 'isolated',
            wakeMode: 'now',
            payload: { kind: 'agentTurn', message: 'Summarize overnight updates.' },
            state: {},
          },
        ],
      }),
    );
    put(good, '.openclaw/openclaw.json', '{ gateway: { mode: "local" } }\n');
    const doctor = openclawAs(good, ['doctor', '--fix', '--non-interactive']);
    expect(doctor.code, doctor.out).toBe(0);
    put(good, '.openclaw/openclaw.json', hostConfig(good.home));
    put(good, '.openclaw/.env', `# by hand\nOPENAI_API_KEY=${API_KEY}\nOPENCLAW_GATEWAY_TOKEN=${GATEWAY_TOKEN}\nLOG_LEVEL=debug\n`);
    put(good, '.openclaw-research/openclaw.json', '{"gateway": {"port": 19412}}\n');
  }, 180_000);

  afterAll(async () => {
    await lab?.remove();
  });

  it('hosts keyscan prints the key ssh-keygen fingerprints, in a line the Host schema pins', async () => {
    const res = await run('hosts', 'keyscan', '127.0.0.1', '--port', String(good.port));
    expect(res.code, res.stderr).toBe(0);
    const pub = join(lab.root, 'imp1', 'host_ed25519.pub');
    const expected = execFileSync('ssh-keygen', ['-lf', pub]).toString().split(' ')[1]!;
    const line = res.stdout.split('\n').find((l) => l.includes('hostKey:'))!;
    expect(line).toContain(`# ${expected}`);
    expect((parse(line.trim()) as { hostKey: string }).hostKey).toBe(good.hostKey);
    // Pasted as it is into the Host manifest: the schema takes it, and import connects with it.
    writeFileSync(join(repo, 'fleet', 'hosts', 'imp1.yaml'), hostManifest(good, line));
    const validate = await run('validate');
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
    const json = await run('hosts', 'keyscan', '127.0.0.1', '--port', String(good.port), '--json');
    expectOutputSchema('hosts keyscan', JSON.parse(json.stdout));
    expect(JSON.parse(json.stdout).keys).toEqual([{ type: 'ssh-ed25519', hostKey: good.hostKey, fingerprint: expected }]);
    const closed = await run('hosts', 'keyscan', '127.0.0.1', '--port', '1');
    expect(closed.code).toBe(1);
    expect(closed.stderr).toContain('127.0.0.1:1');
  });

  it('--dry-run prints the manifests and writes nothing', async () => {
    const before = fleetFiles();
    const res = await run('import', 'imp1', '--dry-run', '--json');
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout);
    expectOutputSchema('import', out);
    expect(out.agents.map((a: { stateDir: string; status: string; agent: string }) => [a.stateDir, a.status, a.agent])).toEqual([
      ['.openclaw', 'would-import', 'imp1-default'],
      ['.openclaw-research', 'declared', 'research-bot'],
    ]);
    expect(out.preview.map((f: { path: string }) => f.path)).toEqual(['agents/imp1-default.json5', 'agents/imp1-default.yaml']);
    expect(fleetFiles()).toEqual(before);
    const human = await run('import', 'imp1', '--dry-run');
    expect(human.stdout).toContain('--- fleet/agents/imp1-default.yaml');
    expect(fleetFiles()).toEqual(before);
  });

  it('imports the installation: config as it is, .env into SOPS, the cron job; then plan has nothing to do', async () => {
    const res = await run('import', 'imp1');
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain('already declared as agent research-bot');
    const files = fleetFiles();
    expect(files['agents/imp1-default.json5']).toBe(hostConfig(good.home));
    const [doc] = parseAllDocuments(files['agents/imp1-default.yaml']!).map((d) => d.toJS());
    expect(doc.spec).toMatchObject({
      host: 'imp1',
      openclaw: { configFile: 'imp1-default.json5' },
      env: {
        OPENAI_API_KEY: { secretRef: { sops: 'secrets/imp1-default.sops.yaml', key: 'OPENAI_API_KEY' } },
        LOG_LEVEL: { secretRef: { sops: 'secrets/imp1-default.sops.yaml', key: 'LOG_LEVEL' } },
      },
      cron: [{ name: 'Morning brief', schedule: '0 7 * * *', tz: 'Europe/Berlin', message: 'Summarize overnight updates.', session: 'isolated' }],
    });
    expect(doc.spec.ignoreDifferences).toBeUndefined(); // init's Fleet ignores /meta and /wizard already
    expect(Object.keys(files)).toContain('secrets/clawctl-hashes.yaml');
    const identity = ageIdentityIn(join(lab.root, 'user-config', 'sops', 'age', 'keys.txt'));
    expect(await decryptSops(files['secrets/imp1-default.sops.yaml']!, { secretKey: identity, fileType: 'yaml' })).toEqual({
      LOG_LEVEL: 'debug',
      OPENAI_API_KEY: API_KEY,
      OPENCLAW_GATEWAY_TOKEN: GATEWAY_TOKEN,
    });
    for (const [path, text] of Object.entries(files)) for (const s of SECRETS) expect(text, path).not.toContain(s);

    expect((await run('validate')).code).toBe(0);
    // The config, every .env value (compared by keyed hash) and OpenClaw's own keys are as they
    // are: no changes (exit 0). The next apply adopts it, adding only what clawctl adds to every
    // agent it manages, without a restart.
    const plan = await run('plan', '--json', '--detailed-exitcode', '--target', 'imp1-default');
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout).changes).toEqual([
      expect.objectContaining({
        agent: 'imp1-default',
        adopt: 'as-is',
        actions: [expect.objectContaining({ type: 'env', action: 'update', entries: [expect.objectContaining({ name: 'OPENCLAW_CONFIG_READONLY', action: 'add' })] })],
      }),
    ]);
    const text = await run('plan', '--target', 'imp1-default');
    expect(text.stdout).toContain('No changes. The fleet matches the desired state.');
    expect(text.stdout).toContain('The next apply adopts this agent as it is: it writes the ownership marker and OPENCLAW_CONFIG_READONLY');
    const apply = await run('apply', '--auto-approve', '--target', 'imp1-default');
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(readFileSync(join(good.home, '.openclaw', 'openclaw.json'), 'utf8')).toBe(hostConfig(good.home)); // not rewritten: comments kept
    expect(readFileSync(join(good.home, '.openclaw', '.clawctl-managed'), 'utf8')).toBe('fleet=adopt agent=imp1-default origin=adopted\n');
    const dotenv = readFileSync(join(good.home, '.openclaw', '.env'), 'utf8');
    for (const line of [`OPENAI_API_KEY=${API_KEY}`, `OPENCLAW_GATEWAY_TOKEN=${GATEWAY_TOKEN}`, 'LOG_LEVEL=debug', 'OPENCLAW_CONFIG_READONLY=1']) expect(dotenv).toContain(line);
    const again = await run('plan', '--detailed-exitcode', '--target', 'imp1-default');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('No changes.');
  });

  it('a second import writes nothing new and reports both agents as declared', async () => {
    const before = fleetFiles();
    const res = await run('import', 'imp1', '--json');
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout).agents.map((a: { status: string }) => a.status)).toEqual(['declared', 'declared']);
    expect(fleetFiles()).toEqual(before);
  });

  it('an adopted agent that leaves the fleet is forgotten, never removed: only its marker goes', async () => {
    rmSync(join(repo, 'fleet', 'agents', 'imp1-default.yaml'));
    rmSync(join(repo, 'fleet', 'agents', 'imp1-default.json5'));
    const plan = await run('plan', '--target', 'imp1');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('- agent imp1-default (~/.openclaw): no longer in the fleet');
    expect(plan.stdout).toContain('- stop managing it: only its ownership marker is removed');
    expect(plan.stdout).toMatch(/Plan: .*1 to forget/);
    const apply = await run('apply', '--auto-approve', '--target', 'imp1');
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(existsSync(join(good.home, '.openclaw', '.clawctl-managed'))).toBe(false);
    expect(readFileSync(join(good.home, '.openclaw', 'openclaw.json'), 'utf8')).toBe(hostConfig(good.home));
    expect(readFileSync(join(good.home, '.openclaw', '.env'), 'utf8')).toContain('LOG_LEVEL=debug');
    const again = await run('plan', '--json', '--target', 'imp1');
    expect(JSON.parse(again.stdout).changes.map((c: { agent: string }) => c.agent)).not.toContain('imp1-default');
  });

  it('refuses hostile material by name, runs none of it, and still imports what is sound', async () => {
    const elsewhere = join(bad.home, 'elsewhere');
    put(bad, 'elsewhere/openclaw.json', '{}\n');
    symlinkSync(elsewhere, join(bad.home, '.openclaw-linked'));
    lchownSync(join(bad.home, '.openclaw-linked'), bad.uid, bad.gid);
    put(bad, '.openclaw-Not_A_Label/openclaw.json', '{}\n');
    put(bad, '.openclaw-$(touch pwned)/openclaw.json', '{}\n');
    put(bad, '.openclaw-huge/openclaw.json', `{"x": "${'a'.repeat(2 * 1024 * 1024)}"}\n`);
    put(bad, '.openclaw-junk/openclaw.json', '{ gateway: { port: 1 ');
    put(bad, '.openclaw-envlink/openclaw.json', '{}\n');
    symlinkSync(join(bad.home, 'elsewhere', 'openclaw.json'), join(bad.home, '.openclaw-envlink', '.env'));
    lchownSync(join(bad.home, '.openclaw-envlink', '.env'), bad.uid, bad.gid);
    put(bad, '.openclaw/openclaw.json', '{gateway: {mode: "local", bind: "loopback", port: 19421}}\n');

    const res = await run('import', 'bad1');
    expect(res.code).toBe(1);
    const text = res.stdout + res.stderr;
    for (const expected of [
      'host bad1: ~/.openclaw-linked is a symbolic link',
      'host bad1: ~/.openclaw-Not_A_Label is not an OpenClaw state dir',
      'host bad1: ~/.openclaw-??touch?pwned? is not an OpenClaw state dir',
      'host bad1: ~/.openclaw-huge/openclaw.json is 2097162 bytes, more than the 1048576 import reads',
      'host bad1: ~/.openclaw-junk/openclaw.json cannot be imported: bad1:~/.openclaw-junk/openclaw.json:1:',
      'host bad1: ~/.openclaw-envlink/.env is a symbolic link',
    ]) {
      expect(text).toContain(expected);
    }
    expect(existsSync(join(bad.home, 'pwned'))).toBe(false);
    expect(existsSync(join(repo, 'pwned'))).toBe(false);
    expect(readFileSync(join(elsewhere, 'openclaw.json'), 'utf8')).toBe('{}\n');
    expect(Object.keys(fleetFiles()).filter((f) => f.startsWith('agents/bad1-'))).toEqual(['agents/bad1-default.json5', 'agents/bad1-default.yaml']);
  });

  it('gives up on a host whose command hangs, naming it', async () => {
    writeFileSync(join(lab.root, 'bad1', 'authorized_keys'), `command="sleep 1000" ${lab.client.publicKey}\n`);
    const before = fleetFiles();
    const res = await run('import', 'bad1');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/host bad1: clawctl-import did not finish within 8 s/);
    expect(fleetFiles()).toEqual(before);
  }, 60_000);

  it('no secret value reached any output', () => {
    for (const text of outputs) for (const s of SECRETS) expect(text).not.toContain(s);
  });
});
