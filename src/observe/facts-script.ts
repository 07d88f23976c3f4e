import { hostScript } from '../openclaw/host-script.js';
import { serviceUnitName } from '../openclaw/paths.js';
import type { ServiceKind } from '../validate/manifests.js';

/** What the facts script needs to know of each agent on a host. */
export interface AgentProbe {
  stateDir: string;
  port: number;
  profile?: string;
  /** The agent's declared cron jobs: when it has any, OpenClaw's jobs in its state are read too. */
  cron?: readonly unknown[];
  /** Read the agent's spend from its running gateway (openclaw gateway usage-cost). */
  cost?: boolean;
}

/** host-scripts/facts.sh and the fragment it needs: real shell files, read once, run as `sh -c SCRIPT` with argv. */
export const FACTS_SCRIPT = hostScript('openclaw-package.sh', 'facts.sh');

/**
 * The argv for one host. Each agent travels as one word "stateDir port unit [cron] [cost]": all are
 * validated names and numbers, so word splitting inside the script is safe. `marker` names the
 * fleet's observation key (see observer-gate.ts), or is `-` when the fleet has none.
 */
export function factsArgv(service: ServiceKind, marker: string, agents: readonly AgentProbe[]): string[] {
  return [
    'sh',
    '-c',
    FACTS_SCRIPT,
    'clawctl-facts',
    service,
    marker,
    ...agents.map((a) => `${a.stateDir} ${a.port} ${serviceUnitName(a.profile)}${a.cron?.length ? ' cron' : ''}${a.cost ? ' cost' : ''}`),
  ];
}
