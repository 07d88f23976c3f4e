import { createHash, createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * SigV4 as AWS checks it on the server side, for the local AWS servers of the tests (Secrets
 * Manager, SSM): a request the real SDK signed is accepted, and every way AWS refuses one is
 * refused with its error type and words.
 */

/** An AWS error: its `__type` (or code), message and HTTP status. */
export class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const MAX_SKEW_MS = 15 * 60 * 1000;
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
/** RFC 3986 unreserved characters stay; everything else is percent-encoded, as SigV4 requires. */
const uriEscape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const amzDate = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

export function authenticate(req: IncomingMessage, body: Buffer, ctx: { credentials: Record<string, string>; region: string; service: string; now: Date }): void {
  const auth = req.headers.authorization;
  if (!auth) throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  if (!auth.startsWith('AWS4-HMAC-SHA256 ')) throw new AwsError('IncompleteSignatureException', `Unsupported AWS 'algorithm': '${auth.split(' ')[0]}'`);
  const params = new Map<string, string>();
  for (const part of auth.slice('AWS4-HMAC-SHA256 '.length).split(',')) {
    const kv = part.trim();
    const eq = kv.indexOf('=');
    if (eq < 0) throw new AwsError('IncompleteSignatureException', `'${kv}' not a valid key=value pair (missing equal-sign) in Authorization header: '${auth}'.`);
    params.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  const dateHeader = req.headers['x-amz-date'];
  const missing = [
    ...['Credential', 'Signature', 'SignedHeaders'].filter((p) => !params.get(p)).map((p) => `Authorization header requires '${p}' parameter.`),
    ...(typeof dateHeader === 'string' ? [] : ["Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."]),
  ];
  if (missing.length > 0) throw new AwsError('IncompleteSignatureException', `${missing.join(' ')} Authorization=${auth}`);

  const [keyId, scopeDate, scopeRegion, scopeService, terminator, ...rest] = params.get('Credential')!.split('/');
  if (!keyId || !scopeDate || !scopeRegion || !scopeService || !terminator || rest.length > 0) {
    throw new AwsError('IncompleteSignatureException', `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${params.get('Credential')}'`);
  }
  const secret = ctx.credentials[keyId];
  if (secret === undefined) throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.');

  const signedHeaders = params.get('SignedHeaders')!.split(';');
  if (!signedHeaders.includes('host')) throw new AwsError('IncompleteSignatureException', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  if (!signedHeaders.includes('x-amz-date')) throw new AwsError('IncompleteSignatureException', "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
  for (const h of signedHeaders) {
    if (req.headers[h] === undefined) throw new AwsError('IncompleteSignatureException', `'${h}' is named as a SignedHeader, but it does not exist in the HTTP request.`);
  }

  const date = String(dateHeader);
  const when = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  if (!when) throw new AwsError('IncompleteSignatureException', `Date must be in ISO-8601 'basic format'. Got '${date}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  if (scopeDate !== date.slice(0, 8)) {
    throw new AwsError(
      'InvalidSignatureException',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${date.slice(0, 8)}', from '${date}'.`,
    );
  }
  if (scopeRegion !== ctx.region) throw new AwsError('InvalidSignatureException', `Credential should be scoped to a valid region, not '${scopeRegion}'. `);
  if (scopeService !== ctx.service) throw new AwsError('InvalidSignatureException', `Credential should be scoped to correct service: '${ctx.service}'. `);
  if (terminator !== 'aws4_request') throw new AwsError('InvalidSignatureException', `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `);
  const signedAt = Date.UTC(+when[1]!, +when[2]! - 1, +when[3]!, +when[4]!, +when[5]!, +when[6]!);
  const nowMs = ctx.now.getTime();
  if (signedAt < nowMs - MAX_SKEW_MS) {
    throw new AwsError('InvalidSignatureException', `Signature expired: ${date} is now earlier than ${amzDate(new Date(nowMs - MAX_SKEW_MS))} (${amzDate(ctx.now)} - 15 min.)`);
  }
  if (signedAt > nowMs + MAX_SKEW_MS) {
    throw new AwsError('InvalidSignatureException', `Signature not yet current: ${date} is still later than ${amzDate(new Date(nowMs + MAX_SKEW_MS))} (${amzDate(ctx.now)} + 15 min.)`);
  }

  // The canonical request, from what arrived: the path escaped once more (every service but
  // S3), the query sorted, each named header lower-cased with its value trimmed, the body hashed.
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname.split('/').map(uriEscape).join('/') || '/';
  const query = [...url.searchParams.entries()]
    .map(([k, v]) => [uriEscape(k), uriEscape(v)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const headerValue = (h: string) => {
    const v = req.headers[h];
    return (Array.isArray(v) ? v.join(',') : String(v)).trim().replace(/\s+/g, ' ');
  };
  const canonical = [req.method, path, query, ...signedHeaders.map((h) => `${h}:${headerValue(h)}`), '', signedHeaders.join(';'), sha256(body)].join('\n');
  const scope = `${scopeDate}/${scopeRegion}/${scopeService}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, scopeDate), scopeRegion), scopeService), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  if (expected !== params.get('Signature')) {
    throw new AwsError(
      'InvalidSignatureException',
      `${SIGNATURE_MISMATCH}\n\nThe Canonical String for this request should have been\n'${canonical}'\n\nThe String-to-Sign should have been\n'${stringToSign}'\n`,
    );
  }
}
