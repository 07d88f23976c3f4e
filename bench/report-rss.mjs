// Preloaded into a measured process (NODE_OPTIONS=--import): on exit, write its peak RSS
// (bytes) to $CLAWCTL_BENCH_RSS, so the bench measures the real CLI process.
import { writeFileSync } from 'node:fs';

const out = process.env.CLAWCTL_BENCH_RSS;
if (out) process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS * 1024)));
