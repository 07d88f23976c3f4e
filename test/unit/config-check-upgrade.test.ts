import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDesired } from '../../src/engine/fleet-run.js';
import { checkOpenclawConfigs, configCheckErrors, verdictRequest } from '../../src/openclaw/config-check.js';
import { verdictFile, type ConfigVerdict } from '../../src/openclaw/config-verdict.js';

const OLD = '2026.9.5';
const NEW = '2026.9.6';
const refused = { path: 'tools.codeMode', message: 'Unrecognized key: "runtime"' };

/**
 * A config the new version refuses is judged again by the version the host runs: the error
 * then says whether the upgrade retires a key that works today, or one that version still
 * migrates. Verdicts come from the cache, seeded here, so no OpenClaw runs.
 */
describe('the upgrade-aware config check', () => {
  let root: string;
  let fleetDir: string;
  const saved = process.env.XDG_CACHE_HOME;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'clawctl-upgrade-check-'));
    process.env.XDG_CACHE_HOME = join(root, 'cache');
    fleetDir = join(root, 'fleet');
    mkdirSync(fleetDir);
    writeFileSync(
      join(fleetDir, 'fleet.yaml'),
      [
        `apiVersion: clawctl.dev/v1\nkind: Fleet\nmetadata: {name: t}\nspec:\n  openclaw: {version: ${NEW}}\n  defaults:\n    config:\n      gateway: {mode: local}\n      tools:\n        codeMode: {enabled: false, runtime: quickjs-wasi}\n`,
        'apiVersion: clawctl.dev/v1\nkind: Host\nmetadata: {name: h1}\nspec: {ssh: {address: 127.0.0.1, user: u, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"}}\n',
        'apiVersion: clawctl.dev/v1\nkind: Agent\nmetadata: {name: a1}\nspec: {host: h1}\n',
      ].join('---\n'),
    );
  });
  afterAll(() => {
    process.env.XDG_CACHE_HOME = saved;
    rmSync(root, { recursive: true, force: true });
  });

  const cases: { name: string; old: ConfigVerdict; hint: string | RegExp }[] = [
    { name: 'accepted today: the upgrade retires the key', old: { valid: true, issues: [], warnings: [] }, hint: `while OpenClaw ${OLD}, installed now, accepts it: the upgrade retires this key` },
    {
      name: 'migrated today: that version is the step between',
      old: { valid: true, issues: [], warnings: [{ path: 'tools.codeMode.runtime', message: 'legacy key; run openclaw doctor --fix' }] },
      hint: `OpenClaw ${OLD}, installed now, still migrates it ("legacy key; run openclaw doctor --fix")`,
    },
    { name: 'refused today too: nothing about the upgrade', old: { valid: false, issues: [refused], warnings: [] }, hint: /refuses this$/ },
  ];
  for (const c of cases)
    it(c.name, async () => {
      const { manifests, desired } = await loadDesired(fleetDir, { secrets: false }, root);
      const request = verdictRequest(desired.agents[0]!);
      const seed = (version: string, verdict: ConfigVerdict) => {
        const file = verdictFile(version, request);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, JSON.stringify(verdict));
      };
      seed(NEW, { valid: false, issues: [refused], warnings: [] });
      seed(OLD, c.old);
      const checks = await checkOpenclawConfigs(manifests, desired, { hostVersions: new Map([['h1', OLD]]) });
      const problem = configCheckErrors(checks, false)!.diagnostics[0]!;
      expect(problem.message).toBe(`agent a1: openclaw.json tools.codeMode: Unrecognized key: "runtime" (OpenClaw ${NEW})`);
      expect(problem.pos).toMatchObject({ file: expect.stringContaining('fleet.yaml'), line: 10 });
      if (typeof c.hint === 'string') expect(problem.hint).toContain(c.hint);
      else expect(problem.hint).toMatch(c.hint);
    });
});
