import { execFileSync } from 'node:child_process';
import { chownSync } from 'node:fs';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { authenticate, AwsError } from './aws-sigv4.js';
import { startSshHost, type SshHost } from '../harness/sshd.js';

/**
 * A small, honest Amazon EC2: the EC2 Query protocol (a form-encoded POST of Action and
 * Version, XML answers in the 2016-11-15 namespace, `<Response><Errors>` with a RequestID on
 * failure), SigV4 checked as AWS checks it, and the operations clawctl uses: DescribeInstances
 * (filters by tag and state, by id), DescribeImages, RunInstances (its ClientToken honoured:
 * the same token returns the same instance, and with other parameters is
 * IdempotentParameterMismatch), TerminateInstances, ModifyInstanceMetadataOptions. It also
 * answers SSM GetParameter (awsJson1_1) for AMI parameter paths, as the public parameters do.
 *
 * An instance is a real loopback sshd: RunInstances reads the user data's assignments as
 * cloud-init's shell would (host key, user, authorized key, port, Tailscale auth key), starts
 * sshd with that host key for that user, and, with an auth key, joins the tailnet through
 * `join`. It is pending for a moment, then running at 127.0.0.1; terminating it stops sshd
 * and deletes its user.
 */
export interface Ec2Server {
  url: string;
  region: string;
  /** Every answer: the action, AWS's request id, and the error code if it failed. */
  requests: { action: string; requestId: string; error?: string }[];
  instances: FakeInstance[];
  /** AMIs that exist, with their root device; and SSM public parameters naming AMIs. */
  images: Record<string, string>;
  parameters: Record<string, string>;
  subnets: string[];
  /** How many instances may run at once (InstanceLimitExceeded past it). */
  quota: number;
  /**
   * 'sshd': instances boot and answer SSH; 'never': they run, but nothing ever listens (a broken
   * image); 'readonly-home': they answer, but their user cannot write its home (nothing installs).
   */
  boot: 'sshd' | 'never' | 'readonly-home';
  /**
   * 'lagging': DescribeInstances by tag does not list instances yet, as EC2's eventual
   * consistency may right after RunInstances (by id and by client token they are found).
   */
  listing: 'consistent' | 'lagging';
  close(): Promise<void>;
}

export interface FakeInstance {
  instanceId: string;
  state: 'pending' | 'running' | 'shutting-down' | 'terminated';
  instanceType: string;
  imageId: string;
  subnetId: string;
  tags: Record<string, string>;
  clientToken: string;
  /** The request's parameters, for the token check and for tests to read. */
  params: Record<string, string>;
  userData: string;
  metadata: { httpTokens: string; httpEndpoint: string; hopLimit: string };
  ssh?: SshHost;
}

/** What first boot was given, read from the user data. */
export interface FirstBootVars {
  user: string;
  authorizedKey: string;
  hostKey: string;
  port: number;
  tsAuthKey: string;
  tsHostname: string;
}

export const EC2_ACCESS_KEY_ID = 'AKIDEC2TEST';
export const EC2_SECRET_ACCESS_KEY = 'ec2-test-secret';
const ACCOUNT = '123456789012';
const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const STATE_CODES: Record<FakeInstance['state'], number> = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export async function startEc2(opts: {
  root: string;
  region?: string;
  /** How long an instance stays pending. */
  pendingMs?: number;
  /** Called when an instance's first boot has a Tailscale auth key. */
  join?: (vars: FirstBootVars) => void;
}): Promise<Ec2Server> {
  const region = opts.region ?? 'eu-west-1';
  const credentials = { [EC2_ACCESS_KEY_ID]: EC2_SECRET_ACCESS_KEY };
  const requests: Ec2Server['requests'] = [];
  const server: Ec2Server = {
    url: '',
    region,
    requests,
    instances: [],
    images: {},
    parameters: {},
    subnets: [],
    quota: 5,
    boot: 'sshd',
    listing: 'consistent',
    close: async () => {},
  };
  const booting: Promise<unknown>[] = [];

  /** The list members of a query (`Prefix.1`, `Prefix.2`…), or of a nested field of each. */
  const listOf = (q: URLSearchParams, prefix: string): string[] => {
    const out: string[] = [];
    for (let i = 1; q.has(`${prefix}.${i}`); i++) out.push(q.get(`${prefix}.${i}`)!);
    return out;
  };

  const instanceXml = (i: FakeInstance) =>
    `<item><instanceId>${i.instanceId}</instanceId><imageId>${esc(i.imageId)}</imageId><instanceState><code>${STATE_CODES[i.state]}</code><name>${i.state}</name></instanceState>` +
    `<instanceType>${esc(i.instanceType)}</instanceType><subnetId>${esc(i.subnetId)}</subnetId><launchTime>2026-12-01T00:00:00.000Z</launchTime>` +
    (i.state === 'running' ? '<privateIpAddress>127.0.0.1</privateIpAddress>' : '') +
    `<clientToken>${esc(i.clientToken)}</clientToken><metadataOptions><httpTokens>${i.metadata.httpTokens}</httpTokens><httpEndpoint>${i.metadata.httpEndpoint}</httpEndpoint></metadataOptions>` +
    `<tagSet>${Object.entries(i.tags)
      .map(([k, v]) => `<item><key>${esc(k)}</key><value>${esc(v)}</value></item>`)
      .join('')}</tagSet></item>`;
  const reservation = (list: FakeInstance[]) =>
    `<item><reservationId>r-${list[0]!.instanceId.slice(2)}</reservationId><ownerId>${ACCOUNT}</ownerId><groupSet/><instancesSet>${list.map(instanceXml).join('')}</instancesSet></item>`;

  const firstBoot = (userData: string): FirstBootVars => {
    const at = userData.indexOf('\n# First boot of an EC2 host');
    if (!userData.startsWith('#!/bin/sh\n') || at < 0) throw new AwsError('InvalidParameterValue', 'User data is not the first-boot script this test server knows');
    // The assignments, as the instance's shell reads them; then each value, NUL-separated.
    const names = ['CLAWCTL_USER', 'CLAWCTL_AUTHORIZED_KEY', 'CLAWCTL_HOST_KEY', 'CLAWCTL_SSH_PORT', 'CLAWCTL_TS_AUTH_KEY', 'CLAWCTL_TS_HOSTNAME'];
    const out = execFileSync('sh', ['-c', `${userData.slice(0, at)}\nprintf '%s\\0' ${names.map((n) => `"$${n}"`).join(' ')}`])
      .toString()
      .split('\0');
    return { user: out[0]!, authorizedKey: out[1]!, hostKey: out[2]!, port: Number(out[3]), tsAuthKey: out[4]!, tsHostname: out[5]! };
  };

  const boot = (inst: FakeInstance) => {
    const vars = firstBoot(inst.userData);
    const mode = server.boot;
    const started = (async () => {
      await new Promise((r) => setTimeout(r, opts.pendingMs ?? 300));
      if (inst.state !== 'pending') return;
      inst.state = 'running';
      if (mode === 'never') return;
      inst.ssh = await startSshHost(inst.instanceId, opts.root, { privateKeyPath: '', publicKey: vars.authorizedKey }, { hostKeyPrivate: vars.hostKey, user: vars.user, port: vars.port });
      if (mode === 'readonly-home') chownSync(inst.ssh.home, 0, 0);
      if ((inst.state as FakeInstance['state']) !== 'running') await inst.ssh.remove();
      else if (vars.tsAuthKey) opts.join?.(vars);
    })();
    booting.push(started.catch(() => undefined));
  };

  const terminate = async (inst: FakeInstance) => {
    if (inst.state === 'terminated' || inst.state === 'shutting-down') return;
    inst.state = 'shutting-down';
    await inst.ssh?.remove();
    inst.state = 'terminated';
  };

  const actions: Record<string, (q: URLSearchParams) => Promise<string>> = {
    async DescribeInstances(q) {
      const ids = listOf(q, 'InstanceId');
      let list = server.instances.filter((i) => ids.length === 0 || ids.includes(i.instanceId));
      const unknown = ids.filter((id) => !server.instances.some((i) => i.instanceId === id));
      if (unknown.length > 0) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${unknown.join(', ')}' does not exist`);
      for (let f = 1; q.has(`Filter.${f}.Name`); f++) {
        const name = q.get(`Filter.${f}.Name`)!;
        const values = listOf(q, `Filter.${f}.Value`);
        if (name.startsWith('tag:')) list = server.listing === 'lagging' ? [] : list.filter((i) => values.includes(i.tags[name.slice(4)] ?? '\0'));
        else if (name === 'instance-state-name') list = list.filter((i) => values.includes(i.state));
        else if (name === 'client-token') list = list.filter((i) => values.includes(i.clientToken));
        else throw new AwsError('InvalidParameterValue', `The filter '${name}' is invalid`);
      }
      return `<reservationSet>${list.map((i) => reservation([i])).join('')}</reservationSet>`;
    },
    async DescribeImages(q) {
      const ids = listOf(q, 'ImageId');
      const missing = ids.filter((id) => !(id in server.images));
      if (missing.length > 0) throw new AwsError('InvalidAMIID.NotFound', `The image id '[${missing.join(', ')}]' does not exist`);
      return `<imagesSet>${ids.map((id) => `<item><imageId>${id}</imageId><imageState>available</imageState><rootDeviceName>${server.images[id]}</rootDeviceName><architecture>x86_64</architecture></item>`).join('')}</imagesSet>`;
    },
    async RunInstances(q) {
      const params = Object.fromEntries([...q.entries()].filter(([k]) => k !== 'Action' && k !== 'Version' && k !== 'ClientToken'));
      const digest = createHash('sha256')
        .update(JSON.stringify(Object.entries(params).sort()))
        .digest('hex');
      const token = q.get('ClientToken') ?? '';
      const again = token ? server.instances.find((i) => i.clientToken === token) : undefined;
      if (again) {
        if (
          createHash('sha256')
            .update(JSON.stringify(Object.entries(again.params).sort()))
            .digest('hex') !== digest
        ) {
          throw new AwsError(
            'IdempotentParameterMismatch',
            'The client token you have provided is associated with a resource that is already deleted or with different parameters. Please use a different client token.',
          );
        }
        return `<reservationId>r-${again.instanceId.slice(2)}</reservationId><ownerId>${ACCOUNT}</ownerId><groupSet/><instancesSet>${instanceXml(again)}</instancesSet>`;
      }
      const imageId = q.get('ImageId') ?? '';
      if (!(imageId in server.images)) throw new AwsError('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
      const subnetId = q.get('SubnetId') ?? '';
      if (!server.subnets.includes(subnetId)) throw new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${subnetId}' does not exist`);
      const live = server.instances.filter((i) => i.state === 'pending' || i.state === 'running').length;
      if (live + 1 > server.quota) {
        throw new AwsError(
          'VcpuLimitExceeded',
          `You have requested more vCPU capacity than your current vCPU limit of ${server.quota * 2} allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.`,
        );
      }
      const tags: Record<string, string> = {};
      for (let t = 1; q.has(`TagSpecification.${t}.ResourceType`); t++) {
        if (q.get(`TagSpecification.${t}.ResourceType`) !== 'instance') continue;
        for (let k = 1; q.has(`TagSpecification.${t}.Tag.${k}.Key`); k++) tags[q.get(`TagSpecification.${t}.Tag.${k}.Key`)!] = q.get(`TagSpecification.${t}.Tag.${k}.Value`) ?? '';
      }
      const inst: FakeInstance = {
        instanceId: `i-${randomBytes(9).toString('hex').slice(0, 17)}`,
        state: 'pending',
        instanceType: q.get('InstanceType') ?? 'm1.small',
        imageId,
        subnetId,
        tags,
        clientToken: token,
        params,
        userData: Buffer.from(q.get('UserData') ?? '', 'base64').toString('utf8'),
        metadata: {
          httpTokens: q.get('MetadataOptions.HttpTokens') ?? 'optional',
          httpEndpoint: q.get('MetadataOptions.HttpEndpoint') ?? 'enabled',
          hopLimit: q.get('MetadataOptions.HttpPutResponseHopLimit') ?? '1',
        },
      };
      server.instances.push(inst);
      boot(inst);
      return `<reservationId>r-${inst.instanceId.slice(2)}</reservationId><ownerId>${ACCOUNT}</ownerId><groupSet/><instancesSet>${instanceXml(inst)}</instancesSet>`;
    },
    async TerminateInstances(q) {
      const ids = listOf(q, 'InstanceId');
      const found = ids.map((id) => {
        const inst = server.instances.find((i) => i.instanceId === id);
        if (!inst) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
        return inst;
      });
      const before = found.map((i) => i.state);
      await Promise.all(found.map(terminate));
      return `<instancesSet>${found
        .map(
          (i, n) =>
            `<item><instanceId>${i.instanceId}</instanceId><currentState><code>32</code><name>shutting-down</name></currentState><previousState><code>${STATE_CODES[before[n]!]}</code><name>${before[n]}</name></previousState></item>`,
        )
        .join('')}</instancesSet>`;
    },
    async ModifyInstanceMetadataOptions(q) {
      const inst = server.instances.find((i) => i.instanceId === q.get('InstanceId'));
      if (!inst) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${q.get('InstanceId')}' does not exist`);
      inst.metadata.httpTokens = q.get('HttpTokens') ?? inst.metadata.httpTokens;
      inst.metadata.httpEndpoint = q.get('HttpEndpoint') ?? inst.metadata.httpEndpoint;
      return `<instanceId>${inst.instanceId}</instanceId><instanceMetadataOptions><state>pending</state><httpTokens>${inst.metadata.httpTokens}</httpTokens><httpEndpoint>${inst.metadata.httpEndpoint}</httpEndpoint></instanceMetadataOptions>`;
    },
  };

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const requestId = randomUUID();
      const target = req.headers['x-amz-target'];
      if (typeof target === 'string') {
        // SSM's public parameters, for AMI paths (awsJson1_1).
        const reply = (status: number, json: unknown, error?: string) => {
          requests.push({ action: `ssm:${target.split('.')[1]}`, requestId, ...(error ? { error } : {}) });
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId });
          res.end(JSON.stringify(json));
        };
        try {
          authenticate(req, body, { credentials, region, service: 'ssm', now: new Date() });
          if (target !== 'AmazonSSM.GetParameter') throw new AwsError('UnknownOperationException', `unknown operation ${target}`);
          const name = String((JSON.parse(body.toString() || '{}') as { Name?: unknown }).Name);
          const value = server.parameters[name];
          if (value === undefined) throw new AwsError('ParameterNotFound', '');
          reply(200, { Parameter: { Name: name, Type: 'String', Value: value, Version: 1, DataType: 'aws:ec2:image' } });
        } catch (err) {
          const e = err instanceof AwsError ? err : new AwsError('InternalServerError', (err as Error).message, 500);
          reply(e.status, { __type: e.type, message: e.message }, e.type);
        }
        return;
      }
      const q = new URLSearchParams(body.toString('utf8'));
      const action = q.get('Action') ?? '';
      const fail = (e: AwsError) => {
        requests.push({ action, requestId, error: e.type });
        res.writeHead(e.status, { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${esc(e.type)}</Code><Message>${esc(e.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
        );
      };
      try {
        authenticate(req, body, { credentials, region, service: 'ec2', now: new Date() });
        if (req.method !== 'POST' || q.get('Version') !== '2016-11-15') throw new AwsError('InvalidParameterValue', 'EC2 Query requests are POSTs of Version 2016-11-15');
        const handler = actions[action];
        if (!handler) throw new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`);
        handler(q).then(
          (xml) => {
            requests.push({ action, requestId });
            res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId });
            res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NS}"><requestId>${requestId}</requestId>${xml}</${action}Response>`);
          },
          (err: Error) => fail(err instanceof AwsError ? err : new AwsError('InternalError', err.message, 500)),
        );
      } catch (err) {
        fail(err instanceof AwsError ? err : new AwsError('InternalError', (err as Error).message, 500));
      }
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  server.url = `http://127.0.0.1:${address.port}`;
  server.close = async () => {
    await Promise.all(booting);
    await Promise.all(server.instances.map(terminate));
    await new Promise<void>((r) => http.close(() => r()));
  };
  return server;
}
