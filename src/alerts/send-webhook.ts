import type { AlertMessage } from './message.js';
import { networkError, retryAfter, SEND_TIMEOUT_MS, SendError, type Sender } from './sender.js';

/**
 * A JSON POST: `text` (what Slack, Mattermost and Discord's /slack endpoint show) beside the
 * message's fields for anything else that reads it. Any 2xx is delivered.
 */
export function webhookSender(url: string): Sender {
  return {
    async send(m: AlertMessage) {
      const body = {
        text: m.text,
        status: m.status,
        event: m.event,
        subject: m.subject,
        ...(m.host ? { host: m.host } : {}),
        fleet: m.fleet,
        reason: m.reason,
        at: m.at,
        ...(m.openedAt ? { openedAt: m.openedAt } : {}),
        id: m.id,
      };
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        redirect: 'error',
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      }).catch((err: unknown) => {
        throw networkError(err);
      });
      await res.body?.cancel();
      if (res.ok) return;
      throw new SendError(`HTTP ${res.status}`, res.status === 429 || res.status >= 500, retryAfter(res.headers.get('retry-after')));
    },
  };
}
