import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** A message the bot sent, as the Bot API stored it. */
export interface SentMessage {
  chatId: string;
  text: string;
}

export interface TelegramServer {
  /** The apiBaseUrl a receiver names, e.g. http://127.0.0.1:PORT. */
  url: string;
  sent: SentMessage[];
  /** Every request's method and path, the token replaced by <token> (so a test can print them). */
  calls: string[];
  /** Answer the next `n` sendMessage calls with 429 Too Many Requests (retry_after seconds) or a 500. */
  failNext(n: number, how: { retryAfter: number } | 'server-error'): void;
  close(): Promise<void>;
}

/**
 * The Telegram Bot API's sendMessage as Telegram answers it: POST /bot<token>/sendMessage with
 * a JSON or form body; `{ok: true, result: Message}` on success; `{ok: false, error_code,
 * description}` with the same HTTP status on failure: 401 Unauthorized for a wrong token, 400
 * "Bad Request: chat not found" for a chat the bot is not in, 400 for an empty text, 429 with
 * `parameters.retry_after` when flooding.
 */
export async function startTelegram(opts: { token: string; chats: string[] }): Promise<TelegramServer> {
  const sent: SentMessage[] = [];
  const calls: string[] = [];
  let failures: { left: number; how: { retryAfter: number } | 'server-error' } = { left: 0, how: 'server-error' };
  let messageId = 100;
  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, code: number, description: string, parameters?: object) => answer(res, code, { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (b: Buffer) => (raw += b.toString()));
    req.on('end', () => {
      const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
      calls.push(`${req.method} ${(req.url ?? '').replace(opts.token, '<token>')}`);
      if (!m) return fail(res, 404, 'Not Found');
      if (m[1] !== opts.token) return fail(res, 401, 'Unauthorized');
      if (m[2] !== 'sendMessage') return fail(res, 404, 'Not Found: method not found');
      const type = req.headers['content-type'] ?? '';
      const params: Record<string, unknown> = type.startsWith('application/json') ? (JSON.parse(raw || '{}') as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(raw));
      if (failures.left > 0) {
        failures.left--;
        if (failures.how === 'server-error') return fail(res, 500, 'Internal Server Error');
        return fail(res, 429, `Too Many Requests: retry after ${failures.how.retryAfter}`, { retry_after: failures.how.retryAfter });
      }
      const chatId = params.chat_id === undefined ? '' : String(params.chat_id);
      if (chatId === '') return fail(res, 400, 'Bad Request: chat_id is empty');
      if (!opts.chats.includes(chatId)) return fail(res, 400, 'Bad Request: chat not found');
      const text = typeof params.text === 'string' ? params.text : '';
      if (text.trim() === '') return fail(res, 400, 'Bad Request: message text is empty');
      if (text.length > 4096) return fail(res, 400, 'Bad Request: message is too long');
      sent.push({ chatId, text });
      answer(res, 200, {
        ok: true,
        result: {
          message_id: ++messageId,
          from: { id: Number(opts.token.split(':')[0]), is_bot: true, first_name: 'clawctl alerts', username: 'clawctl_alerts_bot' },
          chat: { id: Number(chatId), title: 'ops', type: 'supergroup' },
          date: Math.floor(Date.now() / 1000),
          text,
        },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    calls,
    failNext: (n, how) => (failures = { left: n, how }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
