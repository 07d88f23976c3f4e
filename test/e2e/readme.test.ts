import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { userEnv } from '../harness/cli.js';
import { commandMentions, headingSlugs, isShell, mentionProblems, readmeBlocks, README_PATH, relativeLinks, strayMarkers, type Block } from '../harness/readme.js';
import { makeClientKey, startSshHost, type SshHost } from '../harness/sshd.js';
import { startSecretsManager, TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY, type SecretsManagerServer } from '../servers/secrets-manager.js';

/**
 * The README stays true. Its commands are run as a new user runs them: from a fresh clone of
 * this repository's HEAD (uncommitted files unseen), in README order, each block as written.
 * Which blocks run, and where, is said in the README itself by a marker above each block
 * (see test/harness/readme.ts for the convention); a shell block without one fails here, so no
 * command is added untested by accident, and every block that is not run says why.
 *
 * Journeys, run one after the other in one temp dir:
 *   quickstart  in the clone: `npm ci` and the example fleet, exactly as written
 *   fleet-repo  in a new user's home, `clawctl` on PATH (a link to the clone's bin, as
 *               `npm link` makes): a fleet repo with secrets, the audit log, a real server
 *   observer    the observation key: made, pinned in the Fleet, installed on that server
 * The only edits to what the README says are the placeholders in SUBSTITUTIONS below.
 */

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = readFileSync(README_PATH, 'utf8');
const BLOCKS = readmeBlocks(README);
const JOURNEYS = ['quickstart', 'fleet-repo', 'observer'] as const;
type Journey = (typeof JOURNEYS)[number];

const where = (b: Block) => `README.md:${b.line} (\`\`\`${b.lang})`;

describe('README.md', () => {
  it('marks every shell block: run in a journey, the CI command, or skipped with a reason', () => {
    const problems: string[] = [];
    for (const b of BLOCKS) {
      if (typeof b.marker === 'string') problems.push(`${where(b)}: ${b.marker}`);
      else if (!b.marker && isShell(b)) problems.push(`${where(b)}: a shell block without a <!-- readme-test: … --> marker (run JOURNEY, ci, or skip REASON)`);
      else if (b.marker && 'journey' in b.marker && !(JOURNEYS as readonly string[]).includes(b.marker.journey))
        problems.push(`${where(b)}: unknown journey ${b.marker.journey} (known: ${JOURNEYS.join(', ')})`);
      else if (typeof b.marker === 'object' && b.marker.kind === 'run' && !isShell(b)) problems.push(`${where(b)}: only shell blocks are run`);
    }
    for (const line of strayMarkers(README)) problems.push(`README.md:${line}: a readme-test marker must be the line right above a block's opening fence`);
    expect(
      BLOCKS.filter((b) => typeof b.marker === 'object' && b.marker.kind === 'ci'),
      'exactly one block is the CI command',
    ).toHaveLength(1);
    expect(BLOCKS.some((b) => b.marker && typeof b.marker !== 'string' && b.marker.kind === 'run' && b.marker.journey === 'quickstart')).toBe(true);
    // A skip that names the test covering the block instead must name one that exists.
    for (const b of BLOCKS)
      if (typeof b.marker === 'object' && b.marker.kind === 'skip')
        for (const f of b.marker.reason.match(/test\/\S+\.test\.ts/g) ?? []) if (!existsSync(join(REPO_ROOT, f))) problems.push(`${where(b)}: the skip names ${f}, which does not exist`);
    const skipped = BLOCKS.flatMap((b) => (b.marker && typeof b.marker !== 'string' && b.marker.kind === 'skip' ? [`  ${where(b)}: ${b.marker.reason}`] : []));
    console.log(`README blocks not run (${skipped.length}):\n${skipped.join('\n')}`);
    expect(problems).toEqual([]);
  });

  it('names only commands and flags that the CLI has (command-snapshot.json)', () => {
    const mentions = commandMentions(README);
    expect(mentions.length).toBeGreaterThan(40);
    const problems = mentions.flatMap((m) => mentionProblems(m.text).map((p) => `README.md:${m.line}: ${p} (in \`clawctl ${m.text.trim()}\`)`));
    expect(problems).toEqual([]);
  });

  it('names only CLAWCTL_ environment variables that clawctl reads', () => {
    const src = execFileSync('grep', ['-rhoE', 'CLAWCTL_[A-Z0-9_]+', join(REPO_ROOT, 'src'), join(REPO_ROOT, '.github')], { encoding: 'utf8' });
    const known = new Set(src.split('\n'));
    const problems = README.split('\n').flatMap((l, i) =>
      [...l.matchAll(/CLAWCTL_[A-Z0-9_]+/g)].filter((m) => !known.has(m[0])).map((m) => `README.md:${i + 1}: ${m[0]} appears nowhere in src/ or .github/`),
    );
    expect(problems).toEqual([]);
  });

  it('links only to files and headings that exist', () => {
    const slugs = headingSlugs(README);
    const problems: string[] = [];
    for (const { line, target } of relativeLinks(README)) {
      const [file, anchor] = target.split('#') as [string, string | undefined];
      if (file && !existsSync(join(REPO_ROOT, decodeURIComponent(file)))) problems.push(`README.md:${line}: ${target}: no such file`);
      if (!file && anchor !== undefined && !slugs.has(anchor)) problems.push(`README.md:${line}: ${target}: no such heading`);
    }
    expect(problems).toEqual([]);
  });

  it('its test command is what .ci/run runs, and .ci/run runs the npm command the README names', () => {
    const ci = BLOCKS.find((b) => b.marker && typeof b.marker !== 'string' && b.marker.kind === 'ci')!;
    const command = ci.body.trim();
    const ciRun = readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8');
    const ciLines = ciRun
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, '').trim())
      .filter((l) => l && !l.startsWith('#'));
    // Either the block is the CI entry point itself, or a command that entry point runs.
    expect(command === 'bash .ci/run' || ciLines.includes(command), `README.md:${ci.line}: \`${command}\` is neither \`bash .ci/run\` nor a line of .ci/run`).toBe(true);
    // The paragraph above the block says what it runs (`npm test`): .ci/run must run exactly that.
    const before = README.split('\n').slice(0, ci.line - 1);
    const paragraph = before
      .slice(
        before
          .map((l, i) => (l.trim() === '' && i < before.length - 1 ? i : -1))
          .filter((i) => i >= 0)
          .at(-2) ?? 0,
      )
      .join('\n');
    const named = [...paragraph.matchAll(/`(npm [^`]+)`/g)].map((m) => m[1]!);
    expect(named.length, `README.md:${ci.line}: the paragraph above the CI command names no \`npm …\` command`).toBeGreaterThan(0);
    for (const n of named) expect(ciLines, `README.md says .ci/run runs \`${n}\``).toContain(n);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.test).toMatch(/vitest run/);
  });
});

/** A placeholder of the README and what the test puts in its place. */
interface Substitution {
  journey: Journey;
  /** The README's text, exactly. */
  from: string | RegExp;
  to: () => string;
  why: string;
}

describe('the README, run from a fresh clone', () => {
  let root: string;
  let clone: string;
  let home: string;
  let host: SshHost;
  let aws: SecretsManagerServer;
  const cwd: Record<Journey, string> = { quickstart: '', 'fleet-repo': '', observer: '' };
  const env: Record<Journey, NodeJS.ProcessEnv> = { quickstart: {}, 'fleet-repo': {}, observer: {} };
  const used = new Set<Substitution>();

  // Every placeholder the test fills in, and nothing else: the README's commands run as written.
  const SECRET = 'sk-readme-test-openai-0123456789';
  const SUBSTITUTIONS: Substitution[] = [
    {
      journey: 'fleet-repo',
      from: 'address: 100.64.0.7        # a Tailscale address',
      to: () => `address: 127.0.0.1\n    port: ${host.port}`,
      why: 'the server: a loopback sshd, on its own port (spec.ssh.port, documented default 22)',
    },
    { journey: 'fleet-repo', from: 'user: openclaw', to: () => `user: ${host.user}`, why: "the server's Unix user" },
    { journey: 'fleet-repo', from: '"ssh-ed25519 AAAAC3Nza…"', to: () => `"${host.hostKey}"`, why: "the server's host key, as its /etc/ssh/ssh_host_ed25519_key.pub" },
    { journey: 'fleet-repo', from: 'service: systemd-user', to: () => 'service: process', why: 'the test server runs no systemd user manager' },
    { journey: 'observer', from: 'ssh-ed25519 AAAA… clawctl-observer', to: () => readFileSync(join(cwd.observer, 'observe.pub'), 'utf8').trim(), why: 'the line of observe.pub, as the comment says' },
  ];

  function substitute(journey: Journey, text: string): string {
    for (const s of SUBSTITUTIONS.filter((x) => x.journey === journey)) {
      const hit = typeof s.from === 'string' ? text.includes(s.from) : s.from.test(text);
      if (!hit) continue;
      used.add(s);
      text = typeof s.from === 'string' ? text.split(s.from).join(s.to()) : text.replace(s.from, s.to());
    }
    return text;
  }

  /**
   * One block in a fresh bash on a pseudo-terminal (as a user's terminal: `secrets get --reveal`
   * prints only to one), starting where the journey's previous block ended.
   */
  async function runBlock(journey: Journey, b: Block): Promise<string> {
    const state = join(root, 'state');
    mkdirSync(state, { recursive: true });
    const script = join(state, `block-${b.line}.sh`);
    writeFileSync(script, `set -euo pipefail\ncd ${JSON.stringify(cwd[journey])}\n${substitute(journey, b.body)}\npwd > ${JSON.stringify(join(state, 'cwd'))}\n`);
    const child = spawn('script', ['-qec', `bash ${script}`, '/dev/null'], { cwd: cwd[journey], env: env[journey], stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
    out = out.replace(/\r\n/g, '\n');
    expect(code, `${where(b)} failed (exit ${code}) in ${journey}:\n${b.body}\n--- output:\n${out}`).toBe(0);
    cwd[journey] = readFileSync(join(state, 'cwd'), 'utf8').trim();
    return out;
  }

  /** Write a block to a file of the journey, or merge its YAML under a key of one. */
  function writeBlock(journey: Journey, b: Block): void {
    const m = b.marker as { kind: 'file' | 'merge'; path: string; key?: string };
    const path = join(cwd[journey], m.path);
    const text = substitute(journey, b.body);
    if (m.kind === 'file') {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, `${text}\n`);
      return;
    }
    expect(existsSync(path), `${where(b)}: ${m.path} does not exist in ${journey}`).toBe(true);
    const doc = parseDocument(readFileSync(path, 'utf8'));
    const fragment = parseDocument(text).toJS() as Record<string, unknown>;
    for (const [k, v] of Object.entries(fragment)) doc.setIn([...m.key!.split('.'), k], doc.createNode(v));
    writeFileSync(path, doc.toString());
  }

  /** The journey's blocks, in README order: shell blocks run, file blocks written. Returns each run block's output. */
  async function journey(name: Journey): Promise<Map<number, string>> {
    const outputs = new Map<number, string>();
    const mine = BLOCKS.filter((b) => b.marker && typeof b.marker !== 'string' && 'journey' in b.marker && b.marker.journey === name);
    expect(mine.length, `no README block is marked for journey ${name}`).toBeGreaterThan(0);
    for (const b of mine) {
      if ((b.marker as { kind: string }).kind === 'run') outputs.set(b.line, await runBlock(name, b));
      else writeBlock(name, b);
    }
    return outputs;
  }

  /** clawctl as the journey's user runs it, in the journey's directory. */
  const clawctlIn = (name: Journey, ...args: string[]) => {
    try {
      return { code: 0, out: execFileSync('clawctl', args, { cwd: cwd[name], env: env[name], encoding: 'utf8', stdio: 'pipe' }) };
    } catch (e) {
      const err = e as { status: number; stdout: string; stderr: string };
      return { code: err.status, out: `${err.stdout}${err.stderr}` };
    }
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-readme-'));
    chmodSync(root, 0o755);
    clone = join(root, 'clawctl');
    execFileSync('git', ['clone', '-q', REPO_ROOT, clone]);
    home = join(root, 'home');
    mkdirSync(home);
    // `npm link` would put clawctl on PATH through npm's global prefix; a link in a PATH dir of
    // the test's own does the same without touching this machine's global packages.
    const bin = join(root, 'bin');
    mkdirSync(bin);
    symlinkSync(join(clone, 'bin', 'run.js'), join(bin, 'clawctl'));

    const npm = (key: string) => execFileSync('npm', ['config', 'get', key], { encoding: 'utf8' }).trim();
    // A new user on this machine: their own home, config and state; npm's cache (offline first)
    // and config are this machine's, and so is clawctl's cache of OpenClaw toolchains (the
    // test setup fetched them), so the README's commands fetch nothing twice.
    const base = Object.fromEntries(
      Object.entries(userEnv()).filter(
        ([k]) =>
          !['CI', 'XDG_CONFIG_HOME', 'XDG_STATE_HOME', 'SOPS_AGE_KEY', 'SOPS_AGE_KEY_FILE', 'CLAWCTL_HASH_KEY', 'CLAWCTL_SSH_IDENTITY_FILE', 'CLAWCTL_OBSERVER'].includes(k) && !k.startsWith('npm_'),
      ),
    );
    const user: NodeJS.ProcessEnv = {
      ...base,
      HOME: home,
      PATH: `${bin}:${process.env.PATH}`,
      NO_COLOR: '1',
      npm_config_cache: npm('cache'),
      npm_config_userconfig: npm('userconfig'),
      npm_config_prefer_offline: 'true',
      GIT_AUTHOR_NAME: 'README Reader',
      GIT_AUTHOR_EMAIL: 'reader@example.com',
      GIT_COMMITTER_NAME: 'README Reader',
      GIT_COMMITTER_EMAIL: 'reader@example.com',
    };
    aws = await startSecretsManager({});
    env.quickstart = user;
    // The values the secrets block reads from the user's environment, and AWS (a local stand-in).
    env['fleet-repo'] = {
      ...user,
      OPENAI_API_KEY: SECRET,
      TOKEN: 'telegram-readme-test-token',
      NEW: 'sk-readme-test-rotated-9876543210',
      AWS_ENDPOINT_URL: aws.url,
      AWS_REGION: aws.region,
      AWS_ACCESS_KEY_ID: TEST_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: TEST_SECRET_ACCESS_KEY,
    };
    env.observer = env['fleet-repo'];
    cwd.quickstart = clone;
    cwd['fleet-repo'] = home;

    // The real server of "Managing real servers": its client key where the README's Host says.
    const keys = join(root, 'keys');
    mkdirSync(keys);
    const client = makeClientKey(keys);
    host = await startSshHost('edge-1', root, client);
    mkdirSync(join(home, '.ssh'), { mode: 0o700 });
    copyFileSync(client.privateKeyPath, join(home, '.ssh', 'clawctl_ed25519'));
    chmodSync(join(home, '.ssh', 'clawctl_ed25519'), 0o600);
  }, 300_000);

  afterAll(async () => {
    await host?.remove();
    await aws?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('quick start: npm ci, the example fleet applied, planned again: No changes.', async () => {
    const out = await journey('quickstart');
    const [first, second] = [...out.values()];
    expect(first).toContain('No changes.');
    // `ls -la …/.openclaw-research/`: openclaw.json and .env, both 0600; status: offline.
    expect(second).toMatch(/^-rw------- .* openclaw\.json$/m);
    expect(second).toMatch(/^-rw------- .* \.env$/m);
    expect(second).toMatch(/offline/);
  }, 900_000);

  it('a fleet repo: init, secrets in SOPS and AWS, rehash, the audit log, a real server', async () => {
    const out = await journey('fleet-repo');
    const secrets = [...out.values()][0]!;
    expect(secrets.split(SECRET).length - 1, 'the value is printed once: by --reveal, to the terminal').toBe(1);
    expect(secrets).toMatch(/sha256:/);
    // The Host of "Managing real servers" is reached through its pinned key: plan succeeds.
    const plan = clawctlIn('fleet-repo', 'plan');
    expect(plan.code, plan.out).toBe(0);
    const verify = clawctlIn('fleet-repo', 'audit', 'verify');
    expect(verify.code, verify.out).toBe(0);
  }, 300_000);

  it('the observation key: made, named in the Fleet, installed by one apply, its line printed', async () => {
    cwd.observer = cwd['fleet-repo'];
    await journey('observer');
    // "Run `clawctl apply` once … plan shows `+ observation gate … key SHA256:… may only run the facts script`"
    const plan = clawctlIn('observer', 'plan');
    expect(plan.out).toMatch(/\+ observation gate .*key SHA256:.*may only run the facts script/);
    const apply = clawctlIn('observer', 'apply', '--auto-approve');
    expect(apply.code, apply.out).toBe(0);
    // "… one line in ~/.ssh/authorized_keys … (`clawctl hosts observer-line` prints it)"
    const line = clawctlIn('observer', 'hosts', 'observer-line');
    expect(line.code, line.out).toBe(0);
    const authorized = readFileSync(join(host.home, '.ssh', 'authorized_keys'), 'utf8');
    expect(authorized).toContain(
      line.out
        .trim()
        .split('\n')
        .find((l) => l.startsWith('restrict,'))!,
    );
    expect(authorized).toMatch(/^restrict,command="sh \.clawctl\/observe\/gate\.sh" ssh-ed25519 \S+ clawctl-observer:/m);
    const again = clawctlIn('observer', 'plan', '--detailed-exitcode');
    expect(again.code, again.out).toBe(0);
  }, 300_000);

  it('fills in only the placeholders it lists, each one still in the README', () => {
    const unused = SUBSTITUTIONS.filter((s) => !used.has(s)).map((s) => `${String(s.from)} (${s.why})`);
    expect(unused, 'placeholders the README no longer has: update SUBSTITUTIONS').toEqual([]);
  });
});
