import { timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { misdirected, unmapped } from './host-check.js';
import type { Refusal, RefusalReason } from './refusals.js';
import type { DashboardSnapshot } from './snapshot.js';
import type { AuditEntry } from '../audit/entry.js';
import type { AuditFilter } from '../audit/query.js';
import type { VerifyResult } from '../audit/verify.js';
import type { RestartResult } from '../engine/restart-run.js';
import { ClawctlError } from '../util/errors.js';

export interface DashboardApi {
  snapshot(): DashboardSnapshot | undefined;
  audit(filter: AuditFilter): Promise<{ entries: AuditEntry[]; verify: VerifyResult }>;
  /** Present only when the dashboard was started with --actions. */
  restart?(agent: string): Promise<RestartResult>;
  /** Audits a refused restart; never rejects, so the refusal is always answered. */
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
const RESTART = /^\/api\/agents\/([a-z0-9-]+)\/restart$/;

interface ServerOptions {
  /** The address or name it listens on, as given to --host. */
  host: string;
  token?: string;
  api: DashboardApi;
}

/** Answers a refusal; a refused restart is audited first, so the entry exists once the answer arrives. */
type Refuse = (status: number, error: string, reason: RefusalReason, claimed?: { host?: string; origin?: string }) => Promise<void>;

/**
 * The page and two JSON endpoints, read-only; with --actions, also the restart action behind
 * a typed confirmation. Every request must name this server in its
 * Host header (see host-check.ts). With a token (required off loopback), every request must
 * carry it as a bearer token or the cookie that `/?token=` sets.
 */
export async function startDashboardServer(opts: ServerOptions & { port: number }): Promise<DashboardServer> {
  const server = createServer((req, res) => {
    handle(req, res, opts).catch((err: Error) => send(res, 500, { error: err.message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, resolve);
  });
  const address = server.address();
  const port = address && typeof address === 'object' ? address.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return { url: `http://${host}:${port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: ServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://dashboard');
  res.setHeader('content-security-policy', "default-src 'self'; frame-ancestors 'none'");
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('cache-control', 'no-store');
  const restart = req.method === 'POST' ? RESTART.exec(url.pathname)?.[1] : undefined;
  const refuse: Refuse = async (status, error, reason, claimed = {}) => {
    if (restart) await opts.api.refused({ agent: restart, reason, remote: unmapped(req.socket.remoteAddress ?? 'unknown'), ...claimed });
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
  if (restart) return restartAction(req, res, opts.api, restart, refuse);
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
  if (url.pathname === '/api/audit') {
    const q = url.searchParams;
    const since = q.get('since') ? new Date(q.get('since')!) : undefined;
    if (since && Number.isNaN(since.getTime())) return send(res, 400, { error: `since: not a date: ${q.get('since')}` });
    const filter: AuditFilter = { ...(since ? { since } : {}), ...(q.get('agent') ? { agent: q.get('agent')! } : {}), ...(q.get('action') ? { action: q.get('action')! } : {}), ...(q.get('actor') ? { actor: q.get('actor')! } : {}) };
    return send(res, 200, await opts.api.audit(filter));
  }
  send(res, 404, { error: `no such page: ${url.pathname}` });
}

/**
 * The one action, behind a confirmation: the page must send the agent's name back in a
 * custom header (which no cross-site form or link can set, and for which no CORS is offered)
 * from this page's own origin (its Host already checked, so a rebound name cannot match).
 */
async function restartAction(req: IncomingMessage, res: ServerResponse, api: DashboardApi, agent: string, refuse: Refuse): Promise<void> {
  if (!api.restart) return refuse(403, 'actions are off: start the dashboard with --actions to allow restarts', 'actions-off');
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host}`) return refuse(403, `requests from ${origin.slice(0, 200)} are not accepted`, 'origin', { origin });
  if (req.headers['x-clawctl-confirm'] !== agent) return refuse(428, `confirm by sending the header x-clawctl-confirm: ${agent}`, 'confirmation');
  try {
    return send(res, 200, await api.restart(agent));
  } catch (err) {
    if (err instanceof ClawctlError) return send(res, 409, { error: err.message, diagnostics: err.diagnostics });
    throw err;
  }
}

function authorized(req: IncomingMessage, token: string): boolean {
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const cookie = (req.headers.cookie ?? '').split(/;\s*/).find((c) => c.startsWith(`${COOKIE}=`))?.slice(COOKIE.length + 1);
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
