import { cpus, totalmem } from 'node:os';
import { FAULT_KINDS, type SoakResult } from './soak.js';

const s = (ms: number | undefined) => (ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`);
const median = (xs: number[]) => {
  if (xs.length === 0) return undefined;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

export const INVARIANTS: { key: string; text: string }[] = [
  { key: 'no-partial-file', text: 'No partial file: every openclaw.json and .env, read every 0.5 s on every host, is whole (JSON / KEY=value lines ending in a newline, its generation pad intact)' },
  { key: 'no-temp-left', text: 'No temp file left: no `.clawctl-new.*` and no `.env.clawctl-prev` (old secrets) stays more than 5 s while no apply runs, and none at the end' },
  {
    key: 'convergence',
    text: 'Convergence: of the cycles that start after the last fault, the first or the second (2 intervals) is in sync; then `plan --detailed-exitcode` exits 0, `status` reaches every host and every real gateway is online',
  },
  { key: 'no-stuck-lock', text: 'No stuck lock: a cycle that finds the fleet locked names a stale holder and the one command that clears it (or watch takes the lock over); no lock left at the end' },
  {
    key: 'audit',
    text: 'Audit log holds: `audit verify` exits 0; one `apply` entry per cycle that applied; every file clawctl replaced on a host is named by an audit entry (the `apply.start` before it or the `agent.apply` after it)',
  },
  {
    key: 'no-secret',
    text: 'No secret anywhere: no secret value in any clawctl output, the audit log, any file under the lab (hosts, repo, .clawctl) but `.env`, any command line, or the gateways’ logs',
  },
  { key: 'bounded-growth', text: "Bounded growth: the watch's peak RSS and fds in the last quarter are within a margin of the second quarter's; no stray files in .clawctl/" },
  { key: 'loop-alive', text: 'The loop stays up: the watch never exits unless the soak ends it (a crash is counted and the watch started again)' },
  { key: 'soak', text: 'The soak itself ran as designed (every fault could be made, every watch line was JSON, watch ended with 0 on SIGINT)' },
];

/** How fast .clawctl/ grew between the first and the last sample, in kB per hour. */
function growthPerHour(r: SoakResult): string {
  const first = r.samples[0];
  const last = r.samples.at(-1);
  if (!first || !last || last.t <= first.t) return 'an unmeasured amount';
  return `${Math.round(((last.clawctlDirBytes - first.clawctlDirBytes) / 1024 / (last.t - first.t)) * 3_600_000)} kB`;
}

/** bench/SOAK.md: the machine, the date, the command, the figures, and which invariants held. */
export function renderSoak(r: SoakResult, command: string, notes: string[]): string {
  const byKind = FAULT_KINDS.map((k) => {
    const fs = r.faults.filter((f) => f.kind === k);
    const conv = fs.flatMap((f) => (f.convergeMs === undefined ? [] : [f.convergeMs]));
    return `| ${k} | ${fs.length} | ${s(median(conv))} | ${s(conv.length ? Math.max(...conv) : undefined)} | ${fs.length - conv.length} |`;
  });
  const all = r.faults.flatMap((f) => (f.convergeMs === undefined ? [] : [f.convergeMs]));
  const isolated = r.faults.flatMap((f) => (f.convergeMs === undefined || !f.isolated ? [] : [f.convergeMs]));
  const applies = r.cycles.filter((c) => c.apply).length;
  const rollbacks = r.cycles.reduce((n, c) => n + (c.apply?.agents.filter((a) => a.rolledBack).length ?? 0), 0);
  const outcomes = new Map<string, number>();
  for (const c of r.cycles) outcomes.set(c.outcome, (outcomes.get(c.outcome) ?? 0) + 1);
  const peakRss = Math.max(0, ...r.samples.map((x) => x.rssKb));
  const t0 = r.startedAt.getTime();
  // RSS, fds and .clawctl/ over time: the peak of each minute.
  const minutes = new Map<number, { rss: number; fds: number; dir: number; pids: Set<number> }>();
  for (const x of r.samples) {
    const m = Math.floor((x.t - t0) / 60_000);
    const cur = minutes.get(m) ?? { rss: 0, fds: 0, dir: 0, pids: new Set<number>() };
    cur.rss = Math.max(cur.rss, x.rssKb);
    cur.fds = Math.max(cur.fds, x.fds);
    cur.dir = Math.max(cur.dir, x.clawctlDirBytes);
    cur.pids.add(x.pid);
    minutes.set(m, cur);
  }
  const overTime = [...minutes.entries()].map(([m, v]) => `| ${m}–${m + 1} | ${Math.round(v.rss / 1024)} MB | ${v.fds} | ${Math.round(v.dir / 1024)} kB | ${v.pids.size} |`);
  const held = INVARIANTS.map((inv) => {
    const vs = r.violations.filter((v) => v.invariant === inv.key);
    return `| ${inv.text} | ${vs.length === 0 ? 'held' : `**violated** (${vs.length})`} |`;
  });
  // Every violation of a kind up to 6, then how many more: one bug often shows on many files.
  const violations = INVARIANTS.flatMap((inv) => {
    const vs = r.violations.filter((v) => v.invariant === inv.key);
    const shown = vs.slice(0, 6).map((v) => `- \`${v.invariant}\` at +${Math.round((v.at - t0) / 1000)} s: ${v.detail.replace(/\n/g, ' ').replace(/\/tmp\/clawctl-soak-[^/]+\//g, '')}`);
    return vs.length > 6 ? [...shown, `- … and ${vs.length - 6} more \`${inv.key}\``] : shown;
  });
  return `# clawctl chaos soak

Written by \`${command}\` on ${r.startedAt.toISOString().slice(0, 10)}: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}, ${Math.round(totalmem() / 1024 / 1024)} MB RAM, Node ${process.version}.
Load average ${r.load[0]} at the start and ${r.load[1]} at the end${notes.length ? `; ${notes.join('; ')}` : ''}.

\`clawctl watch --apply --prune --interval ${r.options.intervalSeconds}\` ran for ${r.options.minutes} minutes of faults (${s(r.endedAt.getTime() - t0)} in all, convergence and checks included)
against ${r.options.hosts} real sshd hosts (each behind a TCP proxy that can stall it; ${r.options.hosts - r.options.gatewayHosts} with a 16 MB tmpfs home, service \`none\`)
and ${r.options.gatewayHosts} hosts running a real OpenClaw gateway (service \`process\`): ${r.agents} agents at the end, each \`.env\`
holding a SOPS secret. Faults came one after another in shuffled rounds of every kind, each lasting
${r.options.holdSeconds[0]}–${r.options.holdSeconds[1]} s when it lasts, with ${r.options.gapSeconds[0]}–${r.options.gapSeconds[1]} s between them.

## Invariants

| invariant | result |
| --- | --- |
${held.join('\n')}

${violations.length ? `Violations:\n\n${violations.join('\n')}\n` : 'No violation.\n'}
## Figures

| figure | value |
| --- | --- |
| faults injected | ${r.faults.length} |
| watch cycles | ${r.cycles.length} (${[...outcomes.entries()].map(([k, v]) => `${k} ${v}`).join(', ')}) |
| watch processes (1 + restarts after SIGKILL) | ${new Set(r.cycles.map((c) => c.incarnation)).size} |
| applies (cycles that applied something) | ${applies} |
| rollbacks (agents rolled back) | ${rollbacks} |
| time to converge after a fault, median / worst (all ${all.length} that converged) | ${s(median(all))} / ${s(all.length ? Math.max(...all) : undefined)} |
| the same, only the ${isolated.length} faults the next one did not interrupt | ${s(median(isolated))} / ${s(isolated.length ? Math.max(...isolated) : undefined)} |
| time to converge after the last fault | ${s(r.finalConvergeMs)} (the limit is in cycles: the second cycle after it must be in sync) |
| peak RSS of the watch | ${Math.round(peakRss / 1024)} MB |
| lock breaks audited / \`clawctl unlock\` run by the soak as operator | ${r.lockBreaks} / ${r.operatorUnlocks} |
| audit entries / files clawctl replaced on hosts (seen by inode) / of them named only by a killed apply's \`apply.start\` / unaudited | ${r.auditEntries} / ${r.stateChanges} / ${r.startOnlyChanges} / ${r.unauditedChanges} |
| \`plan --detailed-exitcode\` after the soak | exit ${r.finalPlanExit} |
| \`audit verify\` after the soak | exit ${r.auditVerifyExit} |

Time to converge is from the moment a fault was lifted (an instant one: made) to the end of the
first cycle that started after it and found nothing to change on a reachable fleet, with every
real gateway answering \`/readyz\` (probed every 2 s); a fault followed by the next before the
fleet converged counts until that cycle too, which is why the uninterrupted ones are shown apart.

| fault | injected | converge median | worst | never converged by the end |
| --- | --- | --- | --- | --- |
${byKind.join('\n')}

## The watch process over time

Peak per minute (a new pid after each SIGKILL and restart).

| minute | RSS | open fds | .clawctl/ | watch pids |
| --- | --- | --- | --- | --- |
${overTime.join('\n')}

.clawctl/ at the end: ${r.clawctlDirFiles.join(', ') || 'empty'}; it grew by ${growthPerHour(r)} per hour of soak.
Two files grow, both bounded by design rather than by time: the audit log by its entries (one
per state change, kept for good, as an audit log must be), and the health history
(\`state/health/DAY.jsonl\`, one line per agent per cycle, day files deleted after
\`CLAWCTL_HEALTH_RETENTION_DAYS\`, 14 by default). Nothing else accumulates (no stray lock or temp files).

## Faults, in order

| # | at | kind | what | converged after |
| --- | --- | --- | --- | --- |
${r.faults.map((f, i) => `| ${i + 1} | +${Math.round((f.start - t0) / 1000)} s | ${f.kind} | ${f.what} | ${s(f.convergeMs)} |`).join('\n')}
`;
}
