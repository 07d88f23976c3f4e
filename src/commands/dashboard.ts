import { Flags } from '@oclif/core';
import { BaseCommand, fleetFlags } from '../cli/base-command.js';
import { untilInterrupted } from '../cli/interrupt.js';
import { runDashboard } from '../engine/dashboard-run.js';
import { ClawctlError } from '../util/errors.js';

export interface DashboardResult {
  url: string;
  cycles: number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export default class Dashboard extends BaseCommand<DashboardResult> {
  static override summary = 'Serve the web dashboard: fleet, health, drift, audit log and policy violations, kept current; /metrics for Prometheus';
  static override description =
    `Read-only unless --actions, which offers each agent's restart and sync (an apply of that agent alone) behind a typed confirmation. An agent's page shows its health over the last day, its log (redacted, followed) and the audit log's reads of its secrets. /metrics serves each agent's state, readiness, drift and versions, the last applies and the cycle's duration in the Prometheus text format. The fleet is observed at start, on every change under fleet/ and every --interval (as watch does); the page refreshes itself. Binds 127.0.0.1 by default; any other address needs CLAWCTL_DASHBOARD_TOKEN, which every request must then carry (open the printed URL once; it sets a cookie).

Against DNS rebinding, it answers only requests whose Host names it, with its --port: on loopback 127.0.0.1, localhost or [::1]; otherwise the address the request reached (the --host address, or on 0.0.0.0 any address of this machine) or the name given to --host (e.g. --host my-box.tailnet.ts.net to browse by that name). Other names are refused (421): a tunnel or proxy must keep the name and port (ssh -L 8484:127.0.0.1:8484). Refused actions are audited (agent.restart or agent.apply, result refused, with the reason and remote address). Ends on Ctrl-C.`;
  static override examples = [
    '<%= config.bin %> dashboard',
    '<%= config.bin %> dashboard --port 9000 --interval 15',
    'CLAWCTL_DASHBOARD_TOKEN=$(openssl rand -hex 16) <%= config.bin %> dashboard --host 100.64.0.3',
  ];
  static override flags = {
    ...fleetFlags,
    host: Flags.string({ description: 'address or name to listen on; requests must name it (or the address they reached) in their Host', default: '127.0.0.1' }),
    port: Flags.integer({ description: 'port to listen on (0: any free port)', default: 8484, min: 0, max: 65535 }),
    interval: Flags.integer({ description: 'seconds between observations of the fleet', default: 30, min: 1 }),
    actions: Flags.boolean({ description: "offer each agent's restart and sync (apply that agent's plan) behind a typed confirmation (audited, under the fleet lock, health-gated)", default: false }),
  };

  async run(): Promise<DashboardResult> {
    const { flags } = await this.parse(Dashboard);
    const token = process.env.CLAWCTL_DASHBOARD_TOKEN || undefined;
    if (!LOOPBACK.has(flags.host) && !token) {
      throw new ClawctlError(`--host ${flags.host} is reachable beyond this machine; set CLAWCTL_DASHBOARD_TOKEN first`, [
        { message: 'the dashboard shows the whole fleet: off loopback it needs a token', hint: 'CLAWCTL_DASHBOARD_TOKEN=$(openssl rand -hex 16) clawctl dashboard --host …' },
      ]);
    }
    return untilInterrupted((signal) =>
      runDashboard({
        plan: this.planOptions(flags),
        auditMode: flags.audit,
        host: flags.host,
        port: flags.port,
        ...(token ? { token } : {}),
        intervalSeconds: flags.interval,
        actions: flags.actions,
        ...(process.env.CLAWCTL_CLOUDWATCH_NAMESPACE ? { cloudwatchNamespace: process.env.CLAWCTL_CLOUDWATCH_NAMESPACE } : {}),
        signal,
        onReady: (url) => process.stderr.write(`Dashboard: ${url}${token ? '?token=…  (the value of CLAWCTL_DASHBOARD_TOKEN)' : ''}\n`),
        onSnapshot: (s) => process.stderr.write(`[${s.observedAt}] observed ${s.agents.length} agent(s)${s.error ? `: ${s.error.message}` : ''}\n`),
        onWarning: (message) => process.stderr.write(`Warning: ${message}\n`),
      }),
    );
  }
}
