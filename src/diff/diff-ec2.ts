import type { Ec2Instance } from '../aws/ec2.js';
import type { DesiredHost } from '../desired/desired-state.js';
import type { Ec2CreateAction, Ec2TerminateAction } from '../plan/plan.js';
import { refKey } from '../secrets/resolve.js';
import { fingerprint, parsePinnedKey } from '../ssh/host-key.js';

/**
 * Pure: the instance an EC2 Host without one gets. Its host key is the manifest's, pinned here
 * before the instance exists; the tailnet's auth key is minted at apply time unless the
 * manifest names one.
 */
export function ec2CreateAction(host: DesiredHost): Ec2CreateAction {
  const ec2 = host.ec2!;
  const pinned = parsePinnedKey(ec2.hostKey);
  return {
    type: 'ec2',
    action: 'create',
    region: ec2.region,
    instanceType: ec2.instanceType,
    ami: ec2.ami,
    subnet: ec2.subnet,
    securityGroups: ec2.securityGroups,
    rootVolumeGiB: ec2.rootVolumeGiB,
    tags: ec2.tags,
    hostKey: ec2.hostKey.split(' ').slice(0, 2).join(' '),
    hostKeyFingerprint: fingerprint(pinned.blob),
    hostKeySecret: refKey(ec2.hostKeySecret),
    ...(ec2.tailscale ? { tailnet: { ...ec2.tailscale, authKey: ec2.tailscaleAuthKey ? refKey(ec2.tailscaleAuthKey) : 'minted' } } : {}),
  };
}

/** Pure: an instance of the fleet that no Host declares any more is terminated. */
export function ec2TerminateAction(i: Ec2Instance): Ec2TerminateAction {
  return { type: 'ec2', action: 'delete', region: i.region, instanceType: i.instanceType, instanceId: i.instanceId };
}
