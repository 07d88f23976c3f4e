import { Command, Flags, type Interfaces } from '@oclif/core';
import type { PlanOptions, Scope } from '../engine/fleet-run.js';
import { auditLog } from '../audit/audit-log.js';
import type { EngineHooks } from '../events/hooks.js';
import { ClawctlError, type ExitCode, formatDiagnostic, type Diagnostic } from '../util/errors.js';
import { progressHooks } from './progress.js';
import { parseShard } from '../engine/shard.js';

/** What every command prints on stdout under --json when it fails. */
export interface ErrorOutput {
  error: { message: string; exitCode: number; diagnostics: Diagnostic[] };
}

/** Flags every fleet command takes (README, Commands: common flags). */
export const fleetFlags = {
  fleet: Flags.directory({ description: 'fleet directory', default: './fleet', helpGroup: 'FLEET' }),
  selector: Flags.string({ char: 'l', description: 'only agents with this label (key=value); repeatable', multiple: true, helpGroup: 'FLEET' }),
  target: Flags.string({ description: 'only this agent, or the agents of this host; repeatable', multiple: true, helpGroup: 'FLEET' }),
  shard: Flags.string({
    description: 'only this deterministic share of the hosts, I/N (1-based), for a CI matrix: a host is always in the same shard; validation and policy still see the whole fleet',
    helpGroup: 'FLEET',
  }),
  concurrency: Flags.integer({ description: 'hosts worked on at once', default: 32, min: 1, helpGroup: 'FLEET' }),
  audit: Flags.option({
    options: ['file', 'git'] as const,
    default: 'file' as const,
    description: "where audit entries go: .clawctl/audit.jsonl, or commits on the clawctl/audit branch of the fleet repo's origin (CI)",
    helpGroup: 'FLEET',
  })(),
};

/** Commands that judge configs with OpenClaw's own check: validate, plan, apply, watch. */
export const checkFlags = {
  'require-openclaw-check': Flags.boolean({
    description: "fail when OpenClaw's own config check could not run (no pinned version reachable or cached), instead of reporting it as not run",
    helpGroup: 'FLEET',
  }),
};

export type FleetFlags = Interfaces.InferredFlags<typeof fleetFlags>;

/**
 * Commands are thin: parse flags, call the engine, render. `--json` puts the typed result
 * of run() on stdout and everything human on stderr.
 */
export abstract class BaseCommand<T> extends Command {
  static override enableJsonFlag = true;

  /**
   * Human output, on stdout; nothing under --json, where stdout holds the document alone and
   * stderr only warnings, errors and progress (as gh, Terraform and the Salesforce CLI do).
   */
  protected say(text: string): void {
    if (!this.jsonEnabled()) process.stdout.write(`${text}\n`);
  }

  /** A warning: on stderr, with or without --json. */
  protected warnLine(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  protected hooks(): EngineHooks {
    return progressHooks(process.stderr);
  }

  /** What plan, apply, status and agents need from the common flags. */
  protected planOptions(flags: Pick<FleetFlags, 'fleet' | 'selector' | 'target' | 'concurrency' | 'audit'> & { shard?: string | undefined } & { 'require-openclaw-check'?: boolean }): PlanOptions {
    return {
      fleetDir: flags.fleet,
      scope: this.scope(flags),
      concurrency: flags.concurrency,
      hooks: this.hooks(),
      clawctlVersion: this.config.version,
      audit: auditLog(flags.fleet, flags.audit),
      approvals: [],
      prune: true,
      purpose: (this.id ?? 'clawctl').replace(/:/g, ' '),
      decrypt: false,
      openclawCheck: { enforce: true, require: flags['require-openclaw-check'] ?? false },
    };
  }

  protected scope(flags: Pick<FleetFlags, 'selector' | 'target'> & { shard?: string | undefined }): Scope {
    const selector: Record<string, string> = {};
    for (const s of flags.selector ?? []) {
      const eq = s.indexOf('=');
      if (eq <= 0) throw new ClawctlError(`--selector ${s}: expected key=value`, [{ message: `--selector takes key=value, got "${s}"`, hint: 'e.g. -l env=prod' }]);
      selector[s.slice(0, eq)] = s.slice(eq + 1);
    }
    return { targets: flags.target ?? [], selector, ...(flags.shard ? { shard: parseShard(flags.shard) } : {}) };
  }

  abstract override run(): Promise<T>;

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<void> {
    if (!(err instanceof ClawctlError)) return super.catch(err);
    for (const d of err.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    process.stderr.write(`Error: ${err.message}\n`);
    if (this.jsonEnabled()) {
      const output: ErrorOutput = { error: { message: err.message, exitCode: err.exitCode, diagnostics: err.diagnostics } };
      process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    }
    process.exitCode = err.exitCode;
  }

  protected setExit(code: ExitCode): void {
    process.exitCode = code;
  }
}
