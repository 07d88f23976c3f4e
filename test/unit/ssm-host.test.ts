import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { newRunKey, open, seal } from '../../src/connection/ssm-seal.js';
import { envelope } from '../../src/connection/ssm.js';
import { loadDesired } from '../../src/engine/fleet-run.js';

const root = mkdtempSync(join(tmpdir(), 'clawctl-ssm-host-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fleet with one Host whose spec is `spec`, loaded and validated as every command does. */
async function hostOf(spec: Record<string, unknown>) {
  const dir = mkdtempSync(join(root, 'fleet-'));
  mkdirSync(join(dir, 'fleet'));
  const docs = [
    { apiVersion: 'clawctl.dev/v1', kind: 'Fleet', metadata: { name: 'f' }, spec: {} },
    { apiVersion: 'clawctl.dev/v1', kind: 'Host', metadata: { name: 'h1' }, spec: { ...spec, service: 'none' } },
  ];
  writeFileSync(join(dir, 'fleet', 'fleet.yaml'), docs.map((d) => stringify(d)).join('---\n'));
  return (await loadDesired(join(dir, 'fleet'), { secrets: false }, dir)).desired.hosts[0]!.connection;
}

describe('spec.ssm', () => {
  const ssm = { instanceId: 'i-0123456789abcdef0', region: 'eu-west-1', user: 'claw' };

  it('renders a Host reached through SSM', async () => {
    expect(await hostOf({ ssm })).toEqual({ kind: 'ssm', ...ssm });
    expect(await hostOf({ ssm: { ...ssm, instanceId: 'mi-0123456789abcdef0' } })).toMatchObject({ instanceId: 'mi-0123456789abcdef0' });
  });

  it.each([
    ['an instance id that is not one', { ssm: { ...ssm, instanceId: 'web-1' } }],
    ['no user to run as', { ssm: { instanceId: ssm.instanceId, region: ssm.region } }],
    ['a region that is not one', { ssm: { ...ssm, region: 'Ireland' } }],
    ['both ssh and ssm', { ssm, ssh: { address: '10.0.0.1', user: 'claw', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl' } }],
  ])('refuses %s', async (_why, spec) => {
    await expect(hostOf(spec)).rejects.toThrow(/problem/);
  });
});

describe('what crosses SSM', () => {
  it('opens only for this run and this job, and refuses anything altered', () => {
    const run = newRunKey();
    const other = newRunKey();
    const blob = seal(Buffer.from('TOKEN=s3cret'), Buffer.from(run.publicRaw, 'base64'), 'output', 'job-1');
    expect(open(blob, run, 'output', 'job-1').toString()).toBe('TOKEN=s3cret');
    expect(blob.toString('latin1')).not.toContain('s3cret');
    expect(() => open(blob, run, 'output', 'job-2')).toThrow();
    expect(() => open(blob, other, 'output', 'job-1')).toThrow();
    expect(() => open(blob, run, 'stdin', 'job-1')).toThrow();
    const altered = Buffer.from(blob);
    altered[altered.length - 1]! ^= 1;
    expect(() => open(altered, run, 'output', 'job-1')).toThrow();
  });

  it('carries the job in a quoted heredoc, run as the host user, never in an argv', () => {
    const lines = envelope("o'brien", { op: 'inbox' });
    expect(lines).toContain(`u='o'\\''brien'`);
    expect(lines.filter((l) => l === 'CLAWCTL_JOB' || l === 'CLAWCTL_RUNNER')).toHaveLength(2);
    expect(lines.some((l) => l.includes('runuser -u "$u" --'))).toBe(true);
  });
});
