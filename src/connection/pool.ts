import type { DesiredHost } from '../desired/desired-state.js';
import { HostUnreachableError, type HostConnection } from './connection.js';
import { openLocal } from './local.js';

/** One connection per host for a whole run: observe opens it, apply reuses it. */
export class ConnectionPool {
  readonly #open = new Map<string, Promise<HostConnection>>();

  get(host: DesiredHost): Promise<HostConnection> {
    let conn = this.#open.get(host.name);
    if (!conn) {
      conn = connect(host);
      this.#open.set(host.name, conn);
      conn.catch(() => this.#open.delete(host.name));
    }
    return conn;
  }

  async closeAll(): Promise<void> {
    const all = [...this.#open.values()];
    this.#open.clear();
    for (const conn of await Promise.allSettled(all)) if (conn.status === 'fulfilled') conn.value.close();
  }
}

async function connect(host: DesiredHost): Promise<HostConnection> {
  const c = host.connection;
  if (c.kind === 'local') {
    return openLocal(host.name, c.home, host.commandTimeoutSeconds).catch((err: NodeJS.ErrnoException) => {
      throw new HostUnreachableError(host.name, `cannot use local home ${c.home}: ${err.code ?? err.message}`);
    });
  }
  if (c.kind === 'ssm') {
    // The AWS SDK is loaded only when a fleet has SSM hosts.
    const { openSsm } = await import('./ssm.js');
    return openSsm({ host: host.name, instanceId: c.instanceId, region: c.region, user: c.user }, host.commandTimeoutSeconds);
  }
  // ssh2 is loaded only when a fleet has SSH hosts: local-only runs start faster.
  const { openSsh } = await import('../ssh/ssh-connection.js');
  return openSsh({ host: host.name, ...c }, host.commandTimeoutSeconds);
}
