import type { Ec2InstanceAction } from './plan.js';

/**
 * An EC2 instance action as plan prints it: the machine first, then (indented) what it is made
 * of, the host key pinned before it exists, and the tailnet it joins.
 */
export function renderEc2Action(a: Ec2InstanceAction, host: string): string {
  if (a.action === 'delete') return `- host ${host} (ec2 ${a.instanceType}, ${a.region}, ${a.instanceId}): no longer in the fleet; apply terminates the instance`;
  const tags = Object.entries(a.tags).map(([k, v]) => `${k}=${v}`);
  const lines = [
    `+ host ${host} (ec2 ${a.instanceType}, ${a.region})`,
    `    ami ${a.ami}, subnet ${a.subnet}, security groups ${a.securityGroups.join(', ')}, root volume ${a.rootVolumeGiB} GiB (gp3, encrypted)${tags.length > 0 ? `, tags ${tags.join(' ')}` : ''}`,
    `    host key ${a.hostKeyFingerprint} pinned now; its private half (${a.hostKeySecret}) goes in the user data, IMDSv2 only, the metadata service turned off once reached`,
  ];
  if (a.tailnet) {
    const key = a.tailnet.authKey === 'minted' ? 'a one-use pre-authorized key minted through the Tailscale API' : `the auth key in ${a.tailnet.authKey}`;
    lines.push(`    joins the tailnet as ${a.tailnet.hostname} (${a.tailnet.tags.join(', ') || 'no tags'}) with ${key}; managed over its tailnet address`);
  }
  return lines.join('\n  ');
}
