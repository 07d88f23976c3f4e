import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { authenticate, AwsError } from './aws-sigv4.js';
import { join } from 'node:path';

/**
 * A small, honest AWS Systems Manager Run Command: the awsJson1_1 protocol (POST /, X-Amz-Target
 * AmazonSSM.<Operation>, `__type` errors, an x-amzn-RequestId on every answer), SigV4 checked
 * as AWS checks it, and the operations clawctl uses: SendCommand, GetCommandInvocation,
 * CancelCommand.
 *
 * Like the SSM Agent, it runs AWS-RunShellScript's `commands` joined by newlines as a script
 * file with `sh`, as root (or as a managed node's configured user), with no stdin, in a work
 * directory of its own, and stops it at `executionTimeout`. Like the service, it keeps
 * invocations invisible for a moment after SendCommand (GetCommandInvocation answers
 * InvocationDoesNotExist), goes Pending → InProgress → Success / Failed / TimedOut /
 * Cancelled, and returns only the first 24,000 characters of stdout and 8,000 of stderr.
 */
export interface SsmServer {
  url: string;
  region: string;
  /** What this server enforces, for tests to assert against: AWS's output limits and its own parameter bound. */
  limits: { stdoutChars: number; stderrChars: number; parameterChars: number };
  /** Every answer: the operation, AWS's request id, and the error `__type` if it failed. */
  requests: { op: string; requestId: string; error?: string }[];
  /** Every command sent, with its parameters as the command history keeps them. */
  commands: { commandId: string; instanceId: string; parameters: Record<string, string[]> }[];
  /** Every output GetCommandInvocation returned, as the command history keeps it. */
  outputs: string[];
  close(): Promise<void>;
}

export interface SsmNode {
  /** Who runs the document: root as the SSM Agent does, unless a user is named here. */
  runAs?: { uid: number; gid: number };
}

export interface SsmServerOptions {
  /** Managed node id → how it runs commands; SendCommand to any other id is InvalidInstanceId. */
  nodes: Record<string, SsmNode>;
  region?: string;
  credentials?: Record<string, string>;
  /** How long an invocation stays unknown to GetCommandInvocation after SendCommand. */
  visibleAfterMs?: number;
  /** This server's bound on the total characters of a command's parameters. */
  parameterChars?: number;
}

export const SSM_ACCESS_KEY_ID = 'AKIDSSMTEST';
export const SSM_SECRET_ACCESS_KEY = 'ssm-test-secret';
const ACCOUNT = '123456789012';
const STDOUT_CHARS = 24_000;
const STDERR_CHARS = 8_000;

interface Invocation {
  commandId: string;
  instanceId: string;
  sentAt: number;
  status: 'Pending' | 'InProgress' | 'Success' | 'Failed' | 'TimedOut' | 'Cancelled';
  details: string;
  code: number;
  stdout: string;
  stderr: string;
  child?: ChildProcess;
}

export async function startSsm(opts: SsmServerOptions): Promise<SsmServer> {
  const region = opts.region ?? 'us-east-1';
  const credentials = opts.credentials ?? { [SSM_ACCESS_KEY_ID]: SSM_SECRET_ACCESS_KEY };
  const visibleAfter = opts.visibleAfterMs ?? 150;
  const parameterChars = opts.parameterChars ?? 64_000;
  const work = mkdtempSync(join(tmpdir(), 'clawctl-ssm-agent-'));
  chmodSync(work, 0o755);
  const invocations = new Map<string, Invocation>();
  const requests: SsmServer['requests'] = [];
  const commands: SsmServer['commands'] = [];
  const outputs: string[] = [];

  function run(inv: Invocation, script: string, timeoutSeconds: number, node: SsmNode): void {
    // The agent's orchestration directory for this command: the script file and the cwd.
    const dir = join(work, inv.commandId);
    mkdirSync(dir, { mode: 0o755 });
    const file = join(dir, '_script.sh');
    writeFileSync(file, script, { mode: 0o755 });
    inv.status = 'InProgress';
    inv.details = 'InProgress';
    const child = spawn('sh', [file], {
      cwd: dir,
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      ...(node.runAs ? { uid: node.runAs.uid, gid: node.runAs.gid } : {}),
    });
    inv.child = child;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      kill(child);
    }, timeoutSeconds * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      inv.stdout = Buffer.concat(out).toString('utf8').slice(0, STDOUT_CHARS);
      inv.stderr = Buffer.concat(err).toString('utf8').slice(0, STDERR_CHARS);
      if (inv.status === 'Cancelled') return;
      if (timedOut) Object.assign(inv, { status: 'TimedOut', details: 'ExecutionTimedOut', code: -1 });
      else if (code === 0) Object.assign(inv, { status: 'Success', details: 'Success', code: 0 });
      else Object.assign(inv, { status: 'Failed', details: 'Failed', code: code ?? 1 });
    });
  }

  const ops: Record<string, (b: Record<string, unknown>) => unknown> = {
    SendCommand: (b) => {
      if (b.DocumentName !== 'AWS-RunShellScript') throw new AwsError('InvalidDocument', `Document with name ${String(b.DocumentName)} does not exist.`);
      const ids = (b.InstanceIds ?? []) as string[];
      if (ids.length < 1 || ids.length > 50)
        throw new AwsError('ValidationException', "1 validation error detected: Value at 'instanceIds' failed to satisfy constraint: Member must have length between 1 and 50");
      const unknown = ids.filter((id) => !opts.nodes[id]);
      if (unknown.length > 0) throw new AwsError('InvalidInstanceId', `Instances [[${unknown.join(', ')}]] not in a valid state for account ${ACCOUNT}`);
      const params = (b.Parameters ?? {}) as Record<string, string[]>;
      if (!Array.isArray(params.commands) || params.commands.length === 0) throw new AwsError('InvalidParameters', 'Parameter "commands" is required.');
      const size = Object.entries(params).reduce((n, [k, v]) => n + k.length + v.reduce((m, s) => m + s.length, 0), 0);
      if (size > parameterChars) throw new AwsError('ValidationException', `The parameters of this command are ${size} characters; this server accepts at most ${parameterChars}.`);
      const timeout = Number(params.executionTimeout?.[0] ?? 3600);
      if (!Number.isInteger(timeout) || timeout < 1 || timeout > 172_800) throw new AwsError('InvalidParameters', 'Parameter "executionTimeout" must be an integer between 1 and 172800.');
      const commandId = randomUUID();
      for (const instanceId of ids) {
        const inv: Invocation = { commandId, instanceId, sentAt: Date.now(), status: 'Pending', details: 'Pending', code: -1, stdout: '', stderr: '' };
        invocations.set(`${commandId}/${instanceId}`, inv);
        commands.push({ commandId, instanceId, parameters: params });
        // The agent picks the command up a little later, as a real one polls for messages.
        setTimeout(() => {
          if (inv.status === 'Pending') run(inv, `${params.commands!.join('\n')}\n`, timeout, opts.nodes[instanceId]!);
        }, 50);
      }
      return { Command: { CommandId: commandId, DocumentName: b.DocumentName, InstanceIds: ids, Status: 'Pending', Parameters: params, RequestedDateTime: Date.now() / 1000 } };
    },
    GetCommandInvocation: (b) => {
      const inv = invocations.get(`${String(b.CommandId)}/${String(b.InstanceId)}`);
      if (!inv || Date.now() - inv.sentAt < visibleAfter) throw new AwsError('InvocationDoesNotExist', 'An error occurred (InvocationDoesNotExist) when calling the GetCommandInvocation operation');
      const done = inv.status !== 'Pending' && inv.status !== 'InProgress';
      if (done) outputs.push(inv.stdout, inv.stderr);
      return {
        CommandId: inv.commandId,
        InstanceId: inv.instanceId,
        DocumentName: 'AWS-RunShellScript',
        PluginName: 'aws:runShellScript',
        ResponseCode: inv.code,
        Status: inv.status,
        StatusDetails: inv.details,
        StandardOutputContent: done ? inv.stdout : '',
        StandardErrorContent: done ? inv.stderr : '',
      };
    },
    CancelCommand: (b) => {
      const ids = (b.InstanceIds ?? []) as string[];
      const hits = [...invocations.values()].filter((i) => i.commandId === b.CommandId && (ids.length === 0 || ids.includes(i.instanceId)));
      if (hits.length === 0) throw new AwsError('InvalidCommandId', 'InvalidCommandId');
      for (const inv of hits) {
        if (inv.status !== 'Pending' && inv.status !== 'InProgress') continue;
        Object.assign(inv, { status: 'Cancelled', details: 'Cancelled', code: -1 });
        if (inv.child) kill(inv.child);
      }
      return {};
    },
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const requestId = randomUUID();
      const op = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSSM\./, '');
      const reply = (status: number, body: unknown, error?: string) => {
        requests.push({ op, requestId, ...(error ? { error } : {}) });
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId });
        res.end(JSON.stringify(body));
      };
      const body = Buffer.concat(chunks);
      try {
        authenticate(req, body, { credentials, region, service: 'ssm', now: new Date() });
        if (req.method !== 'POST' || !ops[op]) throw new AwsError('UnknownOperationException', `unknown operation ${String(req.headers['x-amz-target'])}`);
        reply(200, ops[op]!(JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>));
      } catch (err) {
        if (err instanceof AwsError) reply(err.status, { __type: err.type, message: err.message }, err.type);
        else reply(500, { __type: 'InternalServerError', message: String(err) }, 'InternalServerError');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    region,
    limits: { stdoutChars: STDOUT_CHARS, stderrChars: STDERR_CHARS, parameterChars },
    requests,
    commands,
    outputs,
    close: () =>
      new Promise((r) => {
        for (const inv of invocations.values()) if (inv.child && inv.child.exitCode === null) kill(inv.child);
        rmSync(work, { recursive: true, force: true });
        server.closeAllConnections(); // the SDK keeps connections alive
        server.close(() => r());
      }),
  };
}

function kill(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}
