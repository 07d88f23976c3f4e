// The chaos soak (issue #19): `watch --apply --prune` over real sshd hosts while a fault
// injector breaks hosts, the fleet and clawctl itself; invariants checked all along and at the end.
import { execFileSync } from 'node:child_process';
import { type Dirent, lstatSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { startClawctl, type RunningClawctl } from '../../test/harness/cli.js';
import { freePort } from '../../test/harness/sshd.js';
import { exists, killPid, pad, pidsOf, startLab, writeAsUser, type LabAgent, type LabHost } from './lab.js';

export const FAULT_KINDS = ['sshd-restart', 'exec-hang', 'tcp-stall', 'drift', 'disk-full', 'kill-clawctl', 'fleet-change', 'gateway-health'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface SoakOptions {
  minutes: number;
  hosts: number;
  gatewayHosts: number;
  intervalSeconds: number;
  /** How long a lasting fault (a host down, hung, stalled, full; a gateway frozen) holds, in seconds. */
  holdSeconds: [number, number];
  /** Pause between faults, in seconds. */
  gapSeconds: [number, number];
  log(msg: string): void;
}

export interface Fault {
  kind: FaultKind;
  /** What exactly: the host, the agent, the sub-kind of a fleet change. */
  what: string;
  start: number;
  /** When it was lifted (instant faults: when they were made). */
  end: number;
  /** ms from `end` to the first in-sync cycle that started after it, with every gateway's /readyz answering. */
  convergeMs?: number;
  /** The next fault came only after this one had converged. */
  isolated?: boolean;
}

export interface Sample {
  t: number;
  pid: number;
  rssKb: number;
  fds: number;
  clawctlDirBytes: number;
}

export interface Violation {
  invariant: Invariant;
  at: number;
  detail: string;
}

export type Invariant = 'no-partial-file' | 'no-temp-left' | 'convergence' | 'no-stuck-lock' | 'audit' | 'no-secret' | 'bounded-growth' | 'loop-alive' | 'soak';

export interface WatchLine {
  cycle: number;
  trigger: string;
  at: string;
  outcome: string;
  apply?: { status: string; agents: { agent: string; ok: boolean; rolledBack?: boolean }[] };
  error?: { message: string; diagnostics: { message: string; hint?: string }[] };
  /** When the soak read the line: the cycle's end. */
  received: number;
  /** Which watch process (1 = first, then one per restart after a kill). */
  incarnation: number;
}

export interface SoakResult {
  options: Omit<SoakOptions, 'log'>;
  startedAt: Date;
  endedAt: Date;
  agents: number;
  faults: Fault[];
  cycles: WatchLine[];
  samples: Sample[];
  violations: Violation[];
  /** The lock breaks the audit log holds (watch taking over a dead holder's lock, or the soak's `clawctl unlock`). */
  lockBreaks: number;
  /** The watch exiting when the soak did not end it: each is a violation, and the soak starts it again. */
  crashes: { t: number; code: number; signal: string | null; stderr: string }[];
  /** Times the soak, as an operator, ran `clawctl unlock` after the loop reported a stale lock. */
  operatorUnlocks: number;
  /** ms from the last fault's end to the first in-sync cycle after it; undefined: never. */
  finalConvergeMs?: number;
  finalPlanExit: number;
  auditVerifyExit: number;
  auditEntries: number;
  /** State changes seen on the hosts (a file replaced by clawctl) and how many have no audit entry. */
  stateChanges: number;
  unauditedChanges: number;
  /** Of the audited ones, those only apply.start names (their apply was killed before it could say how it ended). */
  startOnlyChanges: number;
  clawctlDirFiles: string[];
  /** Load average at the start and the end. */
  load: [string, string];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const rand = (lo: number, hi: number) => lo + Math.random() * (hi - lo);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
  const loadAvg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const load0 = loadAvg();
  const lab = await startLab({ hosts: opts.hosts, gatewayHosts: opts.gatewayHosts, log: opts.log });
  const startedAt = new Date();
  const violations: Violation[] = [];
  const violate = (invariant: Invariant, detail: string) => {
    if (violations.filter((v) => v.invariant === invariant && v.detail === detail).length > 0) return;
    violations.push({ invariant, at: Date.now(), detail });
    opts.log(`VIOLATION ${invariant}: ${detail}`);
  };
  const faults: Fault[] = [];
  const cycles: WatchLine[] = [];
  const samples: Sample[] = [];
  let operatorUnlocks = 0;
  try {
    // ---- the watch process, restarted after each kill
    let incarnation = 0;
    let watch: RunningClawctl;
    const watchLogs: string[] = [];
    const startWatch = () => {
      incarnation++;
      const mine = incarnation;
      watch = startClawctl(['watch', '--apply', '--prune', '--json', '--interval', String(opts.intervalSeconds), '--concurrency', '20'], { cwd: lab.repo, env: lab.env });
      let buf = '';
      watch.child.stdout.on('data', (b: Buffer) => {
        buf += b.toString();
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (!line.trim()) continue;
          try {
            cycles.push({ ...(JSON.parse(line) as Omit<WatchLine, 'received' | 'incarnation'>), received: Date.now(), incarnation: mine });
          } catch {
            violate('soak', `watch printed a line that is not JSON: ${line.slice(0, 200)}`);
          }
        }
      });
      const w = watch;
      void w.done.then((r) => {
        watchLogs.push(r.stdout, r.stderr);
        // Only the soak ends a watch (SIGKILL, then SIGINT at the end): any other exit is the loop dying.
        if (r.signal === 'SIGKILL' && killing) return;
        if (stopping) return;
        crashes.push({ t: Date.now(), code: r.code, signal: r.signal, stderr: r.stderr.slice(-4000) });
        violate('loop-alive', `watch ${mine} exited by itself (exit ${r.code}${r.signal ? `, ${r.signal}` : ''}): ${r.stderr.trim().split('\n').slice(-6).join(' | ')}`);
        startWatch();
      });
    };
    let killing = false;
    let stopping = false;
    const crashes: { t: number; code: number; signal: string | null; stderr: string }[] = [];
    startWatch();

    // ---- the sampler: files whole, temp files, inodes (state changes), the watch's RSS and fds
    const gatewayAgents = () => [...lab.agents.values()].filter((a) => a.gateway);
    const readyz = async (port: number) => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(3000) })).status === 200;
      } catch {
        return false;
      }
    };
    const inodes = new Map<string, number>();
    const ownEdits = new Set<string>(); // "path:ino" the soak itself wrote
    const changes: { agent: string; file: string; t: number }[] = [];
    const temps = new Map<string, { ino: number; quietSince?: number }>();
    let stopSampling = false;
    const lockFile = join(lab.repo, '.clawctl', 'lock');
    const dirBytes = (dir: string): number => {
      let n = 0;
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        try {
          n += e.isDirectory() ? dirBytes(p) : lstatSync(p).size;
        } catch {
          // gone meanwhile
        }
      }
      return n;
    };
    const installing = () => lab.hosts.some((h) => pidsOf(h.ssh.uid, (c) => c.includes('clawctl-install')).length > 0);
    const checkFiles = () => {
      const quiet = !exists(lockFile) && !installing();
      const seenTemps = new Set<string>();
      for (const a of lab.agents.values()) {
        const dir = lab.stateDir(a);
        let names: string[];
        try {
          names = readdirSync(dir);
        } catch {
          continue; // not made yet, removed, or its host's home is being refilled
        }
        for (const n of names) {
          const p = join(dir, n);
          // The .env backup exists for a rollback only: once its apply ends it would keep rotated-out secrets.
          if (n.startsWith('.clawctl-new.') || n === '.env.clawctl-prev') {
            seenTemps.add(p);
            let ino = 0;
            try {
              ino = statSync(p).ino;
            } catch {
              continue;
            }
            const t = temps.get(p);
            if (!t || t.ino !== ino) temps.set(p, { ino, ...(quiet ? { quietSince: Date.now() } : {}) });
            else if (!quiet) delete t.quietSince;
            else if (t.quietSince === undefined) t.quietSince = Date.now();
            else if (Date.now() - t.quietSince > 5_000) violate('no-temp-left', `${p} stays after its apply ended (no apply ran for more than 5 s)`);
          }
        }
        for (const file of ['openclaw.json', '.env']) {
          const p = join(dir, file);
          let text: string;
          let ino: number;
          try {
            ino = statSync(p).ino;
            text = readFileSync(p, 'utf8');
          } catch {
            continue;
          }
          const whole = file === '.env' ? wholeEnv(text) : wholeConfig(text, a);
          if (whole !== true) violate('no-partial-file', `${p}: ${whole}`);
          const before = inodes.get(p);
          if (before !== undefined && before !== ino && !ownEdits.has(`${p}:${ino}`)) changes.push({ agent: a.name, file, t: Date.now() });
          inodes.set(p, ino);
        }
      }
      for (const p of temps.keys()) if (!seenTemps.has(p)) temps.delete(p);
    };
    const sampleProcess = () => {
      const pid = watch.child.pid;
      if (pid === undefined || watch.child.exitCode !== null) return;
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
        const fds = readdirSync(`/proc/${pid}/fd`).length;
        samples.push({ t: Date.now(), pid, rssKb, fds, clawctlDirBytes: dirBytes(join(lab.repo, '.clawctl')) });
      } catch {
        // it exited meanwhile
      }
    };
    /** No secret in any command line of the hosts' users or of clawctl's processes. */
    const scanCmdlines = () => {
      for (const pid of readdirSync('/proc')) {
        if (!/^\d+$/.test(pid)) continue;
        let cmd: string;
        try {
          cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          continue;
        }
        for (const s of lab.secrets) if (cmd.includes(s)) violate('no-secret', `a secret value is in the command line of pid ${pid}: ${cmd.split('\0')[0]}`);
      }
    };
    /** Every 2 s: whether every real gateway answers /readyz (not awaited: a frozen one takes its timeout). */
    const readiness: { t: number; ready: boolean }[] = [];
    const probeGateways = () => {
      const t = Date.now();
      void Promise.all(gatewayAgents().map((a) => readyz(a.port))).then((r) => readiness.push({ t, ready: r.every(Boolean) }));
    };
    const sampler = (async () => {
      let n = 0;
      while (!stopSampling) {
        try {
          checkFiles();
          if (n % 4 === 0) probeGateways();
          if (n % 4 === 0) sampleProcess();
          if (n % 8 === 0) scanCmdlines();
        } catch (err) {
          violate('soak', `the sampler failed: ${(err as Error).message}`);
        }
        n++;
        await sleep(500);
      }
    })();

    // ---- a stale lock the loop reports: the soak is the operator who runs the one command it names
    const operator = (async () => {
      const handled = new Set<string>();
      while (!stopSampling) {
        await sleep(1000);
        const last = cycles.at(-1);
        if (last?.outcome !== 'error') continue;
        const stale = last.error?.diagnostics.some((d) => d.hint?.includes('the lock is stale; run `clawctl unlock`'));
        if (!stale || handled.has(`${last.incarnation}:${last.cycle}`)) continue;
        const reported = cycles.filter((c) => c.incarnation === last.incarnation && c.error?.diagnostics.some((d) => d.hint?.includes('the lock is stale'))).length;
        if (reported < 2) continue;
        handled.add(`${last.incarnation}:${last.cycle}`);
        opts.log('the loop reports a stale lock twice: running `clawctl unlock`, as it says');
        operatorUnlocks++;
        await lab.run(['unlock']);
      }
    })();

    // ---- faults
    const nonGateway = () => lab.hosts.filter((h) => !h.gateway);
    // OpenClaw's own processes (node running openclaw.mjs, titled openclaw-gateway once up), not
    // the shells clawctl runs that merely name it.
    const isGateway = (cmdline: string) => /^(\S*\/)?(node|openclaw[^\s/]*)(\s|$)/.test(cmdline) && cmdline.includes('gateway');
    let churn = 0;
    const bump = (a: LabAgent) => {
      a.gen++;
      lab.writeAgent(a);
    };
    const inject: Record<FaultKind, () => Promise<string>> = {
      async 'sshd-restart'() {
        const h = pick(lab.hosts);
        await h.ssh.stop();
        await sleep(rand(...opts.holdSeconds) * 1000);
        await h.ssh.start();
        return h.ssh.name;
      },
      async 'exec-hang'() {
        const h = pick(lab.hosts);
        const before = readFileSync(h.authorizedKeys, 'utf8');
        writeFileSync(h.authorizedKeys, `command="sleep 1000" ${lab.client.publicKey}\n`);
        await sleep(rand(...opts.holdSeconds) * 1000);
        writeFileSync(h.authorizedKeys, before);
        for (const pid of pidsOf(h.ssh.uid, (c) => c.startsWith('sleep 1000'))) killPid(pid, 'SIGKILL');
        return h.ssh.name;
      },
      async 'tcp-stall'() {
        const h = pick(lab.hosts);
        h.proxy.stall();
        await sleep(rand(...opts.holdSeconds) * 1000);
        h.proxy.resume();
        return h.ssh.name;
      },
      async drift() {
        const candidates = [...lab.agents.values()].filter((a) => exists(join(lab.stateDir(a), '.env')));
        const a = pick(candidates);
        const host = lab.hostOf(a).ssh;
        const dir = lab.stateDir(a);
        // Where OpenClaw runs, only .env is edited: an unknown config key would be OpenClaw's problem, not drift.
        const file = !lab.hostOf(a).gateway && Math.random() < 0.5 ? 'openclaw.json' : '.env';
        const path = join(dir, file);
        const text = readFileSync(path, 'utf8');
        const edited = file === '.env' ? `${text}HAND_EDIT=${Date.now()}\n` : JSON.stringify({ ...(JSON.parse(text) as object), handEdit: Date.now() }, null, 2);
        writeAsUser(host, path, edited);
        ownEdits.add(`${path}:${statSync(path).ino}`);
        inodes.set(path, statSync(path).ino);
        return `${a.name} ${file}`;
      },
      async 'disk-full'() {
        const h = pick(nonGateway().filter((x) => x.tmpfs));
        const fill = join(h.ssh.home, '.soak-fill');
        try {
          execFileSync('dd', ['if=/dev/zero', `of=${fill}`, 'bs=64k'], { stdio: 'ignore' });
        } catch {
          // ENOSPC: that is the point
        }
        // Something to write there while it is full.
        const agents = [...lab.agents.values()].filter((a) => a.host === h.ssh.name);
        for (const a of agents) bump(a);
        await sleep(rand(...opts.holdSeconds) * 1000);
        execFileSync('rm', ['-f', fill]);
        return h.ssh.name;
      },
      async 'kill-clawctl'() {
        // Something to apply: several agents, so the apply lasts a while.
        const some = [...lab.agents.values()]
          .filter((a) => !a.gateway)
          .sort(() => Math.random() - 0.5)
          .slice(0, 8);
        for (const a of some) bump(a);
        const deadline = Date.now() + 60_000;
        const pid = watch.child.pid!;
        let inApply = false;
        while (Date.now() < deadline) {
          inApply = installing() && exists(lockFile);
          if (inApply) break;
          await sleep(20);
        }
        killing = true;
        watch.child.kill('SIGKILL');
        await watch.done;
        killing = false;
        await sleep(rand(0.5, 3) * 1000);
        startWatch();
        return `pid ${pid}${inApply ? ', mid-apply' : ', no apply seen within 60 s'}`;
      },
      async 'fleet-change'() {
        const sub = pick(['add', 'change', 'remove', 'rotate', 'break-fix'] as const);
        if (sub === 'add' || (sub === 'remove' && ![...lab.agents.values()].some((a) => a.churn))) {
          const h = pick(nonGateway());
          churn++;
          const a: LabAgent = { name: `${h.ssh.name}-c${churn}`, host: h.ssh.name, profile: `c${churn}`, port: await freePort(), gen: 1, gateway: false, churn: true };
          lab.agents.set(a.name, a);
          lab.writeAgent(a);
          return `add ${a.name}`;
        }
        if (sub === 'remove') {
          const a = pick([...lab.agents.values()].filter((x) => x.churn));
          lab.agents.delete(a.name);
          lab.removeAgentFile(a.name);
          return `remove ${a.name}`;
        }
        if (sub === 'change') {
          const a = pick([...lab.agents.values()]);
          bump(a);
          return `change ${a.name}`;
        }
        if (sub === 'rotate') {
          const h = pick(lab.hosts);
          await lab.setSecret(h.ssh.name);
          return `rotate the secret of ${h.ssh.name}`;
        }
        const a = pick([...lab.agents.values()]);
        const file = lab.agentFile(a.name);
        const good = readFileSync(file, 'utf8');
        writeFileSync(file, `${good}  broken: [\n`);
        await sleep(rand(...opts.holdSeconds) * 1000);
        lab.writeAgent(a);
        return `break and fix ${a.name}`;
      },
      async 'gateway-health'() {
        if (Math.random() < 0.5) {
          // During an apply: a .env change restarts the gateway, and the new process is frozen
          // before it is ready, so the health gate fails and the agent must be rolled back.
          const a = pick(gatewayAgents());
          const uid = lab.hostOf(a).ssh.uid;
          const old = new Set(pidsOf(uid, isGateway));
          const cyclesBefore = cycles.length;
          bump(a);
          const frozen = new Set<number>();
          const until = Date.now() + 150_000;
          let firstFrozen = 0;
          // Freeze the restart's new gateway (its processes appear within moments), not the
          // rollback's; thaw once a cycle has reported this apply.
          while (Date.now() < until && !cycles.slice(cyclesBefore).some((c) => c.apply?.agents.some((x) => x.agent === a.name))) {
            if (firstFrozen === 0 || Date.now() - firstFrozen < 3_000) {
              for (const p of pidsOf(uid, isGateway)) {
                if (old.has(p) || frozen.has(p)) continue;
                killPid(p, 'SIGSTOP');
                frozen.add(p);
                firstFrozen ||= Date.now();
              }
            }
            await sleep(50);
          }
          for (const p of frozen) killPid(p, 'SIGCONT');
          const outcome = cycles
            .slice(cyclesBefore)
            .flatMap((c) => c.apply?.agents.filter((x) => x.agent === a.name) ?? [])
            .at(-1);
          return `${a.name}: new gateway frozen during its restart (${frozen.size} process(es)); ${outcome ? (outcome.rolledBack ? 'rolled back' : outcome.ok ? 'applied' : 'failed') : 'no apply seen'}`;
        }
        // Frozen: the port accepts, /readyz never answers. "A few agents": every gateway host's, or one.
        const hosts: LabHost[] = Math.random() < 0.5 ? lab.hosts.filter((h) => h.gateway) : [pick(lab.hosts.filter((h) => h.gateway))];
        const pids = hosts.flatMap((h) => pidsOf(h.ssh.uid, isGateway));
        for (const p of pids) killPid(p, 'SIGSTOP');
        await sleep(rand(...opts.holdSeconds) * 1000);
        for (const p of pids) killPid(p, 'SIGCONT');
        return hosts.map((h) => h.ssh.name).join(',');
      },
    };

    let deadline = Date.now() + opts.minutes * 60_000;
    // Ctrl-C (or SIGTERM) ends the faults early; the checks and the clean-up still run.
    const endEarly = () => {
      deadline = 0;
      opts.log('interrupted: no more faults; checking and cleaning up');
    };
    process.once('SIGINT', endEarly);
    process.once('SIGTERM', endEarly);
    let round: FaultKind[] = [];
    while (Date.now() < deadline) {
      if (round.length === 0) round = [...FAULT_KINDS].sort(() => Math.random() - 0.5);
      const kind = round.shift()!;
      const start = Date.now();
      let what: string;
      try {
        what = await inject[kind]();
      } catch (err) {
        violate('soak', `fault ${kind} could not be made: ${(err as Error).message}`);
        continue;
      }
      faults.push({ kind, what, start, end: Date.now() });
      opts.log(`fault ${faults.length}: ${kind} (${what})`);
      await sleep(rand(...opts.gapSeconds) * 1000);
    }
    process.off('SIGINT', endEarly);
    process.off('SIGTERM', endEarly);
    const lastFaultEnd = Math.max(...faults.map((f) => f.end), startedAt.getTime());
    opts.log('faults over: waiting for the fleet to converge');

    // ---- convergence: an in-sync cycle that started after the last fault; gateways ready
    const inSyncAfter = (t: number) => cycles.find((c) => c.outcome === 'in-sync' && Date.parse(c.at) >= t);
    const convergeWait = Date.now() + Math.max(6, 4) * opts.intervalSeconds * 1000 + 120_000;
    while (Date.now() < convergeWait && !inSyncAfter(lastFaultEnd)) await sleep(500);
    const finalCycle = inSyncAfter(lastFaultEnd);
    const finalConvergeMs = finalCycle ? finalCycle.received - lastFaultEnd : undefined;
    // "Within 2 intervals", counted in the loop's own cycles rather than seconds (a loaded
    // machine stretches a cycle; the interval's ticks coalesce): of the cycles that started
    // after the last fault, the first heals and the second at the latest finds nothing to do.
    const after = cycles.filter((c) => Date.parse(c.at) >= lastFaultEnd);
    if (finalConvergeMs === undefined) violate('convergence', `no in-sync cycle within ${Math.round((convergeWait - lastFaultEnd) / 1000)} s of the last fault`);
    else if (!after.slice(0, 2).some((c) => c.outcome === 'in-sync'))
      violate(
        'convergence',
        `neither of the first two cycles after the last fault was in sync: ${after
          .slice(0, 3)
          .map((c) => `${c.trigger} ${c.outcome}`)
          .join(', ')}`,
      );
    for (const [i, f] of faults.entries()) {
      const c = inSyncAfter(f.end);
      if (!c) continue;
      // Converged: files as the fleet says (an in-sync cycle) and every gateway ready again.
      const ready = readiness.find((x) => x.t >= f.end && x.ready);
      if (!ready) continue;
      f.convergeMs = Math.max(0, Math.max(c.received, ready.t) - f.end);
      f.isolated = (faults[i + 1]?.start ?? Infinity) >= f.end + f.convergeMs;
    }
    for (const a of gatewayAgents()) if (!(await readyz(a.port))) violate('convergence', `gateway of ${a.name} (port ${a.port}) is not ready after the fleet converged`);

    // ---- the end: stop the watch, then check everything once more
    stopSampling = true;
    await sampler;
    await operator;
    stopping = true;
    watch!.child.kill('SIGINT');
    const end = await watch!.done;
    if (end.code !== 0) violate('soak', `the watch exited ${end.code} on SIGINT`);
    for (const c of cycles) {
      if (c.outcome !== 'error') continue;
      const stale = c.error?.diagnostics.some((d) => d.hint?.includes('the lock is stale'));
      const locked = c.error?.message.startsWith('the fleet is locked');
      if (locked && !stale) violate('no-stuck-lock', `cycle ${c.cycle} (watch ${c.incarnation}) found the fleet locked without naming a stale holder: ${c.error!.message}`);
    }
    checkFiles();
    for (const [p] of temps) violate('no-temp-left', `${p} is there after the soak's last apply ended`);
    if (exists(lockFile)) violate('no-stuck-lock', `.clawctl/lock is still there after the watch ended: ${readFileSync(lockFile, 'utf8')}`);

    const plan = await lab.run(['plan', '--detailed-exitcode']);
    if (plan.code !== 0) violate('convergence', `plan after the soak exits ${plan.code}: ${/^Plan: .*$/m.exec(plan.stdout)?.[0] ?? plan.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const status = await lab.run(['status', '--json']);
    try {
      const st = JSON.parse(status.stdout) as { agents: { agent: string; state: string }[] };
      for (const a of gatewayAgents()) {
        const s = st.agents.find((x) => x.agent === a.name);
        if (s?.state !== 'online') violate('convergence', `status says ${a.name} is ${s?.state ?? 'missing'}, not online`);
      }
      for (const s of st.agents) if (s.state === 'unknown') violate('convergence', `status cannot reach ${s.agent}'s host`);
    } catch {
      violate('convergence', `status --json gave no JSON (exit ${status.code}): ${status.stderr.slice(-500)}`);
    }

    // ---- the audit log
    const verify = await lab.run(['audit', 'verify']);
    if (verify.code !== 0) violate('audit', `audit verify exits ${verify.code}: ${verify.stdout}${verify.stderr}`);
    const auditPath = join(lab.repo, '.clawctl', 'audit.jsonl');
    const entries = exists(auditPath)
      ? readFileSync(auditPath, 'utf8')
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l) as { action: string; target: string; time: string; result: string; details?: Record<string, string | number | boolean> })
      : [];
    const applyEntries = entries.filter((e) => e.action === 'apply' && Date.parse(e.time) >= startedAt.getTime()).length;
    const appliedCycles = cycles.filter((c) => c.apply).length;
    if (applyEntries !== appliedCycles) violate('audit', `${appliedCycles} cycles applied something, and the audit log holds ${applyEntries} apply entries since the soak began`);
    // Each file clawctl replaced on a host is covered by an entry for its agent: the apply.start
    // written before it (naming the agent), or the agent.apply written by the end of that apply.
    let unaudited = 0;
    let startOnly = 0;
    const agentEntries = entries.filter((e) => e.action === 'agent.apply').map((e) => ({ agent: e.target, t: Date.parse(e.time) }));
    const startEntries = entries.filter((e) => e.action === 'apply.start').map((e) => ({ agents: new Set(String(e.details?.agents ?? '').split(',')), t: Date.parse(e.time) }));
    for (const ch of changes) {
      const after = agentEntries.some((e) => e.agent === ch.agent && e.t >= ch.t - 2_000 && e.t <= ch.t + 300_000);
      const before = startEntries.some((e) => e.agents.has(ch.agent) && e.t <= ch.t + 1_000 && e.t >= ch.t - 300_000);
      if (!after && !before) unaudited++;
      else if (!after) startOnly++;
    }
    if (unaudited > 0)
      violate('audit', `${unaudited} of ${changes.length} files clawctl replaced on the hosts have no audit entry naming their agent (neither apply.start before nor agent.apply after)`);
    const lockBreaks = entries.filter((e) => e.action === 'lock.break' && Date.parse(e.time) >= startedAt.getTime()).length;

    // ---- no secret anywhere but .env
    const scanned: string[] = [...lab.outputs, ...watchLogs, readFileSync(auditPath, 'utf8')];
    for (const text of scanned) for (const s of lab.secrets) if (text.includes(s)) violate('no-secret', 'a secret value is in a clawctl output or the audit log');
    const scanTree = (dir: string) => {
      let list: Dirent[];
      try {
        list = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of list) {
        const p = join(dir, e.name);
        if (e.isDirectory()) {
          if (e.name === 'node_modules' || p.endsWith('.local/bin')) continue;
          scanTree(p);
          continue;
        }
        if (!e.isFile() || e.name === '.env' || e.name === '.env.clawctl-prev') continue;
        let text: string;
        try {
          if (statSync(p).size > 20_000_000) continue;
          text = readFileSync(p, 'latin1');
        } catch {
          continue;
        }
        for (const s of lab.secrets) if (text.includes(s)) violate('no-secret', `a secret value is in ${p}`);
      }
    };
    scanTree(lab.root);
    for (const h of lab.hosts) scanTree(`/tmp/openclaw-${h.ssh.uid}`);
    for (const n of readdirSync('/tmp')) if (n.startsWith('clawctl-facts.')) scanTree(join('/tmp', n));

    // ---- bounded growth
    const clawctlDirFiles = listFiles(join(lab.repo, '.clawctl'));
    const growth = boundedGrowth(samples);
    for (const g of growth) violate('bounded-growth', g);
    const stray = clawctlDirFiles.filter((f) => /^lock\./.test(f));
    if (stray.length > 0) violate('bounded-growth', `.clawctl/ keeps staged lock files of dead processes: ${stray.join(', ')}`);

    return {
      options: { minutes: opts.minutes, hosts: opts.hosts, gatewayHosts: opts.gatewayHosts, intervalSeconds: opts.intervalSeconds, holdSeconds: opts.holdSeconds, gapSeconds: opts.gapSeconds },
      startedAt,
      endedAt: new Date(),
      agents: lab.agents.size,
      faults,
      cycles,
      samples,
      violations,
      lockBreaks,
      operatorUnlocks,
      crashes,
      ...(finalConvergeMs !== undefined ? { finalConvergeMs } : {}),
      finalPlanExit: plan.code,
      auditVerifyExit: verify.code,
      auditEntries: entries.length,
      stateChanges: changes.length,
      unauditedChanges: unaudited,
      startOnlyChanges: startOnly,
      clawctlDirFiles: clawctlDirFiles.map((f) => `${f} (${statSync(join(lab.repo, '.clawctl', f)).size} B)`),
      load: [load0, loadAvg()],
    };
  } finally {
    await lab.remove();
  }
}

function listFiles(dir: string, prefix = ''): string[] {
  if (!exists(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

/** openclaw.json whole: JSON, and for the soak's own agents a pad that matches its generation. */
function wholeConfig(text: string, a: LabAgent): true | string {
  let parsed: { soak?: { gen: number; pad: string } };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    return `not JSON (${text.length} bytes, ending ${JSON.stringify(text.slice(-30))})`;
  }
  if (a.gateway || !parsed.soak) return true;
  return parsed.soak.pad === pad(parsed.soak.gen) ? true : `generation ${parsed.soak.gen} with a pad of ${parsed.soak.pad.length} characters`;
}

/** .env whole: ends with a newline, every line KEY=value, the soak's pad matching its generation. */
function wholeEnv(text: string): true | string {
  if (text.length === 0) return 'empty';
  if (!text.endsWith('\n')) return `no final newline (${text.length} bytes)`;
  const env = parseDotenv(text);
  if (env.SOAK_GEN === undefined || env.SOAK_PAD === undefined || env.SOAK_AGENT === undefined) return `missing SOAK_* keys (${text.length} bytes)`;
  return env.SOAK_PAD === pad(Number(env.SOAK_GEN)) ? true : `SOAK_GEN ${env.SOAK_GEN} with a pad of ${env.SOAK_PAD.length} characters`;
}

/**
 * Bounded: after a warm-up, the last quarter's peak RSS and fds are no more than the second
 * quarter's by a margin (a leak grows with cycles; a bounded process levels off).
 */
export function boundedGrowth(samples: Sample[]): string[] {
  if (samples.length < 16) return [];
  const q = Math.floor(samples.length / 4);
  const second = samples.slice(q, 2 * q);
  const last = samples.slice(3 * q);
  const peak = (xs: Sample[], f: (s: Sample) => number) => Math.max(...xs.map(f));
  const out: string[] = [];
  const rss2 = peak(second, (s) => s.rssKb);
  const rss4 = peak(last, (s) => s.rssKb);
  if (rss4 > rss2 * 1.5 + 20_000) out.push(`the watch's peak RSS grew from ${Math.round(rss2 / 1024)} MB (second quarter) to ${Math.round(rss4 / 1024)} MB (last quarter)`);
  const fd2 = peak(second, (s) => s.fds);
  const fd4 = peak(last, (s) => s.fds);
  if (fd4 > fd2 + 20) out.push(`the watch's open file descriptors grew from ${fd2} (second quarter) to ${fd4} (last quarter)`);
  return out;
}
