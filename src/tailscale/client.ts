import { ClawctlError } from '../util/errors.js';

/** A device of the tailnet, as Tailscale API v2 describes it (the fields clawctl reads). */
export interface TailnetDevice {
  id: string;
  /** MagicDNS name, e.g. edge-1.tail1234.ts.net. */
  name: string;
  hostname: string;
  addresses: string[];
  tags: string[];
  /** connectedToControl: the device keeps a connection to the coordination server. */
  online: boolean;
  lastSeen?: string;
  os?: string;
  clientVersion?: string;
  authorized?: boolean;
}

interface RawDevice {
  id?: string;
  nodeId?: string;
  name?: string;
  hostname?: string;
  addresses?: string[];
  tags?: string[];
  connectedToControl?: boolean;
  lastSeen?: string;
  os?: string;
  clientVersion?: string;
  authorized?: boolean;
}

/**
 * Tailscale API v2 over HTTPS, configured as PLAN.md and Tailscale's own tools have it:
 * TAILSCALE_API_KEY (sent as a bearer token, never printed), TAILSCALE_TAILNET ("-" is the
 * key's own tailnet), TAILSCALE_BASE_URL as the Terraform provider names it.
 */
export class TailscaleApi {
  readonly #key: string;
  readonly #base: string;
  readonly tailnet: string;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    const key = env.TAILSCALE_API_KEY;
    if (!key) {
      throw new ClawctlError('TAILSCALE_API_KEY is not set', [
        {
          message: 'the Tailscale API needs an access token',
          hint: 'create one in the admin console (Settings → Keys, or an OAuth client with devices:core scope) and export TAILSCALE_API_KEY; keep it out of the repo',
        },
      ]);
    }
    this.#key = key;
    this.#base = (env.TAILSCALE_BASE_URL || 'https://api.tailscale.com').replace(/\/+$/, '');
    this.tailnet = env.TAILSCALE_TAILNET || '-';
  }

  async devices(): Promise<TailnetDevice[]> {
    const body = (await this.#call('GET', `/api/v2/tailnet/${encodeURIComponent(this.tailnet)}/devices?fields=all`)) as { devices?: RawDevice[] };
    return (body.devices ?? []).map(toDevice);
  }

  /** Replace a device's tags; Tailscale allows it only for tags the key's owner may assign (ACL tagOwners). */
  async setTags(deviceId: string, tags: readonly string[]): Promise<void> {
    await this.#call('POST', `/api/v2/device/${encodeURIComponent(deviceId)}/tags`, { tags });
  }

  /**
   * A one-use, pre-authorized auth key that joins a device with these tags (POST
   * /api/v2/tailnet/{tailnet}/keys). The key is returned once, here, and never printed.
   */
  async createAuthKey(tags: readonly string[], description: string, expirySeconds = 3600): Promise<string> {
    const body = {
      capabilities: { devices: { create: { reusable: false, ephemeral: false, preauthorized: true, tags } } },
      expirySeconds,
      description: description.replace(/[^A-Za-z0-9 -]/g, '-').slice(0, 50),
    };
    const res = (await this.#call('POST', `/api/v2/tailnet/${encodeURIComponent(this.tailnet)}/keys`, body)) as { key?: unknown };
    if (typeof res.key !== 'string' || res.key === '') throw new ClawctlError('Tailscale API: POST /keys answered without a key', []);
    return res.key;
  }

  async #call(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.#base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.#key}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new ClawctlError(`Tailscale API: ${method} ${path.split('?')[0]}: ${(err as Error).cause ? String((err as { cause: Error }).cause.message) : (err as Error).message}`, [
        { message: `cannot reach ${this.#base}`, hint: 'check the network, or TAILSCALE_BASE_URL' },
      ]);
    }
    const text = await res.text();
    if (!res.ok) {
      const message = (parse(text) as { message?: string } | undefined)?.message ?? text.slice(0, 200);
      const hint =
        res.status === 401
          ? 'the access token was refused: check TAILSCALE_API_KEY (they expire)'
          : res.status === 403
            ? 'the token may not do this: a tag can be set only by its owners (tagOwners in the tailnet policy file)'
            : res.status === 404
              ? `no such tailnet or device: check TAILSCALE_TAILNET (now "${this.tailnet}")`
              : undefined;
      throw new ClawctlError(`Tailscale API: ${method} ${path.split('?')[0]}: HTTP ${res.status}: ${message}`, hint ? [{ message: `Tailscale refused ${method} ${path.split('?')[0]}`, hint }] : []);
    }
    return parse(text) ?? {};
  }
}

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function toDevice(d: RawDevice): TailnetDevice {
  return {
    id: d.id ?? d.nodeId ?? '',
    name: d.name ?? '',
    hostname: d.hostname ?? (d.name ?? '').split('.')[0] ?? '',
    addresses: d.addresses ?? [],
    tags: d.tags ?? [],
    online: d.connectedToControl === true,
    ...(d.lastSeen ? { lastSeen: d.lastSeen } : {}),
    ...(d.os ? { os: d.os } : {}),
    ...(d.clientVersion ? { clientVersion: d.clientVersion } : {}),
    ...(d.authorized !== undefined ? { authorized: d.authorized } : {}),
  };
}
