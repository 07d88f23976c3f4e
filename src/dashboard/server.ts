import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { misdirected, unmapped } from './host-check.js';
import type { MetricsPage } from './metrics.js';
import type { DashboardAction, Refusal, RefusalReason } from './refusals.js';
import type { SecretAccess } from './secret-access.js';
import type { DashboardSnapshot } from './snapshot.js';
import type { AuditEntry } from '../audit/entry.js';
import type { AuditFilter } from '../audit/query.js';
import type { VerifyResult } from '../audit/verify.js';
import type { LogLine } from '../diagnose/log-lines.js';
import type { RestartResult } from '../agents/restart-run.js';
import type { SyncResult } from '../engine/sync-run.js';
import type { HealthChart } from '../history/health-buckets.js';
import { parseWindow } from '../history/health-history.js';
import { ClawctlError } from '../util/errors.js';

/** An action's outcome, and when the fleet was observed again after it (the page shows both at once). */
export type ActionOutcome<T> = T & { observedAt?: string };

export interface DashboardApi {
  snapshot(): DashboardSnapshot | undefined;
  audit(filter: AuditFilter): Promise<{ entries: AuditEntry[]; verify: VerifyResult }>;
  /** The Prometheus text of the latest observation. */
  metrics(): Promise<MetricsPage>;
  /** An agent's health over the window, for the chart; a ClawctlError for an agent not in the fleet. */
  history(agent: string, windowMs: number): Promise<HealthChart>;
  /** The audit log's reads and writes of the agent's secrets: location and purpose only. */
  secretAccess(agent: string): Promise<SecretAccess[]>;
  /** The agent's gateway log, redacted, line by line until signal aborts; rejects with a ClawctlError when it cannot be read. */
  logs(agent: string, lines: number, onLine: (line: LogLine) => void, signal: AbortSignal): Promise<void>;
  /** Present only when the dashboard was started with --actions. */
  restart?(agent: string): Promise<ActionOutcome<RestartResult>>;
  sync?(agent: string): Promise<ActionOutcome<SyncResult>>;
  /** Audits a refused action; never rejects, so the refusal is always answered. */
  refused(refusal: Refusal): Promise<void>;
}

export interface DashboardServer {
  url: string;
  close(): Promise<void>;
}

/** The page: static files shipped in the package's dashboard/ folder, no build step. */
const STATIC: Record<string, string> = { '/': 'index.html', '/app.js': 'app.js', '/app.css': 'app.css' };
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const COOKIE = 'clawctl_dashboard';
const ACTION = /^\/api\/agents\/([a-z0-9-]+)\/(restart|sync)$/;
const AGENT_VIEW = /^\/api\/agents\/([a-z0-9-]+)\/(history|secret-access|logs)$/;
/** Log streams open at once: each is an SSH session and a reader on a host. */
const MAX_STREAMS = 8;

interface ServerOptions {
  /** The address or name it listens on, as given to --host. */
  host: string;
  token?: string;
  api: DashboardApi;
}

/** What lives as long as the server: the CSRF token its page sends back with actions, the open log streams. */
interface ServerState {
  csrf: string;
  streams: Set<AbortController>;
}

/** Answers a refusal; a refused restart is audited first, so the entry exists once the answer arrives. */
type Refuse = (status: number, error: string, reason: RefusalReason, claimed?: { host?: string; origin?: string }) => Promise<void>;

/**
 * The page, its JSON endpoints, the agents' log streams and /metrics, read-only; with
 * --actions, also restart and sync behind a typed confirmation and a CSRF token. Every request
 * must name this server in its Host header (see host-check.ts). With a token (required off
 * loopback), every request must carry it as a bearer token or the cookie that `/?token=` sets.
 */
export async function startDashboardServer(opts: ServerOptions & { port: number }): Promise<DashboardServer> {
  const state: ServerState = { csrf: randomBytes(32).toString('base64url'), streams: new Set() };
  const server = createServer((req, res) => {
    handle(req, res, opts, state).catch((err: Error) => (res.headersSent ? res.end() : send(res, 500, { error: err.message })));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, resolve);
  });
  const address = server.address();
  const port = address && typeof address === 'object' ? address.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      // Log streams never end by themselves: end them, and the connections they hold.
      for (const s of state.streams) s.abort();
      server.closeAllConnections();
    });
  return { url: `http://${host}:${port}/`, close };
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: ServerOptions, state: ServerState): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://dashboard');
  res.setHeader('content-security-policy', "default-src 'self'; frame-ancestors 'none'");
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('cache-control', 'no-store');
  const m = req.method === 'POST' ? ACTION.exec(url.pathname) : null;
  const action = m ? { agent: m[1]!, kind: m[2] as DashboardAction } : undefined;
  const refuse: Refuse = async (status, error, reason, claimed = {}) => {
    if (action) await opts.api.refused({ action: action.kind, agent: action.agent, reason, remote: unmapped(req.socket.remoteAddress ?? 'unknown'), ...claimed });
    send(res, status, { error });
  };
  // Before anything else, reads included: the snapshot is the fleet's data.
  const wrongHost = misdirected(req.headers.host, { address: req.socket.localAddress, port: req.socket.localPort }, opts.host);
  if (wrongHost) return refuse(421, wrongHost, 'host', req.headers.host === undefined ? {} : { host: req.headers.host });
  if (opts.token) {
    const offered = url.searchParams.get('token');
    if (url.pathname === '/' && offered !== null && same(offered, opts.token)) {
      res.writeHead(303, { location: '/', 'set-cookie': `${COOKIE}=${encodeURIComponent(opts.token)}; HttpOnly; SameSite=Strict; Path=/` });
      res.end();
      return;
    }
    if (!authorized(req, opts.token)) return refuse(401, 'a token is required: open the URL clawctl printed (/?token=…) or send Authorization: Bearer', 'token');
  }
  if (action) return actionRequest(req, res, opts.api, action, state.csrf, refuse);
  if (req.method !== 'GET') return send(res, 405, { error: 'the dashboard is read-only' });
  const file = STATIC[url.pathname];
  if (file) {
    res.writeHead(200, { 'content-type': TYPES[file.split('.').pop()!]! });
    res.end(await readFile(new URL(`../../dashboard/${file}`, import.meta.url)));
    return;
  }
  if (url.pathname === '/api/snapshot') {
    const snap = opts.api.snapshot();
    return snap ? send(res, 200, snap) : send(res, 503, { error: 'the first observation of the fleet is still running' });
  }
  if (url.pathname === '/metrics') {
    const page = await opts.api.metrics();
    res.writeHead(200, { 'content-type': page.contentType });
    res.end(page.body);
    return;
  }
  // Readable by this page's origin alone (no CORS, the Host checked): what a forged request lacks.
  if (url.pathname === '/api/session') return send(res, 200, { csrf: state.csrf, actions: Boolean(opts.api.restart) });
  const view = AGENT_VIEW.exec(url.pathname);
  if (view) return agentView(req, res, opts.api, view[1]!, view[2]!, url.searchParams, state);
  if (url.pathname === '/api/audit') {
    const q = url.searchParams;
    const since = q.get('since') ? new Date(q.get('since')!) : undefined;
    if (since && Number.isNaN(since.getTime())) return send(res, 400, { error: `since: not a date: ${q.get('since')}` });
    const filter: AuditFilter = {
      ...(since ? { since } : {}),
      ...(q.get('agent') ? { agent: q.get('agent')! } : {}),
      ...(q.get('action') ? { action: q.get('action')! } : {}),
      ...(q.get('actor') ? { actor: q.get('actor')! } : {}),
    };
    return send(res, 200, await opts.api.audit(filter));
  }
  send(res, 404, { error: `no such page: ${url.pathname}` });
}

/**
 * The actions, behind a confirmation: the page must send the agent's name back in a custom
 * header (which no cross-site form or link can set, and for which no CORS is offered) from
 * this page's own origin (its Host already checked, so a rebound name cannot match), with the
 * CSRF token only this origin could read from /api/session.
 */
async function actionRequest(req: IncomingMessage, res: ServerResponse, api: DashboardApi, action: { agent: string; kind: DashboardAction }, csrf: string, refuse: Refuse): Promise<void> {
  const { agent, kind } = action;
  const run = kind === 'restart' ? api.restart?.bind(api) : api.sync?.bind(api);
  if (!run) return refuse(403, `actions are off: start the dashboard with --actions to allow ${kind}`, 'actions-off');
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host}`) return refuse(403, `requests from ${origin.slice(0, 200)} are not accepted`, 'origin', { origin });
  if (req.headers['x-clawctl-confirm'] !== agent) return refuse(428, `confirm by sending the header x-clawctl-confirm: ${agent}`, 'confirmation');
  const offered = req.headers['x-clawctl-csrf'];
  if (typeof offered !== 'string' || !same(offered, csrf)) return refuse(403, 'the CSRF token is missing or wrong: use the dashboard page, which sends the one from /api/session', 'csrf');
  try {
    return send(res, 200, await run(agent));
  } catch (err) {
    if (err instanceof ClawctlError) return send(res, 409, { error: err.message, diagnostics: err.diagnostics });
    throw err;
  }
}

/** An agent's health chart, its secrets' access entries, or its log as a stream of JSON lines. */
async function agentView(req: IncomingMessage, res: ServerResponse, api: DashboardApi, agent: string, what: string, q: URLSearchParams, state: ServerState): Promise<void> {
  try {
    if (what === 'history') {
      const window = parseWindow(q.get('window') ?? '24h');
      if (window === undefined) return send(res, 400, { error: `window: not a duration like 24h, 30m or 7d: ${q.get('window')}` });
      return send(res, 200, await api.history(agent, window));
    }
    if (what === 'secret-access') return send(res, 200, { agent, entries: await api.secretAccess(agent) });
  } catch (err) {
    if (err instanceof ClawctlError) return send(res, 404, { error: err.message });
    throw err;
  }
  return logStream(req, res, api, agent, q, state);
}

/**
 * The log, followed: one JSON object a line ({line} as they come, {error} if it cannot be
 * read), until the page goes away. A custom header is required, as for actions, so no
 * cross-site link or image can open SSH sessions; and only so many run at once.
 */
async function logStream(req: IncomingMessage, res: ServerResponse, api: DashboardApi, agent: string, q: URLSearchParams, state: ServerState): Promise<void> {
  if (req.headers['x-clawctl-stream'] !== 'logs') return send(res, 428, { error: 'send the header x-clawctl-stream: logs (the dashboard page does)' });
  if (state.streams.size >= MAX_STREAMS) return send(res, 503, { error: `${MAX_STREAMS} log streams are open already: close a page that shows one` });
  const lines = Math.min(500, Math.max(0, Number(q.get('lines') ?? 50) || 0));
  const stop = new AbortController();
  state.streams.add(stop);
  res.on('close', () => stop.abort());
  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
  res.flushHeaders();
  try {
    await api.logs(agent, lines, (line) => res.write(`${JSON.stringify({ line })}\n`), stop.signal);
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    if (!stop.signal.aborted) res.write(`${JSON.stringify({ error: err instanceof ClawctlError ? err.message : `could not read the log: ${err.message}` })}\n`);
  } finally {
    state.streams.delete(stop);
    res.end();
  }
}

function authorized(req: IncomingMessage, token: string): boolean {
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const cookie = (req.headers.cookie ?? '')
    .split(/;\s*/)
    .find((c) => c.startsWith(`${COOKIE}=`))
    ?.slice(COOKIE.length + 1);
  return [bearer, cookie && decodeURIComponent(cookie)].some((t) => t !== undefined && same(t, token));
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
