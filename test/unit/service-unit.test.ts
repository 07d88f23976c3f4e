import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gatewayUnit } from '../../src/openclaw/service-unit.js';

/**
 * The units clawctl writes pass systemd's own check (`systemd-analyze verify`: every key known,
 * every value parsed, the command there and executable). The test machines have no systemd as
 * PID 1, so a user unit's %h is put in by hand: the rest of its text is checked as written.
 */
describe('gateway units', () => {
  const home = mkdtempSync(join(tmpdir(), 'clawctl-unit-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  mkdirSync(join(home, '.local', 'bin'), { recursive: true });
  writeFileSync(join(home, '.local', 'bin', 'openclaw'), '#!/bin/sh\n');
  chmodSync(join(home, '.local', 'bin', 'openclaw'), 0o755);
  const verify = (name: string, text: string) => {
    const file = join(home, name);
    writeFileSync(file, text);
    try {
      return execFileSync('systemd-analyze', ['verify', '--man=no', file], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      return String((err as { stderr?: string }).stderr ?? err);
    }
  };

  it('a user unit: the stable openclaw, the profile, the port, OpenClaw’s own service policy', () => {
    const text = gatewayUnit({ name: 'research', profile: 'research', port: 19001 }, { service: 'systemd-user' });
    expect(text).toContain('ExecStart=%h/.local/bin/openclaw --profile research gateway run --port 19001');
    expect(text).toContain('RestartPreventExitStatus=78');
    expect(text).toContain('WantedBy=default.target');
    expect(verify('openclaw-gateway-research.service', text.replaceAll('%h', home))).toBe('');
  });

  it('a system unit runs as the host user, with their home written out', () => {
    const text = gatewayUnit({ name: 'claw', port: 18789 }, { service: 'systemd' }, { user: 'root', home });
    expect(text).toContain('User=root');
    expect(text).toContain(`ExecStart=${home}/.local/bin/openclaw gateway run --port 18789`);
    expect(text).not.toContain('%h');
    expect(verify('openclaw-gateway.service', text)).toBe('');
  });
});
