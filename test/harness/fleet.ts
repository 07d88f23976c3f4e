import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { SshHost } from './sshd.js';

export interface AgentDef {
  name: string;
  host: string;
  profile?: string;
  port?: number;
  config?: Record<string, unknown>;
  env?: Record<string, string>;
  labels?: Record<string, string>;
  /** spec.cron, as written. */
  cron?: Record<string, unknown>[];
}

/** Write a fleet directory for SSH test hosts: Fleet, one Host per sshd, the agents. */
export function writeFleet(
  repo: string,
  hosts: SshHost[],
  agents: AgentDef[],
  opts: { identityFile: string; service?: string; fleetSpec?: Record<string, unknown>; hostKeys?: Record<string, string>; hostLabels?: Record<string, Record<string, string>> },
): string {
  const dir = join(repo, 'fleet');
  mkdirSync(dir, { recursive: true });
  const docs: unknown[] = [
    {
      apiVersion: 'clawctl.dev/v1',
      kind: 'Fleet',
      metadata: { name: 'test' },
      spec: { defaults: { config: { gateway: { mode: 'local', bind: 'loopback' } } }, ...opts.fleetSpec },
    },
    ...hosts.map((h) => ({
      apiVersion: 'clawctl.dev/v1',
      kind: 'Host',
      metadata: { name: h.name, ...(opts.hostLabels?.[h.name] ? { labels: opts.hostLabels[h.name] } : {}) },
      spec: {
        ssh: { address: '127.0.0.1', port: h.port, user: h.user, hostKey: opts.hostKeys?.[h.name] ?? h.hostKey, identityFile: opts.identityFile },
        service: opts.service ?? 'none',
      },
    })),
    ...agents.map((a) => ({
      apiVersion: 'clawctl.dev/v1',
      kind: 'Agent',
      metadata: { name: a.name, ...(a.labels ? { labels: a.labels } : {}) },
      spec: {
        host: a.host,
        openclaw: {
          ...(a.profile ? { profile: a.profile } : {}),
          config: { ...(a.port ? { gateway: { port: a.port } } : {}), ...a.config },
        },
        ...(a.env ? { env: a.env } : {}),
        ...(a.cron ? { cron: a.cron } : {}),
      },
    })),
  ];
  writeFileSync(join(dir, 'fleet.yaml'), docs.map((d) => stringify(d)).join('---\n'));
  return dir;
}
