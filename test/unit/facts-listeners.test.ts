import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factsArgv } from '../../src/observe/facts-script.js';

/**
 * The facts script probes a gateway only where its port has a listener, found by `ss` or, on a
 * host without a working one, from /proc/net/tcp: both must find the same listener, and neither
 * may probe a closed port. Run here by this machine's sh, as a host runs it.
 */
describe('facts script: which ports it probes', () => {
  let server: Server;
  let open: number;
  let closed: number;
  let home: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'clawctl-facts-'));
    const listen = () =>
      new Promise<Server>((resolve) => {
        const s = createServer((_, res) => res.end('{}')); // answers at once: curl does not wait out its deadline
        s.listen(0, '127.0.0.1', () => resolve(s));
      });
    server = await listen();
    open = (server.address() as { port: number }).port;
    const other = await listen();
    closed = (other.address() as { port: number }).port;
    await new Promise((resolve) => other.close(resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(home, { recursive: true, force: true });
  });

  const probed = async (): Promise<string[]> => {
    const [cmd, ...args] = factsArgv('none', '-', [
      { stateDir: '.openclaw', port: open },
      { stateDir: '.openclaw-b', port: closed, profile: 'b' },
    ]);
    // Not execFileSync: the server answering curl lives in this process.
    const { stdout: out } = await promisify(execFile)(cmd!, args, { env: { ...process.env, HOME: home }, encoding: 'utf8' });
    return out
      .split('\n')
      .filter((l) => l.startsWith('http ') || l === 'nocurl')
      .map((l) => (l === 'nocurl' ? l : l.replace(/^http \S+ \S+ /, '')));
  };

  it.each([
    ['ss', false],
    ['/proc/net/tcp, where ss fails', true],
  ])('with %s: probes the open port only', async (_, brokenSs) => {
    const bin = join(home, '.local', 'bin');
    rmSync(bin, { recursive: true, force: true });
    if (brokenSs) {
      // The script puts ~/.local/bin first on its PATH: an ss there that fails, as one without netlink does.
      mkdirSync(bin, { recursive: true });
      writeFileSync(join(bin, 'ss'), '#!/bin/sh\nexit 1\n');
      chmodSync(join(bin, 'ss'), 0o755);
    }
    const lines = await probed();
    if (lines.includes('nocurl')) expect(lines).toEqual(['nocurl']);
    else expect(lines).toEqual([`http://127.0.0.1:${open}/readyz`, `http://127.0.0.1:${open}/startupz`]);
  });
});
