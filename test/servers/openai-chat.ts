import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * A scripted model behind the OpenAI-compatible chat completions API, as vLLM, LM Studio and
 * OpenClaw's `openai-completions` providers speak it: POST /v1/chat/completions (streamed as
 * server-sent `chat.completion.chunk` events when the request says `stream: true`, one
 * `chat.completion` otherwise) and GET /v1/models. It checks the API key like those servers
 * (401), and answers each request with whatever the test's script decides from the messages
 * so far: text, or calls of the tools the request offers. A call of a tool the request did not
 * offer is the script's bug and answers 500, so a test never passes on a tool that is not there.
 */
export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  content?: string | { type: string; text?: string }[] | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: { type: 'function'; function: { name: string; description?: string; parameters?: unknown } }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

export type ScriptReply = { text: string } | { call: { name: string; arguments: Record<string, unknown> }[] };

export interface ModelServer {
  /** The base URL to give OpenClaw as the provider's baseUrl (ends in /v1). */
  baseUrl: string;
  apiKey: string;
  /** Every chat completion request, in order. */
  requests: ChatRequest[];
  close(): Promise<void>;
}

/** Plain text of a message's content, whichever form it came in. */
export function textOf(m: ChatMessage): string {
  if (typeof m.content === 'string') return m.content;
  return (m.content ?? []).map((p) => p.text ?? '').join('');
}

export async function startModelServer(opts: { apiKey: string; model: string; script: (req: ChatRequest) => ScriptReply }): Promise<ModelServer> {
  const requests: ChatRequest[] = [];
  let calls = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.headers.authorization !== `Bearer ${opts.apiKey}`) return json(401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } });
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (req.method === 'GET' && path === '/v1/models') return json(200, { object: 'list', data: [{ id: opts.model, object: 'model', created: 0, owned_by: 'test' }] });
      if (req.method !== 'POST' || path !== '/v1/chat/completions') return json(404, { error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } });
      let body: ChatRequest;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest;
      } catch {
        return json(400, { error: { message: 'the body is not JSON', type: 'invalid_request_error' } });
      }
      requests.push(body);
      let reply: ScriptReply;
      try {
        reply = opts.script(body);
      } catch (err) {
        return json(500, { error: { message: `script: ${(err as Error).message}`, type: 'server_error' } });
      }
      const offered = new Set((body.tools ?? []).map((t) => t.function.name));
      const missing = 'call' in reply ? reply.call.filter((c) => !offered.has(c.name)).map((c) => c.name) : [];
      if (missing.length > 0)
        return json(500, { error: { message: `script calls tools the request does not offer: ${missing.join(', ')} (offered: ${[...offered].join(', ')})`, type: 'server_error' } });

      const id = `chatcmpl-${requests.length}`;
      const created = Math.floor(Date.now() / 1000);
      const toolCalls =
        'call' in reply ? reply.call.map((c, index) => ({ index, id: `call_${++calls}`, type: 'function' as const, function: { name: c.name, arguments: JSON.stringify(c.arguments) } })) : undefined;
      const message = { role: 'assistant', content: 'text' in reply ? reply.text : null, ...(toolCalls ? { tool_calls: toolCalls.map(({ index: _, ...c }) => c) } : {}) };
      const finish = toolCalls ? 'tool_calls' : 'stop';
      const usage = { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 };
      if (!body.stream) return json(200, { id, object: 'chat.completion', created, model: body.model, choices: [{ index: 0, message, finish_reason: finish }], usage });

      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      const chunk = (choices: unknown[], extra: object = {}) => res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices, ...extra })}\n\n`);
      chunk([{ index: 0, delta: { role: 'assistant', content: 'text' in reply ? '' : null }, finish_reason: null }]);
      if ('text' in reply) chunk([{ index: 0, delta: { content: reply.text }, finish_reason: null }]);
      for (const c of toolCalls ?? []) chunk([{ index: 0, delta: { tool_calls: [c] }, finish_reason: null }]);
      chunk([{ index: 0, delta: {}, finish_reason: finish }]);
      if (body.stream_options?.include_usage) chunk([], { usage });
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return { baseUrl: `http://127.0.0.1:${address.port}/v1`, apiKey: opts.apiKey, requests, close: () => new Promise((r) => server.close(() => r())) };
}
