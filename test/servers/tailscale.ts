import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** A device of the tailnet: the fields clawctl reads, and a few it does not. */
export interface FakeDevice {
  id: string;
  hostname: string;
  addresses: string[];
  tags: string[];
  connectedToControl: boolean;
  /** When it was last connected; the API reports it only while the device is not connected. */
  lastSeen: string;
  advertisedRoutes?: string[];
  enabledRoutes?: string[];
}

export interface TailscaleServer {
  url: string;
  devices: FakeDevice[];
  /** Every request as `METHOD path?query`, in order. */
  calls: string[];
  /** Auth keys minted through POST /api/v2/tailnet/{tailnet}/keys, and whether a device used them. */
  authKeys: { key: string; tags: string[]; reusable: boolean; preauthorized: boolean; used: boolean }[];
  /** A device joins with an auth key (`tailscale up --auth-key`): it gets the key's tags; false if the key is unknown or spent. */
  join(authKey: string, hostname: string, address: string): boolean;
  close(): Promise<void>;
}

/**
 * A small, honest Tailscale API v2: GET /api/v2/tailnet/{tailnet}/devices and POST
 * /api/v2/device/{id}/tags, with bearer or basic auth (the key as user name) as Tailscale
 * accepts, 401/403/404 bodies of the form {"message": …}, and tag rules: a tag must be
 * `tag:name` and owned by the key's owner (tagOwners), or the whole request is refused.
 *
 * The devices list is what Tailscale documents: every device in one response (the endpoint
 * has no paging), with the default field set unless `fields=all` is asked for. The default
 * set leaves out enabledRoutes, advertisedRoutes, clientConnectivity and postureIdentity;
 * tags, addresses and connectedToControl are in both. Since Tailscale's 2025-10-08 API
 * release, lastSeen is empty for a device that is connected to control, so it is left out here.
 */
export async function startTailscale(opts: { key: string; tailnet: string; devices: FakeDevice[]; ownedTags: string[] }): Promise<TailscaleServer> {
  const calls: string[] = [];
  const devices = opts.devices;
  const authKeys: TailscaleServer['authKeys'] = [];
  const deviceJson = (d: FakeDevice, all: boolean) => ({
    id: d.id,
    nodeId: `n${d.id}CNTRL`,
    name: `${d.hostname}.tail1234.ts.net`,
    hostname: d.hostname,
    addresses: d.addresses,
    tags: d.tags,
    connectedToControl: d.connectedToControl,
    ...(d.connectedToControl ? {} : { lastSeen: d.lastSeen }),
    os: 'linux',
    clientVersion: '1.88.1-t1234',
    authorized: true,
    user: 'ops@example.com',
    keyExpiryDisabled: true,
    blocksIncomingConnections: false,
    ...(all
      ? {
          advertisedRoutes: d.advertisedRoutes ?? [],
          enabledRoutes: d.enabledRoutes ?? [],
          clientConnectivity: {
            endpoints: ['192.0.2.10:41641'],
            mappingVariesByDestIP: false,
            latency: { Frankfurt: { preferred: true, latencyMs: 12.5 } },
            clientSupports: { hairPinning: false, ipv6: true, pcp: false, pmp: false, udp: true, upnp: false },
          },
          postureIdentity: { disabled: true },
        }
      : {}),
  });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      calls.push(`${req.method} ${url.pathname}${url.search}`);
      const send = (status: number, body?: unknown) => {
        res.statusCode = status;
        res.setHeader('content-type', 'application/json');
        res.end(body === undefined ? '' : JSON.stringify(body));
      };
      const auth = req.headers.authorization ?? '';
      const basic = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString().replace(/:$/, '') : undefined;
      if (auth !== `Bearer ${opts.key}` && basic !== opts.key) return send(401, { message: 'API token invalid' });
      let m = /^\/api\/v2\/tailnet\/([^/]+)\/devices$/.exec(url.pathname);
      if (m && req.method === 'GET') {
        const tailnet = decodeURIComponent(m[1]!);
        if (tailnet !== '-' && tailnet !== opts.tailnet) return send(404, { message: 'tailnet not found' });
        const all = url.searchParams.get('fields') === 'all';
        return send(200, { devices: devices.map((d) => deviceJson(d, all)) });
      }
      m = /^\/api\/v2\/tailnet\/([^/]+)\/keys$/.exec(url.pathname);
      if (m && req.method === 'POST') {
        const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { capabilities?: { devices?: { create?: { reusable?: boolean; preauthorized?: boolean; tags?: unknown } } } };
        const create = body.capabilities?.devices?.create ?? {};
        const tags = Array.isArray(create.tags) ? (create.tags as string[]) : [];
        const unowned = tags.filter((t) => !opts.ownedTags.includes(t));
        if (unowned.length > 0) return send(403, { message: `requested tags [${unowned.join(' ')}] are invalid or not permitted` });
        const key = `tskey-auth-k${Math.random().toString(36).slice(2, 10)}CNTRL-${Math.random().toString(36).slice(2)}`;
        authKeys.push({ key, tags, reusable: create.reusable === true, preauthorized: create.preauthorized === true, used: false });
        return send(200, { id: key.split('-')[2], key, created: new Date().toISOString(), capabilities: body.capabilities });
      }
      m = /^\/api\/v2\/device\/([^/]+)\/tags$/.exec(url.pathname);
      if (m && req.method === 'POST') {
        const device = devices.find((d) => d.id === decodeURIComponent(m![1]!));
        if (!device) return send(404, { message: 'device not found' });
        const tags = (JSON.parse(Buffer.concat(chunks).toString() || '{}') as { tags?: unknown }).tags;
        if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || !/^tag:[a-zA-Z][a-zA-Z0-9-]*$/.test(t))) return send(400, { message: 'tags must be of the form tag:name' });
        const unowned = (tags as string[]).filter((t) => !opts.ownedTags.includes(t));
        if (unowned.length > 0) return send(403, { message: `requested tags [${unowned.join(' ')}] are invalid or not permitted` });
        device.tags = [...(tags as string[])];
        return send(200);
      }
      return send(404, { message: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  const join = (authKey: string, hostname: string, ip: string) => {
    const k = authKeys.find((a) => a.key === authKey);
    if (!k || (k.used && !k.reusable)) return false;
    k.used = true;
    devices.push({ id: String(1000 + devices.length), hostname, addresses: [ip], tags: [...k.tags], connectedToControl: true, lastSeen: new Date().toISOString() });
    return true;
  };
  return { url: `http://127.0.0.1:${address.port}`, devices, calls, authKeys, join, close: () => new Promise((r) => server.close(() => r())) };
}
