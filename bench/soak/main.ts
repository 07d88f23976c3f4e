// `npm run soak`: the chaos soak of issue #19. Writes bench/SOAK.md (or --out FILE) and exits 1
// when an invariant was violated. --minutes N (default 20; CLAWCTL_SOAK_MINUTES too), --interval S.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lab.js';
import { renderSoak } from './report.js';
import { runSoak } from './soak.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const minutes = Number(arg('--minutes') ?? process.env.CLAWCTL_SOAK_MINUTES ?? 20);
const short = minutes < 5;
const interval = Number(arg('--interval') ?? (short ? 10 : 20));
const out = arg('--out') ?? join(ROOT, 'bench', 'SOAK.md');
const notes = arg('--note') ? [arg('--note')!] : [];

const result = await runSoak({
  minutes,
  hosts: Number(arg('--hosts') ?? 20),
  gatewayHosts: Number(arg('--gateways') ?? 2),
  intervalSeconds: interval,
  holdSeconds: short ? [3, 8] : [5, 25],
  gapSeconds: short ? [1, 4] : [5, 2 * interval],
  log: (m) => process.stderr.write(`soak +${Math.round(process.uptime())}s: ${m}\n`),
});
// The command as a reader would type it: where the files went is not part of it.
const shown = process.argv.slice(2).filter((a, i, all) => !['--out', '--dump', '--note'].includes(a) && !['--out', '--dump', '--note'].includes(all[i - 1] ?? ''));
const command = shown.length ? `npm run soak -- ${shown.join(' ')}` : 'npm run soak';
writeFileSync(out, renderSoak(result, command, notes));
// --dump FILE: every cycle, sample and fault as JSON, to look into a run (not committed).
if (arg('--dump')) writeFileSync(arg('--dump')!, JSON.stringify(result, null, 1));
process.stderr.write(`soak: wrote ${out}; ${result.violations.length} violation(s)\n`);
process.exit(result.violations.length > 0 ? 1 : 0);
