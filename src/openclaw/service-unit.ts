import type { DesiredAgent, DesiredHost } from '../desired/desired-state.js';
import { serviceUnitName } from './paths.js';

/** Where a gateway's unit lives: the user's own units, or the system's for `service: systemd`. */
export function unitPath(service: 'systemd-user' | 'systemd', unit: string): string {
  return service === 'systemd-user' ? `.config/systemd/user/${unit}` : `/etc/systemd/system/${unit}`;
}

/** The unit's text needs the home and user only for a system unit; a user unit says %h. */
export interface UnitAccount {
  user: string;
  home: string;
}

/**
 * One agent's gateway as a systemd unit, with the service policy OpenClaw's own `gateway
 * install` writes (restart always, but not on exit 78, a bad config; a bounded start; stop
 * with SIGTERM to the main process first). It runs the stable ~/.local/bin/openclaw, so a
 * version switch needs no new unit, only a restart. Pure: the same inputs, the same bytes.
 */
export function gatewayUnit(agent: Pick<DesiredAgent, 'name' | 'profile' | 'port'>, host: Pick<DesiredHost, 'service'>, account?: UnitAccount): string {
  const system = host.service === 'systemd';
  const home = system ? account!.home : '%h';
  const profile = agent.profile ? ` --profile ${agent.profile}` : '';
  return [
    `# Written by clawctl (its agent ${agent.name}); changes here are overwritten by the next apply.`,
    '[Unit]',
    `Description=OpenClaw gateway of clawctl agent ${agent.name}`,
    'After=network-online.target',
    'Wants=network-online.target',
    'StartLimitBurst=10',
    'StartLimitIntervalSec=300',
    '',
    '[Service]',
    ...(system ? [`User=${account!.user}`] : []),
    `Environment=HOME=${home}`,
    `Environment=PATH=${home}/.local/bin:/usr/local/bin:/usr/bin:/bin`,
    `WorkingDirectory=${home}`,
    `ExecStart=${home}/.local/bin/openclaw${profile} gateway run --port ${agent.port}`,
    'Restart=always',
    'RestartSec=5',
    'RestartPreventExitStatus=78',
    'TimeoutStartSec=30',
    'TimeoutStopSec=330',
    'SuccessExitStatus=0 143',
    'KillMode=mixed',
    '',
    '[Install]',
    `WantedBy=${system ? 'multi-user.target' : 'default.target'}`,
    '',
  ].join('\n');
}

/** The unit name of an agent, as OpenClaw names its own. */
export const agentUnit = (agent: Pick<DesiredAgent, 'profile'>) => serviceUnitName(agent.profile);
