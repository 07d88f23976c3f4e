import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * clawctl is not on the npm registry: a person (or the machine an agent runs on) installs it
 * from git, pinned by commit, as `npm install github:OWNER/clawctl#<sha>` does. npm clones the
 * repository, installs its dependencies, runs its `prepare` (the build), packs it as `files`
 * says and installs that with its runtime dependencies, recording the commit in the lockfile.
 * Here the repository is a bare clone of this one, reached as git+file://, at HEAD.
 */
describe('npm install from a git commit', () => {
  const root = mkdtempSync(join(tmpdir(), 'clawctl-git-install-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('builds clawctl and installs a working bin, the commit recorded in the lockfile', () => {
    const bare = join(root, 'clawctl.git');
    execFileSync('git', ['clone', '-q', '--bare', REPO_ROOT, bare]);
    const sha = execFileSync('git', ['-C', bare, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const project = join(root, 'ops');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'ops', private: true }));
    const npmEnv = { ...process.env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
    execFileSync('npm', ['install', `git+file://${bare}#${sha}`], { cwd: project, env: npmEnv, stdio: 'pipe' });

    const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8'));
    expect(lock.packages['node_modules/clawctl']).toMatchObject({ version: '0.1.0', resolved: `git+file://${bare}#${sha}` });
    const installed = join(project, 'node_modules', 'clawctl');
    expect(existsSync(join(installed, 'dist', 'commands', 'plan.js'))).toBe(true); // built by prepare
    for (const template of ['clawctl-plan.yml', 'clawctl-apply.yml', 'clawctl-drift.yml']) expect(existsSync(join(installed, '.github', 'workflows', 'templates', template))).toBe(true);
    expect(existsSync(join(installed, 'src'))).toBe(false); // packed as `files` says

    const bin = join(project, 'node_modules', '.bin', 'clawctl');
    const env = { ...process.env, XDG_CONFIG_HOME: join(root, 'config'), SOPS_AGE_KEY: '', SOPS_AGE_KEY_FILE: '', CI: 'true' };
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8', env })).toMatch(/^clawctl\/0\.1\.0 /);
    expect(execFileSync(bin, ['validate', '--fleet', join(REPO_ROOT, 'fleet')], { encoding: 'utf8', env, stdio: 'pipe' })).toMatch(/valid \(fleet example: 2 hosts, 3 agents/);
    // Its init writes the workflows from the installed templates; the commit is npm's record
    // (a file:// repository is on no forge, so the workflows name the placeholder to fill in).
    const repo = join(root, 'fleet-repo');
    const out = JSON.parse(execFileSync(bin, ['init', repo, '--json'], { encoding: 'utf8', env }));
    expect(out.files).toEqual(expect.arrayContaining(['.github/workflows/clawctl-plan.yml', '.github/workflows/clawctl-drift.yml', '.github/CODEOWNERS']));
    expect(out.action).toBeNull();
    expect(readFileSync(join(repo, '.github', 'workflows', 'clawctl-apply.yml'), 'utf8')).toContain('uses: OWNER/clawctl@FULL_COMMIT_SHA');
  }, 600_000);
});
