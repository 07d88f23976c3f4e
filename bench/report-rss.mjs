// Preloaded into a measured process (NODE_OPTIONS=--import): on exit, write its peak RSS
// (bytes) and its own CPU time (user + sys, µs; not its children's) to $CLAWCTL_BENCH_RSS as
// JSON, so the bench measures the real CLI process.
import { writeFileSync } from 'node:fs';

const out = process.env.CLAWCTL_BENCH_RSS;
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ rss: u.maxRSS * 1024, cpuUs: u.userCPUTime + u.systemCPUTime }));
  });
}
