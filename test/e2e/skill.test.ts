import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import JSON5 from 'json5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAWCTL } from '../harness/cli.js';
import { clawctlLines, commandLineProblems } from '../harness/command-lines.js';
import { OPENCLAW_BIN, openclawInstalled } from '../harness/openclaw.js';

const SKILL_DIR = fileURLToPath(new URL('../../skill/', import.meta.url));
const SKILL_MD = readFileSync(join(SKILL_DIR, 'clawctl', 'SKILL.md'), 'utf8');
const APPROVALS_FILE = join(SKILL_DIR, 'clawctl', 'exec-approvals.json5');
/** The commands the skill gives the agent to run: its code blocks, continuation lines joined. */
const SKILL_COMMANDS = clawctlLines([...SKILL_MD.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/\\\n\s*/g, ' ')).join('\n')).map((l) => l.replace(/\s+#.*$/, '').trim());

interface AllowEntry {
  pattern: string;
  argPattern?: string;
}
const approvals = JSON5.parse(readFileSync(APPROVALS_FILE, 'utf8')) as { agents: Record<string, { allowlist: AllowEntry[] }> };

/** OpenClaw's allowlist match for a hand-written entry: the binary, then argPattern over the args joined by single spaces. */
function allowed(argv: string[]): boolean {
  return approvals.agents['*']!.allowlist.some((e) => e.pattern === argv[0] && (!e.argPattern || new RegExp(e.argPattern).test(argv.slice(1).join(' '))));
}

/** The skill an OpenClaw agent uses to drive clawctl, and the exec allowlist that fences it in. */
describe('the clawctl skill', () => {
  it('names only clawctl commands and flags that exist', () => {
    expect(SKILL_COMMANDS.length).toBeGreaterThan(8);
    expect(SKILL_COMMANDS.flatMap(commandLineProblems)).toEqual([]);
  });

  it('every command it tells the agent to run passes its exec allowlist; changing hosts does not', () => {
    for (const line of SKILL_COMMANDS) expect(allowed(line.split(/\s+/)), line).toBe(true);
    for (const denied of [
      'clawctl apply --auto-approve',
      'clawctl apply plan.json',
      'clawctl unlock',
      'clawctl agents restart support-bot',
      'clawctl secrets set secrets/a.sops.yaml KEY',
      'clawctl secrets get secrets/a.sops.yaml KEY --reveal --force',
      'clawctl init .',
      'clawctl statusx',
      'git push origin main',
      'git pull',
      'sh -c clawctl',
    ]) {
      expect(allowed(denied.split(' ')), denied).toBe(false);
    }
  });

  describe('in a real OpenClaw', () => {
    let root: string;
    let env: NodeJS.ProcessEnv;
    const openclaw = (args: string[], path: string) =>
      execFileSync(join(OPENCLAW_BIN, 'openclaw'), args, { env: { ...env, PATH: `${path}:${OPENCLAW_BIN}:/usr/bin:/bin` }, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });

    beforeAll(() => {
      if (!openclawInstalled()) throw new Error(`OpenClaw is not installed for tests: run bash test/setup/install-openclaw.sh (expected ${OPENCLAW_BIN})`);
      root = mkdtempSync(join(tmpdir(), 'clawctl-skill-'));
      const state = join(root, 'home', '.openclaw');
      mkdirSync(state, { recursive: true });
      writeFileSync(join(state, 'openclaw.json'), JSON.stringify({ gateway: { mode: 'local' }, skills: { load: { extraDirs: [SKILL_DIR] } } }));
      mkdirSync(join(root, 'bin'));
      symlinkSync(CLAWCTL, join(root, 'bin', 'clawctl'));
      env = { HOME: join(root, 'home'), OPENCLAW_STATE_DIR: state, LANG: 'C.UTF-8' };
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('loads the skill from skills.load.extraDirs, eligible once clawctl is on PATH', () => {
      const ready = JSON.parse(openclaw(['skills', 'info', 'clawctl', '--json'], join(root, 'bin')));
      expect(ready).toMatchObject({ name: 'clawctl', source: 'openclaw-extra', eligible: true, modelVisible: true, missing: { bins: [] }, requirements: { bins: ['clawctl', 'git'] } });
      const missing = JSON.parse(openclaw(['skills', 'info', 'clawctl', '--json'], join(root, 'empty')));
      expect(missing).toMatchObject({ eligible: false, missing: { bins: ['clawctl'] } });
    });

    it('accepts the exec approvals file as the host policy: allowlist only, skills not auto-allowed', () => {
      openclaw(['approvals', 'set', '--file', APPROVALS_FILE], join(root, 'bin'));
      const got = JSON.parse(openclaw(['approvals', 'get', '--json'], join(root, 'bin')));
      expect(got.file.defaults).toMatchObject({ security: 'deny', autoAllowSkills: false });
      expect(got.file.agents['*'].allowlist.map((e: AllowEntry) => [e.pattern, e.argPattern])).toEqual(approvals.agents['*']!.allowlist.map((e) => [e.pattern, e.argPattern]));
      expect(got.effectivePolicy.scopes[0].security.effective).toBe('allowlist');
    });
  });
});
