import type { EngineEvent, EngineHooks } from '../events/hooks.js';

/**
 * The progress view: one line per finished step on a TTY, silence in CI and pipes (where
 * the final report says it all). Failures are always shown.
 */
export function progressHooks(stream: NodeJS.WriteStream): EngineHooks {
  const interactive = Boolean(stream.isTTY) && !process.env.CI;
  return {
    emit(event: EngineEvent) {
      const line = describe(event);
      if (!line) return;
      if (interactive || line.failed) stream.write(`${line.text}\n`);
    },
  };
}

function describe(e: EngineEvent): { text: string; failed: boolean } | undefined {
  switch (e.type) {
    case 'openclaw-fetch':
      return { text: `  fetching OpenClaw ${e.version} once, for its own config check, into ${e.dir}`, failed: false };
    case 'openclaw-bundle':
      return { text: `  making the OpenClaw ${e.version} bundle for linux-${e.arch} once (npm, then packed); hosts get it over their own connection`, failed: false };
    case 'host-observed':
      return e.ok ? { text: `  observed ${e.host}`, failed: false } : undefined; // the plan reports unreachable hosts
    case 'wave-soak':
      return { text: `  wave ${e.wave}: its agents must stay ready for ${e.seconds} s (${e.agents.join(', ') || 'none started'})`, failed: false };
    case 'host-action-done':
      return { text: `  host ${e.host}: ${e.action} ${e.ok ? 'done' : `FAILED${e.detail ? `: ${e.detail}` : ''}`}`, failed: !e.ok };
    case 'action-done':
      return { text: `  ${e.agent}: ${e.action} ${e.ok ? 'done' : `FAILED${e.detail ? `: ${e.detail}` : ''}`}`, failed: !e.ok };
    case 'agent-health-wait':
      return { text: `  ${e.agent}: waiting up to ${e.timeoutSeconds}s for the gateway to be ready`, failed: false };
    case 'agent-applied':
      return e.ok ? { text: `  ${e.agent}: applied`, failed: false } : { text: `  ${e.agent}: failed${e.rolledBack ? ', rolled back' : ''}`, failed: true };
    default:
      return undefined;
  }
}
