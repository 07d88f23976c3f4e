import type { GetCommandInvocationCommandOutput } from '@aws-sdk/client-ssm';
import { awsCaller, awsClients, AwsCallError } from './aws-sdk.js';

/** AWS Systems Manager Run Command through the real SDK; the Region is the Host's. */
const call = awsCaller(
  'SSM',
  awsClients(
    () => import('@aws-sdk/client-ssm'),
    (sdk, region) => new sdk.SSMClient({ region }),
  ),
);

export interface SsmTarget {
  instanceId: string;
  region: string;
}

/** Terminal states of an invocation, and the ones still on their way. */
const RUNNING = new Set(['Pending', 'InProgress', 'Delayed', 'Cancelling']);

export interface Invocation {
  commandId: string;
  /** Success, Failed, TimedOut, Cancelled, Undeliverable, Terminated… as GetCommandInvocation says. */
  status: string;
  statusDetails: string;
  /** The script's exit code; -1 when it did not run. */
  responseCode: number;
  /** At most 24,000 characters: SSM truncates the rest. */
  stdout: string;
  /** At most 8,000 characters. */
  stderr: string;
}

export interface RunOptions {
  /** AWS-RunShellScript's executionTimeout: SSM stops the script after it. */
  executionTimeoutSeconds: number;
  comment: string;
  /** Ends the wait and asks SSM to cancel the command. */
  signal?: AbortSignal;
  /** Give up waiting (and cancel) after this long, whatever SSM says: a lost agent never answers. */
  waitSeconds: number;
}

/** Polling starts fast (a small command ends in well under a second) and backs off to 2 s. */
const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 2000;
/** GetCommandInvocation may not know a command for a moment after SendCommand returns. */
const NOT_YET_VISIBLE_MS = 10_000;

/** Run AWS-RunShellScript with these commands on one node and wait for its end. */
export async function runShellScript(target: SsmTarget, commands: string[], opts: RunOptions): Promise<Invocation | 'aborted' | 'waited-out'> {
  const sent = await call(target.region, 'SendCommand', (c, sdk) =>
    c.send(
      new sdk.SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [target.instanceId],
        Comment: opts.comment.slice(0, 100),
        Parameters: { commands, executionTimeout: [String(opts.executionTimeoutSeconds)] },
      }),
    ),
  );
  const commandId = sent.Command?.CommandId;
  if (!commandId) throw new AwsCallError('SSM', 'SendCommand', 'NoCommandId', 'the response named no command', sent.$metadata.requestId);
  const started = Date.now();
  let wait = FIRST_POLL_MS;
  for (;;) {
    if (opts.signal?.aborted) {
      await cancel(target, commandId);
      return 'aborted';
    }
    if (Date.now() - started > opts.waitSeconds * 1000) {
      await cancel(target, commandId);
      return 'waited-out';
    }
    await sleep(wait, opts.signal);
    wait = Math.min(MAX_POLL_MS, Math.round(wait * 1.5));
    if (opts.signal?.aborted) continue;
    let got: GetCommandInvocationCommandOutput;
    try {
      got = await call(target.region, 'GetCommandInvocation', (c, sdk) => c.send(new sdk.GetCommandInvocationCommand({ CommandId: commandId, InstanceId: target.instanceId })));
    } catch (err) {
      if (err instanceof AwsCallError && err.awsCode === 'InvocationDoesNotExist' && Date.now() - started < NOT_YET_VISIBLE_MS) continue;
      throw err;
    }
    const status = got.Status ?? 'Pending';
    if (RUNNING.has(status)) continue;
    return {
      commandId,
      status,
      statusDetails: got.StatusDetails ?? status,
      responseCode: got.ResponseCode ?? -1,
      stdout: got.StandardOutputContent ?? '',
      stderr: got.StandardErrorContent ?? '',
    };
  }
}

async function cancel(target: SsmTarget, commandId: string): Promise<void> {
  // Best effort: a command that ended meanwhile cannot be cancelled, and that is fine.
  await call(target.region, 'CancelCommand', (c, sdk) => c.send(new sdk.CancelCommandCommand({ CommandId: commandId, InstanceIds: [target.instanceId] }))).catch(() => undefined);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

/** An AMI id as the SSM public parameter at that path names it (Canonical's, Amazon Linux's…). */
export async function amiFromParameter(region: string, path: string): Promise<string> {
  return call(region, 'GetParameter', async (c, sdk) => {
    const res = await c.send(new sdk.GetParameterCommand({ Name: path }));
    const value = res.Parameter?.Value ?? '';
    if (!/^ami-[0-9a-f]+$/.test(value))
      throw new AwsCallError('SSM', 'GetParameter', 'NotAnAmi', `parameter ${path} holds ${JSON.stringify(value.slice(0, 40))}, not an AMI id`, res.$metadata.requestId);
    return value;
  });
}
