import { createHmac } from 'node:crypto';
import type { WriteContents } from '../diff/write-contents.js';
import type { PlannedAction, WriteDigest } from './plan.js';

/**
 * What apply will write for one agent, as keyed digests (HMAC with the fleet's hash key, so
 * a low-entropy secret cannot be guessed from a plan file): openclaw.json's exact bytes,
 * .env's entries by their keyed hashes, the version, the restart, the cron jobs. A saved plan carries them;
 * apply recomputes them from the inputs it resolves now and refuses any that differ, so a
 * secret rotated after review is never written.
 */
export function writeDigest(actions: readonly PlannedAction[], contents: WriteContents, key: string): WriteDigest {
  const mac = (text: string) => `hmac-sha256:${createHmac('sha256', key).update(text).digest('hex')}`;
  const out: WriteDigest = {};
  for (const a of actions) {
    if (a.type === 'config') out.config = mac(contents.config);
    else if (a.type === 'env') out.env = mac(contents.env);
    else if (a.type === 'version') out.version = mac(`openclaw@${a.to}`);
    else if (a.type === 'restart') out.restart = mac(`restart via ${a.service}`);
    // Which jobs, by OpenClaw's id, become what: a job changed on the host since the plan is not overwritten blind.
    else if (a.type === 'cron') out.cron = mac(JSON.stringify(a.jobs));
  }
  return out;
}

/** Which parts of a reviewed digest no longer match, in words a person can act on. */
export function digestChanges(reviewed: WriteDigest | undefined, now: WriteDigest): string[] {
  const parts: [keyof WriteDigest, string][] = [
    ['config', 'openclaw.json'],
    ['env', '.env (a secret or value changed since the plan was made)'],
    ['version', 'the OpenClaw version'],
    ['restart', 'the restart'],
    ['cron', 'the cron jobs'],
  ];
  return parts.filter(([k]) => reviewed?.[k] !== now[k]).map(([, what]) => what);
}
