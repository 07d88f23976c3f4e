import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { OPENCLAW_BIN } from './openclaw.js';

/** The OpenClaw package test/setup/install-openclaw.sh installed next to OPENCLAW_BIN. */
export const OPENCLAW_PACKAGE = join(OPENCLAW_BIN, '..', 'node_modules', 'openclaw');

/** What OpenClaw's gateway would do with one command the agent's exec tool asks to run. */
export interface ExecVerdict {
  command: string;
  /** Runs without asking anyone: the host policy is allowlist, every part matches and the plan renders. */
  allowed: boolean;
  /** OpenClaw could parse the shell text into commands it can judge (false: $(…), redirections, …). */
  analysisOk: boolean;
  /** Each command of the line as OpenClaw parsed it. */
  argv: string[][];
  /** Per command: what let it through (allowlist, safeBins, safeBuiltins, skills) or null. */
  satisfiedBy: (string | null)[];
  /** Why OpenClaw could not plan the line, when it could not. */
  reason?: string;
  /** The shell text the gateway would really run, when allowed. */
  runs?: string;
}

/**
 * Runs under OpenClaw's own Node 24 and judges each command with OpenClaw's own code: the
 * approvals document as OpenClaw loads it (the one `openclaw approvals set` stored, unless one is
 * passed), resolved for the agent, then the gateway's exec check — evaluateShellAllowlistWithAuthorization
 * (shell parsing, chains, wrappers, argPattern matching), requiresExecApproval and the security-audit
 * guard from the public plugin SDK (openclaw/plugin-sdk/infra-runtime), and the renderer that
 * turns the authorization plan into the command the gateway runs (an internal chunk, found by its
 * export name). Nothing about matching is reimplemented here.
 */
const JUDGE = String.raw`
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const input = JSON.parse(readFileSync(0, 'utf8'));
const dist = join(input.openclaw, 'dist');
const load = (file) => import(pathToFileURL(join(dist, file)).href);
const sdk = await load('plugin-sdk/infra-runtime.js');
async function internal(name) {
  const files = readdirSync(dist).filter((f) => f.endsWith('.mjs'));
  // Its chunk is named after its source module (exec-authorization-render-<hash>.mjs): look there first.
  for (const file of [...files.filter((f) => f.startsWith('exec-')), ...files.filter((f) => !f.startsWith('exec-'))]) {
    const text = readFileSync(join(dist, file), 'utf8');
    const m = new RegExp('export \\{[^}]*\\b' + name + ' as (\\w+)').exec(text);
    if (m && text.includes('function ' + name + '(')) return (await load(file))[m[1]];
  }
  throw new Error(name + ' not found in ' + dist);
}
const renderPlan = await internal('buildAuthorizedShellCommandFromPlan');

const file = input.approvals ?? sdk.loadExecApprovals();
const policy = sdk.resolveExecApprovalsFromFile({ file, agentId: input.agentId });
const { security, ask } = policy.agent;
const verdicts = [];
for (const command of input.commands) {
  const ev = await sdk.evaluateShellAllowlistWithAuthorization({
    command,
    allowlist: policy.allowlist,
    safeBins: sdk.resolveSafeBins(undefined),
    cwd: input.cwd,
    env: input.env,
    platform: process.platform,
  });
  const satisfied = ev.analysisOk && ev.allowlistSatisfied;
  const asks = sdk.requiresExecApproval({ ask, security, analysisOk: ev.analysisOk, allowlistSatisfied: ev.allowlistSatisfied });
  const auditGuard = sdk.commandRequiresSecurityAuditSuppressionApproval({ command, cwd: input.cwd, env: input.env, segments: ev.segments });
  const rendered = security === 'allowlist' && satisfied && ev.authorizationPlan
    ? renderPlan({ plan: ev.authorizationPlan, mode: 'enforced', segmentSatisfiedBy: ev.segmentSatisfiedBy })
    : undefined;
  const allowed = security === 'full' ? !asks && !auditGuard : security === 'allowlist' && satisfied && !asks && !auditGuard && rendered?.ok === true;
  verdicts.push({
    command,
    allowed,
    analysisOk: ev.analysisOk,
    argv: ev.segments.map((s) => s.argv),
    satisfiedBy: ev.segmentSatisfiedBy,
    ...(ev.authorizationPlan && !ev.authorizationPlan.ok ? { reason: ev.authorizationPlan.reason } : {}),
    ...(rendered?.ok ? { runs: rendered.command } : {}),
  });
}
process.stdout.write('\n' + JSON.stringify(verdicts) + '\n');
`;

export interface JudgeOptions {
  /** HOME and OPENCLAW_STATE_DIR of the OpenClaw whose stored approvals are judged. */
  home: string;
  stateDir: string;
  /** PATH the commands resolve their binaries on, and the directory they run in. */
  path: string;
  cwd: string;
  /** Judge this approvals document instead of the stored one. */
  approvals?: unknown;
  agentId?: string;
}

/** OpenClaw's verdict on each command line, in order; one Node 24 process for all of them. */
export function judgeExecCommands(commands: string[], opts: JudgeOptions): ExecVerdict[] {
  const out = execFileSync(join(OPENCLAW_BIN, 'node'), ['--input-type=module', '-e', JUDGE], {
    input: JSON.stringify({ openclaw: OPENCLAW_PACKAGE, commands, cwd: opts.cwd, env: { PATH: opts.path, HOME: opts.home }, approvals: opts.approvals ?? null, agentId: opts.agentId ?? 'main' }),
    env: { HOME: opts.home, OPENCLAW_STATE_DIR: opts.stateDir, PATH: `${OPENCLAW_BIN}:/usr/bin:/bin`, LANG: 'C.UTF-8' },
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const verdicts = JSON.parse(out.trimEnd().split('\n').at(-1)!) as ExecVerdict[];
  if (verdicts.length !== commands.length) throw new Error(`OpenClaw judged ${verdicts.length} of ${commands.length} commands`);
  return verdicts;
}
