import { describe, expect, it } from 'vitest';
import { parseBackupLines } from '../../src/backups/backups-run.js';

describe('backups on a host, as its list script prints them', () => {
  const agents = new Map([
    ['.openclaw', 'main'],
    ['.openclaw-ops', 'ops'],
  ]);
  it('names each agent’s backups with the version that made them, and ignores anything else', () => {
    const stdout = [
      'backup .openclaw 2026.9.5 2026-12-01T21-31-18.233+00-00-openclaw-backup.tar.gz 4096',
      'backup .openclaw-ops 2026.9.6 2026-12-01T22-00-00.000+00-00-openclaw-backup.tar.gz 1024',
      'backup .openclaw-other 2026.9.6 2026-12-01T22-00-00.000+00-00-openclaw-backup.tar.gz 1024',
      'backup .openclaw 2026.9.6 ../../etc/passwd 1',
      'backup .openclaw 2026.9.6 x-openclaw-backup.tar.gz notanumber',
      'junk',
    ].join('\n');
    expect(parseBackupLines(stdout, 'h1', agents)).toEqual([
      { agent: 'main', host: 'h1', version: '2026.9.5', id: '2026-12-01T21-31-18.233+00-00-openclaw-backup.tar.gz', bytes: 4096 },
      { agent: 'ops', host: 'h1', version: '2026.9.6', id: '2026-12-01T22-00-00.000+00-00-openclaw-backup.tar.gz', bytes: 1024 },
    ]);
  });
});
