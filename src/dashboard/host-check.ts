import { isIP } from 'node:net';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];
const WILDCARD = new Set(['', '0.0.0.0', '::', '[::]']);
/** What a Host header may hold: a DNS name or IPv4 address, or IPv6 in brackets, then a port. No userinfo, no path. */
const AUTHORITY = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i;

/**
 * The guard against DNS rebinding. A page on an attacker's name that resolves to this machine
 * is same-origin with the dashboard as far as the browser knows (its Origin header matches
 * too); only the Host header still carries the attacker's name. So the Host must name this
 * server, with the port it listens on: the address the connection reached (as an IP literal;
 * on a specific bind, the bound address), the loopback names when that address is loopback,
 * or the name given to --host. Returns why the request is refused, or undefined.
 */
export function misdirected(header: string | undefined, local: { address?: string; port?: number }, bind: string): string | undefined {
  const allowed = allowedNames(local.address, bind);
  const expected = allowed.map((n) => `${n}:${local.port}`).join(', ');
  if (!header) return `a request without a Host header is not accepted: this dashboard answers to ${expected}`;
  const m = AUTHORITY.exec(header);
  const name = m ? normalName(m[1]!) : undefined;
  const port = m?.[2] ? Number(m[2]) : 80;
  if (name !== undefined && allowed.includes(name) && port === local.port) return undefined;
  return `Host ${header.slice(0, 200)} is not this dashboard, which answers only to ${expected} (a guard against DNS rebinding: open it by one of those)`;
}

function allowedNames(localAddress: string | undefined, bind: string): string[] {
  const local = localAddress ? normalName(literal(unmapped(localAddress))) : undefined;
  const names = new Set<string>();
  if (local) names.add(local);
  if (local && isLoopback(unmapped(localAddress!))) for (const n of LOOPBACK_NAMES) names.add(n);
  const bound = WILDCARD.has(bind) ? undefined : normalName(literal(bind));
  if (bound) names.add(bound);
  return [...names];
}

/** A name as the URL parser writes it (lower case, IPv6 compressed, in brackets), so spellings compare equal. */
function normalName(name: string): string | undefined {
  try {
    return new URL(`http://${name}/`).hostname;
  } catch {
    return undefined;
  }
}

/** IPv6 needs brackets in a URL; names and IPv4 do not. */
function literal(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}

/** A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d, and link-local IPv6 with a %zone no URL carries. */
export function unmapped(address: string): string {
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1').replace(/%.*$/, '');
}

function isLoopback(address: string): boolean {
  return address === '::1' || /^127\.\d+\.\d+\.\d+$/.test(address);
}
