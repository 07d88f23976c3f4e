import type { AlertMessage } from './message.js';
import { parseIncidentId } from './incidents.js';
import { networkError, retryAfter, SEND_TIMEOUT_MS, SendError, type Sender } from './sender.js';

export interface AgentHookSettings {
  /** The gateway's base URL and its hooks.path. */
  url: string;
  path: string;
  token: string;
  agentId: string;
}

/**
 * OpenClaw's inbound webhook: POST {path}/agent with the hook token as a Bearer token
 * (docs/automation/cron-jobs/webhooks.md). 200 means the turn was admitted, not that it
 * finished; the message id is the idempotency key, so a retried send never starts a second turn.
 */
export function agentHookSender(s: AgentHookSettings): Sender {
  const endpoint = `${s.url.replace(/\/+$/, '')}${s.path.replace(/\/+$/, '')}/agent`;
  return {
    async send(m: AlertMessage) {
      const body = {
        message: agentPrompt(m),
        name: `clawctl ${m.status === 'firing' ? 'incident' : m.status === 'resolved' ? 'resolved' : 'test'}`,
        agentId: s.agentId,
        deliver: false,
        idempotencyKey: m.id,
      };
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json', 'idempotency-key': m.id },
        body: JSON.stringify(body),
        redirect: 'error',
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      }).catch((err: unknown) => {
        throw networkError(err);
      });
      const text = await res.text().catch(() => '');
      if (res.ok) return;
      // OpenClaw answers {ok: false, error} once past auth; earlier failures may be plain text.
      const error = (/"error"\s*:\s*"([^"]{1,200})"/.exec(text)?.[1] ?? text.trim().split('\n')[0]?.slice(0, 200)) || `HTTP ${res.status}`;
      throw new SendError(`OpenClaw hook ${res.status}: ${error}`, res.status === 429 || res.status === 503 || res.status >= 500, retryAfter(res.headers.get('retry-after')));
    },
  };
}

/**
 * The turn the operator agent gets: the incident, what diagnose saw when it opened, and what
 * it may do about it. Built from the alert message alone, which holds no secret value.
 */
export function agentPrompt(m: AlertMessage): string {
  const out = [m.title, '', `Reason: ${m.reason}`, `Fleet: ${m.fleet}${m.host ? `, host ${m.host}` : ''}; at ${m.at}`];
  if (m.incident) out.push(`Incident: ${m.incident}`);
  if (m.status === 'test') return [...out, '', 'This is a test of the alert receiver: there is nothing to do.'].join('\n');
  if (m.status === 'resolved') return [...out, '', 'The incident resolved. There is nothing to do: clawctl watch comments on its pull request, and closes it when nothing was merged.'].join('\n');
  const agent = m.incident ? parseIncidentId(m.incident)?.agent : undefined;
  if (m.diagnosis) out.push('', `\`clawctl diagnose ${m.diagnosis.agent} --json\` when the incident opened:`, '```json', JSON.stringify(m.diagnosis, null, 2), '```');
  out.push(
    '',
    'You operate this fleet with the clawctl skill. You may read, diagnose and propose; nothing else.',
    agent ? `1. Run \`clawctl diagnose ${agent} --json\` to see its state now.` : '1. Read the fleet: `clawctl status --json`, `clawctl plan --json`.',
    `2. If the cause is a manifest change (diagnose's \`cause.patch\` gives it), propose it as this incident's pull request: \`clawctl propose --incident ${m.incident ?? 'ID'} --title TITLE --set KIND/NAME:PATH=VALUE --body TEXT --json\`. Proposing again updates that pull request.`,
    '3. If it needs a person on the host, say so and stop.',
    'Never run clawctl apply, unlock, secrets or agents restart: people review and merge the pull request, and the apply workflow does the rest.',
  );
  return out.join('\n');
}
