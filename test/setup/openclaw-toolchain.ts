import { fileURLToPath } from 'node:url';
import { ensureToolchain } from '../../src/openclaw/toolchain.js';

/** The OpenClaw version the tests pin; its own config check judges every rendered config. */
export const PINNED_OPENCLAW = '2026.9.6';

/** clawctl's cache for the whole run (XDG_CACHE_HOME, set in vitest.config.ts), kept under .cache/ between runs. */
export const TEST_CACHE_HOME = fileURLToPath(new URL('../../.cache/xdg', import.meta.url));

/**
 * Vitest global setup: fetch the pinned OpenClaw into clawctl's cache once, the way a user's
 * first `clawctl validate` does, before test files run it in parallel. On a clean machine
 * this is the real fetch from the npm registry.
 */
export default async function setup(): Promise<void> {
  process.env.XDG_CACHE_HOME = TEST_CACHE_HOME;
  const result = await ensureToolchain(PINNED_OPENCLAW);
  if (!result.ok) throw new Error(`tests need OpenClaw ${PINNED_OPENCLAW} in clawctl's cache: ${result.reason}`);
}
