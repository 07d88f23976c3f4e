import type { EC2Client, Instance, RunInstancesCommandInput } from '@aws-sdk/client-ec2';
import { FLEET_TAG, HOST_TAG } from './ec2-defaults.js';

/**
 * Amazon EC2 through the real SDK, configured as every AWS tool is: credentials from the
 * default chain, AWS_ENDPOINT_URL for another endpoint; the Region is the Host's. Loaded
 * lazily: fleets without EC2 hosts do not pay for the SDK.
 */
type Sdk = typeof import('@aws-sdk/client-ec2');
const clients = new Map<string, Promise<{ client: EC2Client; sdk: Sdk }>>();

function ec2(region: string): Promise<{ client: EC2Client; sdk: Sdk }> {
  let c = clients.get(region);
  if (!c) {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    c = import('@aws-sdk/client-ec2').then((sdk) => ({ sdk, client: new sdk.EC2Client({ region }) }));
    clients.set(region, c);
  }
  return c;
}

/** An EC2 call that failed: AWS's error code, its words and its request id, for the user and for AWS support. */
export class Ec2CallError extends Error {
  constructor(
    readonly operation: string,
    readonly awsCode: string,
    readonly awsMessage: string,
    readonly requestId: string | undefined,
  ) {
    super(`EC2 ${operation}: ${awsCode}: ${awsMessage}${requestId ? ` (AWS request id ${requestId})` : ''}`);
    this.name = 'Ec2CallError';
  }
}

async function call<T>(region: string, operation: string, fn: (c: EC2Client, sdk: Sdk) => Promise<T>): Promise<T> {
  const { client, sdk } = await ec2(region);
  try {
    return await fn(client, sdk);
  } catch (err) {
    const e = err as Error & { $metadata?: { requestId?: string }; Code?: string };
    throw new Ec2CallError(operation, e.Code ?? e.name, e.message || 'no message', e.$metadata?.requestId);
  }
}

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

/** An AMI id as the SSM public parameter at that path names it (Canonical's, Amazon Linux's…). */
export async function amiFromParameter(region: string, path: string): Promise<string> {
  const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
  try {
    const res = await new SSMClient({ region }).send(new GetParameterCommand({ Name: path }));
    const value = res.Parameter?.Value ?? '';
    if (!/^ami-[0-9a-f]+$/.test(value)) throw Object.assign(new Error(`parameter ${path} holds ${JSON.stringify(value.slice(0, 40))}, not an AMI id`), { name: 'NotAnAmi', $metadata: res.$metadata });
    return value;
  } catch (err) {
    const e = err as Error & { $metadata?: { requestId?: string } };
    throw new Ec2CallError('SSM GetParameter', e.name, e.message || 'no message', e.$metadata?.requestId);
  }
}
