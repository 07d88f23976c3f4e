import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Ec2Instance } from '../../src/aws/ec2.js';
import { archOfInstanceType, clientToken } from '../../src/aws/ec2-defaults.js';
import { firstBootUserData, runInstancesInput, type FirstBoot } from '../../src/aws/ec2-launch.js';
import type { DesiredAgent, DesiredEc2, DesiredHost, DesiredState } from '../../src/desired/desired-state.js';
import { ec2HostState, ec2Regions, freshHostObservation, type Ec2Listing } from '../../src/observe/observe-ec2.js';
import { makePlan } from '../../src/plan/make-plan.js';
import { summaryText, type Plan } from '../../src/plan/plan.js';
import { renderPlanText } from '../../src/plan/render-text.js';
import type { TailnetDevice } from '../../src/tailscale/client.js';
import { hostNetworkStatus } from '../../src/tailscale/host-network.js';

/** The pure parts of EC2 hosts: what an instance is, where it is reached, what is planned and launched. */

const HOST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIsyHn4pD8z6fEQ6y4j2M1S3Bx/6C0F6PcVQ3zS7u1Ht lab-3';

function ec2Host(over: Partial<DesiredEc2> = {}, name = 'lab-3'): DesiredHost {
  return {
    name,
    labels: {},
    connection: { kind: 'ssh', address: '', port: 22, user: 'openclaw', hostKey: HOST_KEY },
    service: 'systemd-user',
    commandTimeoutSeconds: 30,
    ec2: {
      region: 'eu-west-1',
      instanceType: 't4g.small',
      ami: 'ami-0123456789abcdef0',
      subnet: 'subnet-0123456789abcdef0',
      securityGroups: ['sg-0123456789abcdef0'],
      tags: { team: 'core' },
      rootVolumeGiB: 20,
      user: 'openclaw',
      authorizedKey: 'ssh-ed25519 AAAAclient clawctl',
      hostKey: HOST_KEY,
      hostKeySecret: { sops: 'secrets/hosts.sops.yaml', key: name },
      ...over,
    },
  };
}

const instance = (over: Partial<Ec2Instance> = {}): Ec2Instance => ({
  instanceId: 'i-0aaaaaaaaaaaaaaaa',
  region: 'eu-west-1',
  state: 'running',
  instanceType: 't4g.small',
  host: 'lab-3',
  privateIp: '10.0.0.5',
  ...over,
});

const device = (over: Partial<TailnetDevice> = {}): TailnetDevice => ({
  id: '1',
  name: 'lab-3.tail.ts.net',
  hostname: 'lab-3',
  addresses: ['100.64.0.9', 'fd7a::9'],
  tags: ['tag:clawctl'],
  online: true,
  ...over,
});

describe('archOfInstanceType: the machine an instance type runs on', () => {
  it.each([
    ['t4g.small', 'aarch64'],
    ['m7g.large', 'aarch64'],
    ['c8gd.xlarge', 'aarch64'],
    ['a1.medium', 'aarch64'],
    ['t3.small', 'x86_64'],
    ['m7i.large', 'x86_64'],
    ['c7a.large', 'x86_64'],
    ['g5.xlarge', 'x86_64'],
  ])('%s → %s', (type, arch) => expect(archOfInstanceType(type)).toBe(arch));
});

describe('clientToken: one instance per fleet, host and host key', () => {
  const base = clientToken('prod', 'lab-3', HOST_KEY);
  it.each([
    ['the same inputs', clientToken('prod', 'lab-3', HOST_KEY), true],
    ['the key without its comment', clientToken('prod', 'lab-3', HOST_KEY.split(' ').slice(0, 2).join(' ')), true],
    ['another host', clientToken('prod', 'lab-4', HOST_KEY), false],
    ['another fleet', clientToken('lab', 'lab-3', HOST_KEY), false],
    ['another key', clientToken('prod', 'lab-3', 'ssh-ed25519 AAAAother'), false],
    ['the next attempt', clientToken('prod', 'lab-3', HOST_KEY, 1), false],
  ])('%s', (_, token, same) => {
    expect(token === base).toBe(same);
    expect(token.length).toBeLessThanOrEqual(64);
  });
});

describe('ec2HostState: where an EC2 Host stands before it is observed', () => {
  const listed = (...instances: Ec2Instance[]): Ec2Listing => ({ instances, regions: ['eu-west-1'] });
  const cases: [string, DesiredHost, Ec2Listing, TailnetDevice[] | { error: string } | undefined, string][] = [
    ['no instance: absent', ec2Host(), listed(), undefined, 'absent'],
    ['an instance of another Region does not count', ec2Host(), listed(instance({ region: 'us-east-1' })), undefined, 'absent'],
    ['running: reached at its private IP', ec2Host(), listed(instance()), undefined, 'running 10.0.0.5'],
    ['running: its public IP first', ec2Host(), listed(instance({ publicIp: '203.0.113.7' })), undefined, 'running 203.0.113.7'],
    ['on the tailnet: its tailnet IPv4', ec2Host({ tailscale: { hostname: 'lab-3', tags: ['tag:clawctl'] } }), listed(instance()), [device()], 'running 100.64.0.9'],
    ['on the tailnet, not joined yet', ec2Host({ tailscale: { hostname: 'lab-3', tags: [] } }), listed(instance()), [device({ hostname: 'other' })], 'problem no device named lab-3'],
    [
      'on the tailnet, no API key',
      ec2Host({ tailscale: { hostname: 'lab-3', tags: [] } }),
      listed(instance()),
      { error: 'TAILSCALE_API_KEY is not set' },
      'problem tailnet address could not be looked up',
    ],
    ['pending', ec2Host(), listed(instance({ state: 'pending' })), undefined, 'problem is pending'],
    ['stopped', ec2Host(), listed(instance({ state: 'stopped' })), undefined, 'problem is stopped'],
    ['two instances', ec2Host(), listed(instance(), instance({ instanceId: 'i-0bbbbbbbbbbbbbbbb' })), undefined, 'problem 2 EC2 instances'],
    ['no address', ec2Host(), listed(instance({ privateIp: undefined })), undefined, 'problem has no IP address'],
    ['EC2 could not be asked', ec2Host(), { error: 'EC2 DescribeInstances: AuthFailure' }, undefined, 'problem AuthFailure'],
  ];
  it.each(cases)('%s', (_, host, listing, devices, expected) => {
    const s = ec2HostState(host, listing, devices);
    const got = s.kind === 'running' ? `running ${s.host.connection.kind === 'ssh' ? s.host.connection.address : ''}` : s.kind === 'problem' ? `problem ${s.error}` : s.kind;
    if (expected.startsWith('problem ')) expect(got).toContain(expected.slice('problem '.length));
    else expect(got).toBe(expected);
  });

  it('looks in the Regions of the fleet EC2 Hosts and CLAWCTL_EC2_REGIONS, nowhere without either', () => {
    expect(ec2Regions([ec2Host(), ec2Host({ region: 'us-east-1' }, 'lab-4')], { CLAWCTL_EC2_REGIONS: 'ap-south-1, eu-west-1' })).toEqual(['ap-south-1', 'eu-west-1', 'us-east-1']);
    expect(ec2Regions([], {})).toEqual([]);
  });
});

describe('makePlan: an EC2 Host without an instance is planned from nothing', () => {
  const agent: DesiredAgent = { name: 'scout', host: 'lab-3', labels: {}, stateDir: '.openclaw', port: 18789, config: { gateway: { mode: 'local' } }, env: {}, ignore: [], version: '2026.9.6' };
  const plan = (host: DesiredHost, undeclared: Ec2Instance[] = []): Plan => {
    const desired: DesiredState = {
      fleet: { name: 'prod', contentHash: 'sha256:x', files: {}, key: 'k' },
      rollout: { maxUnavailable: 1, healthTimeoutSeconds: 30, waves: [] },
      hosts: [host],
      agents: [agent],
    };
    const observed = { hosts: [freshHostObservation(host, [agent])] };
    return makePlan(desired, observed, {
      fleetDir: 'fleet',
      clawctlVersion: '0',
      now: new Date(0),
      prune: { hosts: new Set([host.name]), fleetAgents: new Set(['scout']) },
      configChecks: [],
      undeclaredInstances: undeclared,
    });
  };
  const absent = { ...ec2Host(), openclawVersion: '2026.9.6' };
  absent.ec2 = { ...absent.ec2!, found: { kind: 'absent' } };

  it('the instance, with its key pinned, then the install for its arch, then the agent', () => {
    const p = plan(absent);
    expect(p.hosts[0]!.actions.map((a) => `${a.type}:${a.action}`)).toEqual(['ec2:create', 'openclaw:create']);
    expect(p.hosts[0]!.actions[0]).toMatchObject({
      region: 'eu-west-1',
      instanceType: 't4g.small',
      hostKey: HOST_KEY.split(' ').slice(0, 2).join(' '),
      hostKeySecret: 'secrets/hosts.sops.yaml#lab-3',
    });
    expect(p.hosts[0]!.actions[1]).toMatchObject({ arch: 'arm64' });
    expect(p.changes[0]!.actions.map((a) => a.type)).toEqual(['config', 'env', 'service', 'version', 'restart']);
    const text = renderPlanText(p);
    expect(text).toContain('+ host lab-3 (ec2 t4g.small, eu-west-1)');
    expect(text).toMatch(/host key SHA256:\S+ pinned now/);
    expect(text.indexOf('+ host lab-3')).toBeLessThan(text.indexOf('+ install openclaw'));
    expect(text.indexOf('+ install openclaw')).toBeLessThan(text.indexOf('+ agent scout'));
    expect(text).toContain('Plan: 1 agent to add, 0 to change, 0 to destroy (1 EC2 instance to create, 3 files to write, 1 OpenClaw install).');
  });

  it('an instance running for the Host plans no instance', () => {
    const running = { ...ec2Host(), ec2: { ...ec2Host().ec2!, found: { kind: 'running' as const, host: ec2Host(), instance: instance() } } };
    expect(
      plan(running)
        .hosts.flatMap((h) => h.actions)
        .filter((a) => a.type === 'ec2'),
    ).toEqual([]);
  });

  it('an instance no Host declares is terminated, and said so', () => {
    const p = plan(absent, [instance({ host: 'lab-9', instanceId: 'i-0ccccccccccccccccc' })]);
    expect(p.hosts.at(-1)).toEqual({ host: 'lab-9', actions: [{ type: 'ec2', action: 'delete', region: 'eu-west-1', instanceType: 't4g.small', instanceId: 'i-0ccccccccccccccccc' }] });
    expect(renderPlanText(p)).toContain('- host lab-9 (ec2 t4g.small, eu-west-1, i-0ccccccccccccccccc): no longer in the fleet; apply terminates the instance');
    expect(summaryText(p.summary)).toContain('1 EC2 instance to create, 1 EC2 instance to terminate');
  });
});

describe('RunInstances input', () => {
  const input = runInstancesInput('prod', 'lab-3', ec2Host({ tags: { team: 'core', Name: 'edge' } }).ec2!, { id: 'ami-0123456789abcdef0', rootDevice: '/dev/xvda' }, '#!/bin/sh\n', 'tok');
  it.each([
    ['one instance', { MinCount: 1, MaxCount: 1, ClientToken: 'tok' }],
    ['IMDSv2 only, one hop', { MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1 } }],
    ['the root volume on the image root device', { BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true } }] }],
    ['the subnet and groups', { SubnetId: 'subnet-0123456789abcdef0', SecurityGroupIds: ['sg-0123456789abcdef0'] }],
  ])('%s', (_, part) => expect(input).toMatchObject(part));
  it('tags the instance and its volume at creation: the manifest tags, a Name, and clawctl own', () => {
    for (const spec of input.TagSpecifications!) {
      expect(Object.fromEntries(spec.Tags!.map((t) => [t.Key, t.Value]))).toEqual({ Name: 'edge', team: 'core', 'clawctl:fleet': 'prod', 'clawctl:host': 'lab-3' });
    }
    expect(input.TagSpecifications!.map((t) => t.ResourceType)).toEqual(['instance', 'volume']);
  });
});

describe('first-boot user data', () => {
  const boot: FirstBoot = {
    user: 'openclaw',
    authorizedKey: "ssh-ed25519 AAAAclient it's $HOME `id`",
    // A key made now, never one kept in the repository: multi-line PEM, as a host key is.
    hostKeyPrivate: String(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' })),
    hostKeyPublic: 'ssh-ed25519 AAAAhost',
    sshPort: 2222,
    tailscale: { authKey: 'tskey-auth-x', hostname: 'lab-3', tags: ['tag:clawctl', 'tag:lab'] },
  };
  const data = firstBootUserData(boot);

  it('assigns every value as the shell reads it back, whatever it holds', () => {
    const names = ['CLAWCTL_USER', 'CLAWCTL_AUTHORIZED_KEY', 'CLAWCTL_HOST_KEY', 'CLAWCTL_HOST_KEY_PUB', 'CLAWCTL_SSH_PORT', 'CLAWCTL_TS_AUTH_KEY', 'CLAWCTL_TS_HOSTNAME', 'CLAWCTL_TS_TAGS'];
    const head = data.slice(0, data.indexOf('\n# First boot'));
    const out = execFileSync('sh', ['-c', `${head}\nprintf '%s\\0' ${names.map((n) => `"$${n}"`).join(' ')}`])
      .toString()
      .split('\0');
    expect(out.slice(0, 8)).toEqual(['openclaw', boot.authorizedKey, boot.hostKeyPrivate.trim(), 'ssh-ed25519 AAAAhost', '2222', 'tskey-auth-x', 'lab-3', 'tag:clawctl,tag:lab']);
  });

  it('passes shellcheck as the instance runs it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clawctl-userdata-'));
    try {
      writeFileSync(join(dir, 'user-data.sh'), data);
      execFileSync('shellcheck', ['--shell=sh', join(dir, 'user-data.sh')], { stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('network status: a device tagged both tag:claw and tag:clawctl is flagged', () => {
  it.each([
    [['tag:clawctl'], false],
    [['tag:claw'], false],
    [['tag:claw', 'tag:clawctl'], true],
  ])('%j → flagged %s', (tags, flagged) => {
    const [s] = hostNetworkStatus([{ host: 'lab-3', hostname: 'lab-3', tags, pos: { file: 'f', line: 1, col: 1 } }], [device({ tags })]);
    expect(s!.problems.some((p) => p.includes('tagged both tag:claw and tag:clawctl'))).toBe(flagged);
  });
});
