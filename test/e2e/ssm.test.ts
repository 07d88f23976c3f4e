import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { clawctl } from '../harness/cli.js';
import { writeFleet, type AgentDef } from '../harness/fleet.js';
import { startSshLab, type SshHost, type SshLab } from '../harness/sshd.js';
import { SSM_ACCESS_KEY_ID, SSM_SECRET_ACCESS_KEY, startSsm, type SsmServer } from '../servers/ssm.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const NODE = 'i-0123456789abcdef0';
const MISSING = 'i-0fedcba9876543210';
/** Larger than one command's parameters and than one invocation's 24,000 characters of output. */
const BIG = `big-secret-${'x'.repeat(60_000)}`;

/**
 * The SSM transport end to end: one real host (a loopback sshd host and its Unix user), reached
 * over SSH by one fleet directory and through the local SSM server by another. The server runs
 * each document as root, as the SSM Agent does; clawctl's document drops to the host user.
 */
describe('hosts reached through SSM Run Command', () => {
  let lab: SshLab;
  let host: SshHost;
  let ssm: SsmServer;
  const agents: AgentDef[] = [
    { name: 'alpha', host: 'h1', port: 19301, env: { BANNER: 'alpha-secret-value', BIG } },
    { name: 'beta', host: 'h1', profile: 'beta', port: 19302 },
  ];
  let sshFleet: string;
  let ssmFleet: string;
  const env = () => ({ AWS_ENDPOINT_URL: ssm.url, AWS_REGION: ssm.region, AWS_ACCESS_KEY_ID: SSM_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: SSM_SECRET_ACCESS_KEY });
  const run = (fleet: string, ...args: string[]) => clawctl([...args, '--fleet', fleet], { cwd: lab.repo, env: env() });

  /** The same fleet as the SSH one, with each Host reached through SSM instead. */
  function writeSsmFleet(instanceId: string): string {
    const text = readFileSync(join(sshFleet, 'fleet.yaml'), 'utf8');
    const docs = text.split(/^---\n/m).map((d) => d.replace(/^spec:\n {2}ssh:\n(?: {4}.*\n)+/m, stringify({ spec: { ssm: { instanceId, region: ssm.region, user: host.user } } })));
    const dir = join(lab.repo, 'fleet-ssm');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'fleet.yaml'), docs.join('---\n'));
    return dir;
  }

  beforeAll(async () => {
    lab = await startSshLab('ssm', ['h1']);
    host = lab.hosts[0]!;
    ssm = await startSsm({ nodes: { [NODE]: {} } });
    sshFleet = writeFleet(lab.repo, lab.hosts, agents, { identityFile: lab.client.privateKeyPath });
  });

  beforeEach(() => {
    for (const d of readdirSync(host.home)) if (d.startsWith('.openclaw')) rmSync(join(host.home, d), { recursive: true, force: true });
    rmSync(join(lab.repo, '.clawctl', 'lock'), { force: true });
    ssmFleet = writeSsmFleet(NODE);
  });

  afterAll(async () => {
    await ssm?.close();
    await lab?.remove();
  });

  /** What a plan says about the hosts: the same over either transport. */
  const planOf = (stdout: string) => {
    const p = JSON.parse(stdout) as Record<string, unknown> & { fingerprint: { agents: unknown } };
    return { changes: p.changes, hosts: p.hosts, unreachable: p.unreachable, summary: p.summary, observed: p.fingerprint.agents };
  };

  it('plans the same as over SSH, applies, and then has nothing to do over either', async () => {
    const overSsh = await run(sshFleet, 'plan', '--json');
    const overSsm = await run(ssmFleet, 'plan', '--json');
    expect(overSsm.code, overSsm.stderr).toBe(0);
    expect(planOf(overSsm.stdout)).toEqual(planOf(overSsh.stdout));
    expect(planOf(overSsm.stdout).changes).toHaveLength(2);
    expect(overSsm.stdout).not.toContain('alpha-secret-value');

    const apply = await run(ssmFleet, 'apply', '--auto-approve');
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toContain('Apply complete! 2 agent(s) applied');
    // Written by the host's user, as SSH would have, with the .env whole (it crossed SSM in parts).
    const written = readFileSync(join(host.home, '.openclaw', '.env'), 'utf8');
    expect(written).toContain(BIG);
    expect(statSync(join(host.home, '.openclaw', '.env'))).toMatchObject({ uid: host.uid, mode: 0o100600 });
    expect(
      readdirSync(host.home)
        .filter((d) => d.startsWith('.openclaw'))
        .sort(),
    ).toEqual(['.openclaw', '.openclaw-beta']);

    for (const fleet of [ssmFleet, sshFleet]) {
      const again = await run(fleet, 'plan', '--detailed-exitcode');
      expect(again.code, `${fleet}: ${again.stdout}${again.stderr}`).toBe(0);
    }
    // diagnose walks the same host through the same script over either transport.
    const [viaSsm, viaSsh] = await Promise.all([run(ssmFleet, 'diagnose', 'alpha', '--json'), run(sshFleet, 'diagnose', 'alpha', '--json')]);
    expect(viaSsm.stderr).not.toMatch(/unreachable|SSM/);
    expect(JSON.parse(viaSsm.stdout)).toEqual(JSON.parse(viaSsh.stdout));
    expect(JSON.parse(viaSsm.stdout)).toMatchObject({ agent: 'alpha', steps: expect.arrayContaining([{ step: 'files', status: 'ok', detail: 'openclaw.json and .env match the fleet' }]) });
    // The .env travelled in several commands, and the observed one came back in several parts.
    const params = ssm.commands.map((c) => c.parameters.commands!.join('\n'));
    expect(params.some((p) => p.length > ssm.limits.parameterChars / 2)).toBe(true);
    expect(ssm.outputs.some((o) => o.length > ssm.limits.stdoutChars - 500)).toBe(true);
    // Nothing SSM keeps in its command history holds a secret in the clear.
    for (const text of [...params, ...ssm.outputs]) {
      expect(text).not.toContain('alpha-secret-value');
      expect(text).not.toContain('big-secret-');
    }
  });

  it('reports an SSM failure naming the host and AWS request id', async () => {
    ssmFleet = writeSsmFleet(MISSING);
    const plan = await run(ssmFleet, 'plan', '--json');
    const refused = ssm.requests.filter((r) => r.error === 'InvalidInstanceId');
    expect(refused.length).toBeGreaterThan(0);
    const text = plan.stdout + plan.stderr;
    expect(text).toContain('host h1');
    expect(text).toContain('InvalidInstanceId');
    expect(text).toContain(`AWS request id ${refused.at(-1)!.requestId}`);
  });
});

describe('the local SSM server', () => {
  let ssm: SsmServer;
  let client: SSMClient;
  beforeAll(async () => {
    ssm = await startSsm({ nodes: { [NODE]: {} } });
    client = new SSMClient({ endpoint: ssm.url, region: ssm.region, credentials: { accessKeyId: SSM_ACCESS_KEY_ID, secretAccessKey: SSM_SECRET_ACCESS_KEY } });
  });
  afterAll(async () => {
    client?.destroy();
    await ssm?.close();
  });

  async function runScript(commands: string[], timeout = 60): Promise<{ Status?: string; ResponseCode?: number; StandardOutputContent?: string; StandardErrorContent?: string }> {
    const sent = await client.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [NODE], Parameters: { commands, executionTimeout: [String(timeout)] } }));
    const CommandId = sent.Command!.CommandId!;
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      const got = await client.send(new GetCommandInvocationCommand({ CommandId, InstanceId: NODE })).catch((err: Error) => {
        if (err.name === 'InvocationDoesNotExist') return undefined;
        throw err;
      });
      if (got && got.Status !== 'Pending' && got.Status !== 'InProgress') return got;
    }
  }

  it('keeps the first 24,000 characters of stdout and 8,000 of stderr, as SSM does', async () => {
    const got = await runScript(['head -c 30000 /dev/zero | tr "\\0" o', 'head -c 9000 /dev/zero | tr "\\0" e >&2']);
    expect(got.Status).toBe('Success');
    expect(got.StandardOutputContent).toHaveLength(ssm.limits.stdoutChars);
    expect(got.StandardErrorContent).toHaveLength(ssm.limits.stderrChars);
  });

  it('fails with the exit code, times out, and refuses unknown nodes and oversized parameters', async () => {
    expect(await runScript(['echo $(id -un)', 'exit 3'])).toMatchObject({ Status: 'Failed', ResponseCode: 3, StandardOutputContent: 'root\n' });
    expect(await runScript(['sleep 5'], 1)).toMatchObject({ Status: 'TimedOut' });
    await expect(client.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [MISSING], Parameters: { commands: ['true'] } }))).rejects.toMatchObject({
      name: 'InvalidInstanceId',
    });
    await expect(
      client.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [NODE], Parameters: { commands: ['x'.repeat(ssm.limits.parameterChars + 1)] } })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(client.send(new GetCommandInvocationCommand({ CommandId: '00000000-0000-0000-0000-000000000000', InstanceId: NODE }))).rejects.toMatchObject({ name: 'InvocationDoesNotExist' });
    const bad = new SSMClient({ endpoint: ssm.url, region: ssm.region, credentials: { accessKeyId: SSM_ACCESS_KEY_ID, secretAccessKey: 'wrong' } });
    await expect(bad.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [NODE], Parameters: { commands: ['true'] } }))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
    bad.destroy();
  });
});
