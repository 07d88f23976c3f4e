import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // e2e files start sshd hosts and gateways; two cores, so keep the files few at a time.
    maxWorkers: 2,
    // clawctl's cache (OpenClaw toolchains, config verdicts) and state (audit heads) for every test and every clawctl it runs.
    env: { XDG_CACHE_HOME: fileURLToPath(new URL('./.cache/xdg', import.meta.url)), XDG_STATE_HOME: fileURLToPath(new URL('./.cache/xdg-state', import.meta.url)) },
    globalSetup: ['test/setup/openclaw-toolchain.ts'],
  },
});
