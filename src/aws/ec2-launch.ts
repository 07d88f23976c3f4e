import type { RunInstancesCommandInput } from '@aws-sdk/client-ec2';
import type { DesiredEc2 } from '../desired/desired-state.js';
import { hostScript } from '../openclaw/host-script.js';
import { shellQuote } from '../util/shell.js';
import { FLEET_TAG, HOST_TAG } from './ec2-defaults.js';

/** What first boot needs, secrets among them: it lives in memory and in the user data only. */
export interface FirstBoot {
  user: string;
  authorizedKey: string;
  hostKeyPrivate: string;
  hostKeyPublic: string;
  sshPort: number;
  tailscale?: { authKey: string; hostname: string; tags: string[] };
}

/**
 * The user data: host-scripts/ec2-first-boot.sh with its inputs assigned above it, each value
 * shell-quoted, so no value is ever read as shell.
 */
export function firstBootUserData(boot: FirstBoot): string {
  const vars: [string, string][] = [
    ['CLAWCTL_USER', boot.user],
    ['CLAWCTL_AUTHORIZED_KEY', boot.authorizedKey],
    ['CLAWCTL_HOST_KEY', boot.hostKeyPrivate.trim()],
    ['CLAWCTL_HOST_KEY_PUB', boot.hostKeyPublic],
    ['CLAWCTL_SSH_PORT', String(boot.sshPort)],
    ['CLAWCTL_TS_AUTH_KEY', boot.tailscale?.authKey ?? ''],
    ['CLAWCTL_TS_HOSTNAME', boot.tailscale?.hostname ?? ''],
    ['CLAWCTL_TS_TAGS', (boot.tailscale?.tags ?? []).join(',')],
  ];
  const body = hostScript('ec2-first-boot.sh').replace(/^#!.*\n/, '');
  // The values are literal: a `$` or a backquote in one is never expanded (SC2016 says so).
  return `#!/bin/sh\n# shellcheck disable=SC2016\n${vars.map(([k, v]) => `${k}=${shellQuote(v)}`).join('\n')}\n${body}`;
}

/**
 * RunInstances for a Host: one instance, tagged for the fleet and the host (the instance and
 * its volume, at creation, so no instance exists untagged), IMDSv2 only and one hop (no
 * container on it reaches the metadata service), an encrypted gp3 root volume.
 */
export function runInstancesInput(fleet: string, host: string, ec2: DesiredEc2, image: { id: string; rootDevice: string }, userData: string, token: string): RunInstancesCommandInput {
  const tags = Object.entries({ Name: host, ...ec2.tags, [FLEET_TAG]: fleet, [HOST_TAG]: host }).map(([Key, Value]) => ({ Key, Value }));
  return {
    ImageId: image.id,
    InstanceType: ec2.instanceType as RunInstancesCommandInput['InstanceType'],
    MinCount: 1,
    MaxCount: 1,
    ClientToken: token,
    SubnetId: ec2.subnet,
    SecurityGroupIds: ec2.securityGroups,
    UserData: Buffer.from(userData).toString('base64'),
    MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1 },
    BlockDeviceMappings: [{ DeviceName: image.rootDevice, Ebs: { VolumeSize: ec2.rootVolumeGiB, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true } }],
    TagSpecifications: [
      { ResourceType: 'instance', Tags: tags },
      { ResourceType: 'volume', Tags: tags },
    ],
  };
}
