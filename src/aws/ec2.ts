import type { Instance, RunInstancesCommandInput } from '@aws-sdk/client-ec2';
import { awsCaller, awsClients } from './aws-sdk.js';
import { FLEET_TAG, HOST_TAG } from './ec2-defaults.js';

/** Amazon EC2 through the real SDK; the Region is the Host's. */
const call = awsCaller(
  'EC2',
  awsClients(
    () => import('@aws-sdk/client-ec2'),
    (sdk, region) => new sdk.EC2Client({ region }),
  ),
);

/** An instance as clawctl reads it. */
export interface Ec2Instance {
  instanceId: string;
  region: string;
  /** pending, running, shutting-down, terminated, stopping, stopped. */
  state: string;
  instanceType: string;
  /** Its clawctl:host tag. */
  host: string;
  privateIp?: string;
  publicIp?: string;
  launchedAt?: string;
}

function toInstance(i: Instance, region: string): Ec2Instance {
  return {
    instanceId: i.InstanceId ?? '',
    region,
    state: i.State?.Name ?? 'unknown',
    instanceType: i.InstanceType ?? '',
    host: i.Tags?.find((t) => t.Key === HOST_TAG)?.Value ?? '',
    ...(i.PrivateIpAddress ? { privateIp: i.PrivateIpAddress } : {}),
    ...(i.PublicIpAddress ? { publicIp: i.PublicIpAddress } : {}),
    ...(i.LaunchTime ? { launchedAt: i.LaunchTime.toISOString() } : {}),
  };
}

/** Every instance of the fleet in a Region that is not gone (terminated instances stay listed for a while). */
export async function fleetInstances(region: string, fleet: string): Promise<Ec2Instance[]> {
  return call(region, 'DescribeInstances', async (client, sdk) => {
    const out: Ec2Instance[] = [];
    const filters = [
      { Name: `tag:${FLEET_TAG}`, Values: [fleet] },
      { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
    ];
    for await (const page of sdk.paginateDescribeInstances({ client }, { Filters: filters, MaxResults: 1000 })) {
      for (const r of page.Reservations ?? []) for (const i of r.Instances ?? []) out.push(toInstance(i, region));
    }
    return out;
  });
}

export async function describeInstance(region: string, instanceId: string): Promise<Ec2Instance | undefined> {
  return call(region, 'DescribeInstances', async (client, sdk) => {
    const res = await client.send(new sdk.DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const i = res.Reservations?.[0]?.Instances?.[0];
    return i ? toInstance(i, region) : undefined;
  });
}

/** The instance a client token made, in any state (terminated ones stay listed for a while). */
export async function instanceByToken(region: string, token: string): Promise<Ec2Instance | undefined> {
  return call(region, 'DescribeInstances', async (client, sdk) => {
    const res = await client.send(new sdk.DescribeInstancesCommand({ Filters: [{ Name: 'client-token', Values: [token] }] }));
    const i = res.Reservations?.[0]?.Instances?.[0];
    return i ? toInstance(i, region) : undefined;
  });
}

/** RunInstances with the caller's idempotency token: the instance that token made, made now or before. */
export async function runInstance(region: string, input: RunInstancesCommandInput): Promise<Ec2Instance> {
  return call(region, 'RunInstances', async (client, sdk) => {
    const res = await client.send(new sdk.RunInstancesCommand(input));
    const i = res.Instances?.[0];
    if (!i?.InstanceId) throw Object.assign(new Error('RunInstances answered without an instance'), { name: 'NoInstance', $metadata: res.$metadata });
    return toInstance(i, region);
  });
}

export async function terminateInstance(region: string, instanceId: string): Promise<void> {
  await call(region, 'TerminateInstances', (client, sdk) => client.send(new sdk.TerminateInstancesCommand({ InstanceIds: [instanceId] })));
}

/** Turn the instance metadata service off: its user data (the host key) is out of reach from then on. */
export async function disableMetadata(region: string, instanceId: string): Promise<void> {
  await call(region, 'ModifyInstanceMetadataOptions', (client, sdk) =>
    client.send(new sdk.ModifyInstanceMetadataOptionsCommand({ InstanceId: instanceId, HttpEndpoint: 'disabled', HttpTokens: 'required' })),
  );
}

/** The image's root device name (/dev/sda1, /dev/xvda…), which the root volume's size is set on. An unknown AMI is AWS's InvalidAMIID error. */
export async function imageRootDevice(region: string, ami: string): Promise<string> {
  return call(region, 'DescribeImages', async (client, sdk) => {
    const res = await client.send(new sdk.DescribeImagesCommand({ ImageIds: [ami] }));
    const image = res.Images?.[0];
    if (!image) throw Object.assign(new Error(`The image id '[${ami}]' does not exist`), { name: 'InvalidAMIID.NotFound', $metadata: res.$metadata });
    return image.RootDeviceName ?? '/dev/xvda';
  });
}
