import type { AlertMessage } from './message.js';
import { networkError, SEND_TIMEOUT_MS, SendError, type Sender } from './sender.js';

export const TELEGRAM_API = 'https://api.telegram.org';

/** What the Bot API answers: `{ok: true, result}` or `{ok: false, error_code, description, parameters}`. */
interface BotApiAnswer {
  ok?: boolean;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}

/** The Bot API's sendMessage. The token is in the URL's path: no error text ever includes the URL. */
export function telegramSender(opts: { apiBaseUrl: string; botToken: string; chatId: string | number }): Sender {
  const url = `${opts.apiBaseUrl.replace(/\/+$/, '')}/bot${opts.botToken}/sendMessage`;
  return {
    async send(m: AlertMessage) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: opts.chatId, text: m.text, disable_web_page_preview: true }),
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      }).catch((err: unknown) => {
        throw networkError(err);
      });
      const answer = (await res.json().catch(() => ({}))) as BotApiAnswer;
      if (res.ok && answer.ok === true) return;
      const code = answer.error_code ?? res.status;
      const description = typeof answer.description === 'string' ? answer.description : `HTTP ${res.status}`;
      throw new SendError(`Telegram ${code}: ${description}`, code === 429 || code >= 500, answer.parameters?.retry_after);
    },
  };
}
