import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface WebhookServer {
  url: string;
  /** Each JSON body POSTed, in order. */
  received: Record<string, unknown>[];
  /** Answer the next `n` POSTs with this HTTP status (500, 503, 429…) instead of taking them. */
  failNext(n: number, status: number): void;
  close(): Promise<void>;
}

/** An incoming webhook as Slack's behaves: a JSON POST with a `text` field, answered 200 `ok`; 400 `invalid_payload` without one. */
export async function startWebhook(): Promise<WebhookServer> {
  const received: Record<string, unknown>[] = [];
  let failures = { left: 0, status: 500 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (b: Buffer) => (raw += b.toString()));
    req.on('end', () => {
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      if (failures.left > 0) {
        failures.left--;
        res.writeHead(failures.status, { 'content-type': 'text/plain' }).end('unavailable');
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      if (typeof body !== 'object' || body === null || typeof (body as { text?: unknown }).text !== 'string') {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
        return;
      }
      received.push(body as Record<string, unknown>);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/hook`,
    received,
    failNext: (n, status) => (failures = { left: n, status }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
