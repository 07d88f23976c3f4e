import type { AuditSink } from '../audit/audit-log.js';
import { formatLocation, locationOfRef } from '../secrets/location.js';
import { refKey } from '../secrets/resolve.js';
import { openSecret, SecretStoreError, type OpenSecret } from '../secrets/store.js';
import type { AlertReceiver, SecretValue } from '../validate/manifests.js';
import { agentHookSender } from './send-agent.js';
import { emailSender } from './send-email.js';
import { TELEGRAM_API, telegramSender } from './send-telegram.js';
import { webhookSender } from './send-webhook.js';
import { SendError, type Sender } from './sender.js';

/** A receiver this process can send through, or why it cannot (a secret it could not decrypt). */
export type OpenedReceiver = { name: string; sender: Sender } | { name: string; unavailable: string };

export type ReceiverKind = 'webhook' | 'telegram' | 'email' | 'agent';

export const kindOf = (r: AlertReceiver): ReceiverKind => ('webhook' in r ? 'webhook' : 'telegram' in r ? 'telegram' : 'agent' in r ? 'agent' : 'email');

/** The secretRefs a receiver needs, by what they are for. */
function secretsOf(r: AlertReceiver): [string, SecretValue][] {
  if ('webhook' in r) return typeof r.webhook.url === 'object' ? [['url', r.webhook.url]] : [];
  if ('telegram' in r) return [['botToken', r.telegram.botToken]];
  if ('agent' in r) return [['token', r.agent.token]];
  return r.email.smtp.password ? [['password', r.email.smtp.password]] : [];
}

/**
 * Open receivers for sending: each secret they need is decrypted here, in the process that
 * sends, and only here; each location read is audited. A receiver whose secret cannot be had
 * (no age key, no such key) is unavailable, with the reason; the others are not held up.
 */
export async function openReceivers(fleetDir: string, receivers: readonly AlertReceiver[], audit: AuditSink): Promise<OpenedReceiver[]> {
  const opened = new Map<string, Promise<OpenSecret | SecretStoreError>>();
  const open = (v: SecretValue) => {
    const name = formatLocation(locationOfRef(v.secretRef));
    if (!opened.has(name))
      opened.set(
        name,
        openSecret(fleetDir, locationOfRef(v.secretRef), { create: false }).catch((err: unknown) => (err instanceof SecretStoreError ? err : Promise.reject(err))),
      );
    return opened.get(name)!;
  };
  const out = await Promise.all(
    receivers.map(async (r): Promise<OpenedReceiver> => {
      const values = new Map<string, string>();
      for (const [what, v] of secretsOf(r)) {
        const got = await open(v);
        const value = got instanceof SecretStoreError ? undefined : got.get(v.secretRef.key);
        if (value === undefined) {
          const why = got instanceof SecretStoreError ? `${got.message}${got.hint ? ` (${got.hint})` : ''}` : `${formatLocation(got.location)} has no key "${v.secretRef.key}"`;
          return { name: r.name, unavailable: `its ${what} (${refKey(v.secretRef)}) could not be read: ${why}` };
        }
        values.set(what, value);
      }
      return { name: r.name, sender: redacting(senderOf(r, values), [...values.values()]) };
    }),
  );
  const read = await Promise.all([...opened].map(async ([name, p]) => ((await p) instanceof SecretStoreError ? [] : [name])));
  await audit.record(read.flat().map((target) => ({ action: 'secret.read', target, result: 'ok', details: { for: 'alerts' } })));
  return out;
}

function senderOf(r: AlertReceiver, secrets: ReadonlyMap<string, string>): Sender {
  if ('webhook' in r) return webhookSender(typeof r.webhook.url === 'string' ? r.webhook.url : secrets.get('url')!);
  if ('telegram' in r) return telegramSender({ apiBaseUrl: r.telegram.apiBaseUrl ?? TELEGRAM_API, botToken: secrets.get('botToken')!, chatId: r.telegram.chatId });
  if ('agent' in r) return agentHookSender({ url: r.agent.url, path: r.agent.path ?? '/hooks', token: secrets.get('token')!, agentId: r.agent.agentId ?? 'main' });
  const { smtp } = r.email;
  return emailSender({ host: smtp.host, port: smtp.port ?? 587, ...(smtp.username ? { auth: { user: smtp.username, pass: secrets.get('password') ?? '' } } : {}), from: r.email.from, to: r.email.to });
}

/** Whatever a send's error says (a library's message, a server's reply), no secret of its receiver comes out of it. */
function redacting(inner: Sender, secrets: string[]): Sender {
  const scrub = (text: string) => secrets.filter((s) => s.length > 0).reduce((t, s) => t.split(s).join('(secret)'), text);
  return {
    send: (m) =>
      inner.send(m).catch((err: unknown) => {
        if (err instanceof SendError) throw new SendError(scrub(err.message), err.retryable, err.retryAfterSeconds);
        throw new SendError(scrub(err instanceof Error ? err.message : String(err)), true);
      }),
  };
}
