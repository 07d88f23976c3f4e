import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The fleet repository holding a fleet directory: the nearest parent with a .git, else the
 * fleet directory's parent. clawctl keeps its lock and audit log in <root>/.clawctl/.
 */
export function fleetRepoRoot(fleetDir: string): string {
  let dir = resolve(fleetDir);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const up = dirname(dir);
    if (up === dir) return dirname(resolve(fleetDir));
    dir = up;
  }
}

export function clawctlStateDir(fleetDir: string): string {
  return join(fleetRepoRoot(fleetDir), '.clawctl');
}
