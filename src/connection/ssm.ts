import { randomUUID } from 'node:crypto';
import { AwsCallError } from '../aws/aws-sdk.js';
import { runShellScript, type Invocation } from '../aws/ssm.js';
import { shellQuote } from '../util/shell.js';
import { CommandTimeoutError, HostUnreachableError, limit, programName, type Deadline, type ExecInput, type ExecResult, type HostConnection, type StreamOptions } from './connection.js';
import { SSM_RUNNER_JS } from './ssm-runner.js';
import { newRunKey, open, seal, type RunKey } from './ssm-seal.js';

export interface SsmHostTarget {
  /** The Host's name, for errors. */
  host: string;
  instanceId: string;
  region: string;
  /** Who the scripts run as: SSM runs documents as root. */
  user: string;
}

/**
 * SSM's limits, and clawctl's margins under them (README, SSM hosts):
 * GetCommandInvocation returns the first 24,000 characters of stdout, so a result is printed
 * in parts of OUTPUT_BUDGET and the rest fetched by further commands; a command's own
 * parameters are kept under COMMAND_CHARS, so a larger stdin goes to the host in parts.
 */
export const SSM_STDOUT_LIMIT = 24_000;
const OUTPUT_BUDGET = SSM_STDOUT_LIMIT - 200;
export const COMMAND_CHARS = 48_000;
/** Room in one command for the envelope and the runner, leaving the rest to a job's data. */
const ENVELOPE_CHARS = SSM_RUNNER_JS.length + 1_500;
/** SSM stops a script this long after clawctl's own deadline: the runner's kill comes first. */
const SSM_GRACE_SECONDS = 30;

type Job =
  | { op: 'inbox' }
  | { op: 'put'; inbox: string; data: string }
  | { op: 'chunk'; dir: string; offset: number; budget: number }
  | { op: 'exec'; id: string; argv: readonly string[]; runPub: string; seconds: number; budget: number; inbox?: string; data?: string };

/**
 * A host reached through AWS Systems Manager Run Command: the same argv as over SSH, run by
 * ssm-runner.ts as spec.ssm.user. Nothing crosses SSM in the clear: stdin is sealed to a
 * one-use key the host makes for it, output to a key this run holds (ssm-seal.ts).
 */
export async function openSsm(target: SsmHostTarget, commandTimeoutSeconds: number): Promise<HostConnection> {
  const run = newRunKey();
  const describe = `ssm:${target.user}@${target.instanceId} (${target.region})`;
  return {
    describe,
    exec: (argv, stdin, streaming, deadline) => exec(target, run, argv, stdin, streaming, seconds(deadline, commandTimeoutSeconds, streaming)),
    close: () => undefined,
  };
}

/** SSM cannot run a command unbounded: a stream the caller ends itself still has the fleet's bound. */
const seconds = (deadline: Deadline | undefined, fallback: number, streaming: StreamOptions | undefined) => limit(deadline, fallback, streaming) ?? fallback;

async function exec(target: SsmHostTarget, run: RunKey, argv: readonly string[], input: ExecInput | undefined, streaming: StreamOptions | undefined, secs: number): Promise<ExecResult> {
  const program = programName(argv);
  try {
    const id = randomUUID();
    let inbox: string | undefined;
    let data: string | undefined;
    const stdin = await bytesOf(input, target, program);
    if (stdin.length > 0) {
      const box = await inboxOf(target, await send(target, { op: 'inbox' }, `clawctl inbox for ${program}`, secs));
      inbox = box.dir;
      const sealed = seal(stdin, Buffer.from(box.publicKey, 'base64'), 'stdin', id).toString('base64');
      const room = COMMAND_CHARS - ENVELOPE_CHARS - jobChars({ op: 'exec', id, argv, runPub: run.publicRaw, seconds: secs, budget: OUTPUT_BUDGET, inbox });
      if (sealed.length <= room * 0.7) data = sealed;
      else {
        const part = Math.floor(((COMMAND_CHARS - ENVELOPE_CHARS - 200) * 3) / 4) - 200;
        for (let at = 0; at < sealed.length; at += part) {
          expectLine(await send(target, { op: 'put', inbox, data: sealed.slice(at, at + part) }, `clawctl input for ${program}`, secs), 'clawctl-ssm put', target, program);
        }
      }
    }
    const job: Job = { op: 'exec', id, argv, runPub: run.publicRaw, seconds: secs, budget: OUTPUT_BUDGET, ...(inbox ? { inbox } : {}), ...(data ? { data } : {}) };
    const inv = await send(target, job, `clawctl ${program}`, secs + SSM_GRACE_SECONDS, streaming?.signal);
    if (inv === 'aborted') return { code: 0, stdout: '', bytes: Buffer.alloc(0), stderr: '' };
    const result = await sealedResult(target, inv, program, secs);
    const text = open(Buffer.from(result, 'base64'), run, 'output', id);
    const nl = text.indexOf(0x0a);
    const head = JSON.parse(text.subarray(0, nl).toString('utf8')) as { code: number; timedOut: boolean; out: number; err: number };
    if (head.timedOut) throw new CommandTimeoutError(target.host, secs, program);
    const out = text.subarray(nl + 1, nl + 1 + head.out);
    const err = text.subarray(nl + 1 + head.out, nl + 1 + head.out + head.err).toString('utf8');
    if (streaming) {
      // Run Command returns output only when a command ends: the stream gets it all at once.
      if (out.length > 0) streaming.onStdout(out);
      return { code: head.code, stdout: '', bytes: Buffer.alloc(0), stderr: err };
    }
    return { code: head.code, stdout: out.toString('utf8'), bytes: out, stderr: err };
  } catch (err) {
    if (err instanceof AwsCallError) throw new HostUnreachableError(target.host, `${err.message}`, hintFor(err.awsCode, target));
    throw err;
  }
}

/**
 * stdin as bytes: it is sealed whole (GCM authenticates the whole), so a stream is read first.
 * Past MAX_INPUT_BYTES it would take hundreds of commands: refused, naming SSH instead.
 */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;
async function bytesOf(input: ExecInput | undefined, target: SsmHostTarget, program: string): Promise<Buffer> {
  if (input === undefined) return Buffer.alloc(0);
  if (typeof input === 'string') return Buffer.from(input);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > MAX_INPUT_BYTES) {
      throw new HostUnreachableError(
        target.host,
        `${program} needs more than ${MAX_INPUT_BYTES / 1024 / 1024} MiB of input, too much to carry through SSM Run Command parameters`,
        'give the host network access to fetch it, or reach it over SSH',
      );
    }
    parts.push(b);
  }
  return Buffer.concat(parts);
}

/** The sealed result, whole: the part in this invocation's output and the rest fetched from the host. */
async function sealedResult(target: SsmHostTarget, inv: Invocation | 'waited-out', program: string, secs: number): Promise<string> {
  if (inv === 'waited-out') throw new CommandTimeoutError(target.host, secs, program);
  if (inv.status === 'TimedOut') throw new CommandTimeoutError(target.host, secs, program);
  const nl = inv.stdout.indexOf('\n');
  const m = /^clawctl-ssm sealed (\S+) (\d+)$/.exec(nl < 0 ? '' : inv.stdout.slice(0, nl));
  if (!m) throw runnerFailed(target, inv, program);
  let text = inv.stdout.slice(nl + 1);
  const total = Number(m[2]);
  while (text.length < total) {
    const more = await send(target, { op: 'chunk', dir: m[1]!, offset: text.length, budget: OUTPUT_BUDGET }, `clawctl output of ${program}`, secs);
    if (more === 'aborted' || more === 'waited-out' || !more.stdout.startsWith('clawctl-ssm chunk\n'))
      throw runnerFailed(target, more === 'aborted' || more === 'waited-out' ? undefined : more, program);
    const part = more.stdout.slice('clawctl-ssm chunk\n'.length);
    if (part.length === 0) throw new HostUnreachableError(target.host, `the output of ${program} ended at ${text.length} of ${total} characters`);
    text += part;
  }
  return text;
}

function runnerFailed(target: SsmHostTarget, inv: Invocation | undefined, program: string): HostUnreachableError {
  if (!inv) return new HostUnreachableError(target.host, `SSM command for ${program} did not finish`);
  const why = inv.stderr.trim() || inv.stdout.trim() || 'no output';
  return new HostUnreachableError(
    target.host,
    `SSM command ${inv.commandId} for ${program} on ${target.instanceId}: ${inv.statusDetails} (exit ${inv.responseCode}): ${why}`,
    /no node on PATH/.test(why) ? `install Node.js on the host for ${target.user}: clawctl seals everything that crosses SSM with it` : undefined,
  );
}

function hintFor(code: string, target: SsmHostTarget): string | undefined {
  if (code === 'InvalidInstanceId') {
    return `check spec.ssm.instanceId and spec.ssm.region (${target.region}); the node must be running, its SSM Agent online and its instance profile allow SSM (AmazonSSMManagedInstanceCore)`;
  }
  if (/^(UnrecognizedClient|InvalidSignature|AccessDenied|ExpiredToken)/.test(code))
    return 'check the AWS credentials of this environment (the SDK default chain) and that they may ssm:SendCommand and ssm:GetCommandInvocation';
  return undefined;
}

function expectLine(inv: Invocation | 'aborted' | 'waited-out', line: string, target: SsmHostTarget, program: string): void {
  if (inv === 'aborted' || inv === 'waited-out' || !inv.stdout.startsWith(line)) throw runnerFailed(target, inv === 'aborted' || inv === 'waited-out' ? undefined : inv, program);
}

async function inboxOf(target: SsmHostTarget, inv: Invocation | 'aborted' | 'waited-out'): Promise<{ dir: string; publicKey: string }> {
  const m = inv !== 'aborted' && inv !== 'waited-out' ? /^clawctl-ssm inbox (\S+) ([A-Za-z0-9+/=]{44})$/m.exec(inv.stdout) : null;
  if (!m) throw runnerFailed(target, inv === 'aborted' || inv === 'waited-out' ? undefined : inv, 'the input inbox');
  return { dir: m[1]!, publicKey: m[2]! };
}

const jobChars = (job: Job) => Math.ceil((Buffer.byteLength(JSON.stringify(job)) * 4) / 3) + 100;

function send(target: SsmHostTarget, job: Job, comment: string, secs: number, signal?: AbortSignal): Promise<Invocation | 'aborted' | 'waited-out'> {
  return runShellScript(target, envelope(target.user, job), {
    executionTimeoutSeconds: secs + SSM_GRACE_SECONDS,
    waitSeconds: secs + SSM_GRACE_SECONDS * 2,
    comment,
    ...(signal ? { signal } : {}),
  });
}

/**
 * The document's commands: the runner and the job in quoted heredocs (no expansion, no argv),
 * dropped to the host user with runuser when SSM runs them as root.
 */
export function envelope(user: string, job: Job): string[] {
  const u = shellQuote(user);
  const b64 = Buffer.from(JSON.stringify(job)).toString('base64');
  return [
    '# clawctl over SSM Run Command: one job, run as the host user by Node.js; input and output are sealed (clawctl README: SSM hosts)',
    `u=${u}`,
    "runner=$(cat <<'CLAWCTL_RUNNER'",
    ...SSM_RUNNER_JS.split('\n'),
    'CLAWCTL_RUNNER',
    ')',
    'if [ "$(id -un)" = "$u" ]; then set --',
    'elif [ "$(id -u)" -eq 0 ]; then set -- runuser -u "$u" --',
    'else echo "clawctl-ssm: SSM runs commands as $(id -un), not root: it cannot act as $u" >&2; exit 126',
    'fi',
    // node is looked for where npm and nvm-style installs put it, then run with the PATH SSH would give.
    `"$@" sh -c 'n=$(PATH="$HOME/.local/bin:$HOME/.npm-global/bin:/usr/local/bin:$PATH" command -v node) || { echo "clawctl-ssm: no node on PATH for $(id -un)" >&2; exit 127; }; exec "$n" -e "$1"' clawctl-ssm "$runner" <<'CLAWCTL_JOB'`,
    ...(b64.match(/.{1,76}/g) ?? []),
    'CLAWCTL_JOB',
  ];
}
