import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedToolchain } from '../../src/openclaw/toolchain.js';
import { clawctl } from '../harness/cli.js';
import { PINNED_OPENCLAW } from '../setup/openclaw-toolchain.js';

/**
 * Which OpenClaw judged each config, and what happens when none could: the pin, else the
 * version installed on the host (at plan time), else "not run", which is never a pass.
 */
describe("OpenClaw's own config check: which version, and when it cannot run", () => {
  let root: string;
  const offline = () => ({ XDG_CACHE_HOME: join(root, 'empty-cache'), CLAWCTL_NPM_REGISTRY: 'http://127.0.0.1:9/' });

  /** A fleet of one local host (home ../home) and one agent, with an optional pin. */
  const fleet = (name: string, opts: { pin?: string; config?: string }) => {
    const dir = join(root, name);
    mkdirSync(join(dir, 'fleet'), { recursive: true });
    mkdirSync(join(dir, 'home'), { recursive: true });
    writeFileSync(
      join(dir, 'fleet', 'fleet.yaml'),
      `apiVersion: clawctl.dev/v1
kind: Fleet
metadata: {name: ${name}}
spec:
  ${opts.pin ? `openclaw: {version: ${opts.pin}}` : 'rollout: {maxUnavailable: 1}'}
  defaults:
    config: {gateway: {mode: local, bind: loopback}}
---
apiVersion: clawctl.dev/v1
kind: Host
metadata: {name: h}
spec: {local: {home: ../home}, service: none}
---
apiVersion: clawctl.dev/v1
kind: Agent
metadata: {name: bot}
spec:
  host: h
  openclaw:
    config:
${opts.config ?? '      gateway: {port: 18789}'}
`,
    );
    return dir;
  };

  /** The host has OpenClaw installed in the user's ~/.local/bin, as bootstrap leaves it. */
  const installOpenclaw = (dir: string) => {
    const toolchain = cachedToolchain(PINNED_OPENCLAW)!;
    const bin = join(dir, 'home', '.local', 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(toolchain.node, join(bin, 'node'));
    symlinkSync(join(toolchain.packageDir, 'openclaw.mjs'), join(bin, 'openclaw'));
  };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-occheck-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('checks an unpinned agent at plan time against the version installed on its host, and says so', async () => {
    const dir = fleet('unpinned', {});
    installOpenclaw(dir);
    const json = await clawctl(['plan', '--json'], { cwd: dir });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).config_checks).toEqual([{ agent: 'bot', status: 'passed', version: PINNED_OPENCLAW, versionFrom: 'host', issues: [], warnings: [] }]);
    const text = await clawctl(['plan'], { cwd: dir });
    expect(text.stdout).toContain(`OpenClaw ${PINNED_OPENCLAW}'s own config check passed 1 agent config(s).`);
  });

  it('reports an unpinned agent on a host without OpenClaw as not checked; --require-openclaw-check refuses it', async () => {
    const dir = fleet('bare-host', {});
    const plan = await clawctl(['plan', '--json'], { cwd: dir });
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout).config_checks[0]).toMatchObject({ agent: 'bot', status: 'not-run', reason: 'no version is pinned and host h has no openclaw installed' });
    const required = await clawctl(['plan', '--require-openclaw-check'], { cwd: dir });
    expect(required.code).toBe(1);
    expect(required.stderr).toContain("agent bot: OpenClaw's own config check did not run: no version is pinned and host h has no openclaw installed");
  });

  it('offline with nothing cached: the check is not run, never passed, and --require-openclaw-check makes that an error', async () => {
    const dir = fleet('offline', { pin: '2026.9.5' });
    const res = await clawctl(['validate', '--json'], { cwd: dir, env: offline() });
    expect(res.code, res.stderr).toBe(0);
    const check = JSON.parse(res.stdout).configChecks[0];
    expect(check).toMatchObject({ agent: 'bot', status: 'not-run', version: '2026.9.5', versionFrom: 'pin' });
    expect(check.reason).toMatch(/^could not fetch openclaw 2026\.9\.5: .*(ECONNREFUSED|connect)/);
    expect(existsSync(join(root, 'empty-cache', 'clawctl', 'openclaw', '2026.9.5'))).toBe(false);
    const human = await clawctl(['validate'], { cwd: dir, env: offline() });
    expect(human.stdout).toContain("OpenClaw's own config check did not run for bot: could not fetch openclaw 2026.9.5");
    const required = await clawctl(['validate', '--require-openclaw-check'], { cwd: dir, env: offline() });
    expect(required.code).toBe(1);
    expect(required.stderr).toContain('hint: --require-openclaw-check refuses an unchecked config');
  });

  it("refuses at plan what the pinned OpenClaw refuses, at the manifest's line, and writes nothing on the host", async () => {
    const dir = fleet('refused', {
      pin: PINNED_OPENCLAW,
      config: '      gateway: {port: 18789}\n      agents:\n        list:\n          - {id: main, default: true}\n          - {id: ops, default: true}',
    });
    for (const command of [['plan'], ['apply', '--auto-approve']]) {
      const res = await clawctl(command, { cwd: dir });
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(
        `fleet/fleet.yaml:24:11: agent bot: openclaw.json agents.entries: agents.entries must contain at most one default=true entry (found 2) (OpenClaw ${PINNED_OPENCLAW})`,
      );
    }
    expect(existsSync(join(dir, 'home', '.openclaw'))).toBe(false);
  });
});
