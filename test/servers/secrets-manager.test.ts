import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { request } from 'node:http';
import { GetSecretValueCommand, ListSecretsCommand, paginateListSecrets, SecretsManagerClient, type ListSecretsCommandInput } from '@aws-sdk/client-secrets-manager';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecretsManager, TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY, type SecretsManagerServer } from './secrets-manager.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The SHA-256 the SigV4 reference signer asks for, from node:crypto. */
class Sha256 {
  readonly #h: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#h.digest());
  }
  reset(): void {}
}
const bytes = (d: string | ArrayBuffer | ArrayBufferView) => (typeof d === 'string' ? Buffer.from(d) : d instanceof ArrayBuffer ? Buffer.from(d) : Buffer.from(d.buffer, d.byteOffset, d.byteLength));

interface Raw {
  status: number;
  body: { __type?: string; message?: string; [k: string]: unknown };
}

/**
 * A request signed by @smithy/signature-v4 (the signer the SDK uses), then optionally altered
 * before it is sent: the stand-in's verification is checked against the reference signer.
 */
async function signedRequest(
  url: string,
  op: string,
  payload: unknown,
  opts: { secret?: string; region?: string; date?: Date; alter?: (headers: Record<string, string>, body: string) => { headers: Record<string, string>; body: string } } = {},
): Promise<Raw> {
  const u = new URL(url);
  const body = JSON.stringify(payload);
  const signer = new SignatureV4({
    credentials: { accessKeyId: TEST_ACCESS_KEY_ID, secretAccessKey: opts.secret ?? TEST_SECRET_ACCESS_KEY },
    region: opts.region ?? 'us-east-1',
    service: 'secretsmanager',
    sha256: Sha256,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: u.hostname,
      port: Number(u.port),
      path: '/',
      query: {},
      headers: { host: u.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `secretsmanager.${op}` },
      body,
    },
    { signingDate: opts.date ?? new Date() },
  );
  const sent = opts.alter ? opts.alter({ ...signed.headers }, body) : { headers: signed.headers, body };
  return send(url, sent.headers, sent.body);
}

function send(url: string, headers: Record<string, string>, body: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Raw['body'] }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The AWS error an SDK call failed with: its name (from `__type`), message and HTTP status. */
async function sdkError(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('the call succeeded');
}

describe('the Secrets Manager stand-in authenticates every request as AWS does (SigV4)', () => {
  let aws: SecretsManagerServer;
  const client = (over: { secret?: string; keyId?: string; region?: string } = {}) =>
    new SecretsManagerClient({
      endpoint: aws.url,
      region: over.region ?? 'us-east-1',
      credentials: { accessKeyId: over.keyId ?? TEST_ACCESS_KEY_ID, secretAccessKey: over.secret ?? TEST_SECRET_ACCESS_KEY },
      maxAttempts: 1,
    });

  beforeAll(async () => {
    aws = await startSecretsManager({ 'prod/a': '{"K":"v"}' });
  });
  afterAll(async () => {
    await aws.close();
  });

  it('accepts the SDK with the right key, and the reference signer', async () => {
    const out = await client().send(new GetSecretValueCommand({ SecretId: 'prod/a' }));
    expect(out.SecretString).toBe('{"K":"v"}');
    const raw = await signedRequest(aws.url, 'GetSecretValue', { SecretId: 'prod/a' });
    expect(raw).toMatchObject({ status: 200, body: { Name: 'prod/a', SecretString: '{"K":"v"}' } });
  });

  it('refuses a wrong secret key with InvalidSignatureException, HTTP 400, the canonical request in the message', async () => {
    const e = await sdkError(client({ secret: 'not-the-secret' }).send(new GetSecretValueCommand({ SecretId: 'prod/a' })));
    expect(e).toMatchObject({ name: 'InvalidSignatureException', status: 400 });
    expect(e.message).toMatch(/^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\./);
    expect(e.message).toMatch(/The Canonical String for this request should have been\n'POST\n\/\n\n[\s\S]*x-amz-target:secretsmanager\.GetSecretValue\n/);
    expect(e.message).toMatch(/\d{8}\/us-east-1\/secretsmanager\/aws4_request/);
  });

  it('refuses an unknown access key with UnrecognizedClientException', async () => {
    const e = await sdkError(client({ keyId: 'AKIDNOBODY' }).send(new GetSecretValueCommand({ SecretId: 'prod/a' })));
    expect(e).toEqual({ name: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.', status: 400 });
  });

  it('refuses a credential scoped to another region, or service', async () => {
    const region = await sdkError(client({ region: 'eu-west-1' }).send(new GetSecretValueCommand({ SecretId: 'prod/a' })));
    expect(region).toMatchObject({ name: 'InvalidSignatureException', status: 400, message: expect.stringContaining("Credential should be scoped to a valid region, not 'eu-west-1'") });
    const service = await signedRequest(
      aws.url,
      'GetSecretValue',
      { SecretId: 'prod/a' },
      {
        alter: (h, b) => ({ headers: { ...h, authorization: h.authorization!.replace('/secretsmanager/', '/kms/') }, body: b }),
      },
    );
    expect(service).toMatchObject({ status: 400, body: { __type: 'InvalidSignatureException', message: expect.stringContaining("Credential should be scoped to correct service: 'secretsmanager'") } });
  });

  it('refuses a body, a target or a date changed after signing', async () => {
    const body = await signedRequest(aws.url, 'GetSecretValue', { SecretId: 'prod/a' }, { alter: (h) => ({ headers: h, body: JSON.stringify({ SecretId: 'prod/b' }) }) });
    expect(body).toMatchObject({ status: 400, body: { __type: 'InvalidSignatureException' } });
    const target = await signedRequest(aws.url, 'GetSecretValue', { SecretId: 'prod/a' }, { alter: (h, b) => ({ headers: { ...h, 'x-amz-target': 'secretsmanager.DescribeSecret' }, body: b }) });
    expect(target).toMatchObject({ status: 400, body: { __type: 'InvalidSignatureException' } });
    const later = new Date(Date.now() + 1000)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    const date = await signedRequest(
      aws.url,
      'GetSecretValue',
      { SecretId: 'prod/a' },
      { date: new Date(Date.now() - 60_000), alter: (h, b) => ({ headers: { ...h, 'x-amz-date': later }, body: b }) },
    );
    expect(date.status).toBe(400);
    expect(date.body.__type).toBe('InvalidSignatureException');
  });

  it('refuses an X-Amz-Date more than 15 minutes from its clock, either way', async () => {
    const old = await signedRequest(aws.url, 'GetSecretValue', { SecretId: 'prod/a' }, { date: new Date(Date.now() - 20 * 60_000) });
    expect(old).toMatchObject({
      status: 400,
      body: { __type: 'InvalidSignatureException', message: expect.stringMatching(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/) },
    });
    const ahead = await signedRequest(aws.url, 'GetSecretValue', { SecretId: 'prod/a' }, { date: new Date(Date.now() + 20 * 60_000) });
    expect(ahead).toMatchObject({ status: 400, body: { __type: 'InvalidSignatureException', message: expect.stringMatching(/^Signature not yet current: /) } });
    const skewed = await signedRequest(aws.url, 'GetSecretValue', { SecretId: 'prod/a' }, { date: new Date(Date.now() - 10 * 60_000) });
    expect(skewed.status).toBe(200);
  });

  it('refuses requests without a signature, or that do not sign the host', async () => {
    const none = await send(aws.url, { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' }, '{"SecretId":"prod/a"}');
    expect(none.body.__type).toBe('MissingAuthenticationTokenException');
    const noHost = await signedRequest(
      aws.url,
      'GetSecretValue',
      { SecretId: 'prod/a' },
      {
        alter: (h, b) => ({
          headers: {
            ...h,
            authorization: h.authorization!.replace(
              /SignedHeaders=([^,]*)/,
              (_m, s: string) =>
                `SignedHeaders=${s
                  .split(';')
                  .filter((x) => x !== 'host')
                  .join(';')}`,
            ),
          },
          body: b,
        }),
      },
    );
    expect(noHost).toMatchObject({ status: 400, body: { __type: 'IncompleteSignatureException', message: expect.stringContaining("'Host' or ':authority' must be a 'SignedHeader'") } });
    expect(aws.calls.every((c) => c === 'GetSecretValue')).toBe(true);
    expect(aws.refused).toContain('UnrecognizedClientException');
  });
});

describe('the Secrets Manager stand-in pages ListSecrets as AWS does', () => {
  let aws: SecretsManagerServer;
  let sm: SecretsManagerClient;
  // Creation order; with pages of 3: [prod/1 dev/1 dev/2] [dev/3 dev/4 dev/5] [dev/6 prod/2 prod/3] [prod/4]
  const names = ['prod/1', 'dev/1', 'dev/2', 'dev/3', 'dev/4', 'dev/5', 'dev/6', 'prod/2', 'prod/3', 'prod/4'];
  const list = (input: ListSecretsCommandInput) => sm.send(new ListSecretsCommand(input));

  beforeAll(async () => {
    aws = await startSecretsManager(Object.fromEntries(names.map((n) => [n, '{}'])));
    sm = new SecretsManagerClient({ endpoint: aws.url, region: 'us-east-1', credentials: { accessKeyId: TEST_ACCESS_KEY_ID, secretAccessKey: TEST_SECRET_ACCESS_KEY }, maxAttempts: 1 });
  });
  afterAll(async () => {
    await aws.close();
  });

  it('returns a small default page with a NextToken, and MaxResults pages', async () => {
    const first = await list({});
    expect(first.SecretList?.map((s) => s.Name)).toEqual(['prod/1', 'dev/1', 'dev/2']);
    expect(first.NextToken).toEqual(expect.any(String));
    const second = await list({ NextToken: first.NextToken });
    expect(second.SecretList?.map((s) => s.Name)).toEqual(['dev/3', 'dev/4', 'dev/5']);
    const big = await list({ MaxResults: 8 });
    expect(big.SecretList).toHaveLength(8);
    const last = await list({ MaxResults: 8, NextToken: big.NextToken });
    expect(last.SecretList?.map((s) => s.Name)).toEqual(['prod/3', 'prod/4']);
    expect(last.NextToken).toBeUndefined();
  });

  it('filters within each page: a page can be empty and still carry a NextToken', async () => {
    const filter = { Filters: [{ Key: 'name' as const, Values: ['prod/'] }] };
    const first = await list(filter);
    expect(first.SecretList?.map((s) => s.Name)).toEqual(['prod/1']);
    const second = await list({ ...filter, NextToken: first.NextToken });
    expect(second.SecretList).toEqual([]);
    expect(second.NextToken).toEqual(expect.any(String));
    const all: string[] = [];
    for await (const page of paginateListSecrets({ client: sm }, filter)) all.push(...(page.SecretList ?? []).map((s) => s.Name!));
    expect(all).toEqual(['prod/1', 'prod/2', 'prod/3', 'prod/4']);
    const negated = await list({ MaxResults: 100, Filters: [{ Key: 'name', Values: ['!dev/'] }] });
    expect(negated.SecretList?.map((s) => s.Name)).toEqual(['prod/1', 'prod/2', 'prod/3', 'prod/4']);
    const caseSensitive = await list({ MaxResults: 100, Filters: [{ Key: 'name', Values: ['PROD/'] }] });
    expect(caseSensitive.SecretList).toEqual([]);
  });

  it('refuses a MaxResults out of 1..100 and a NextToken it did not issue', async () => {
    expect(await sdkError(list({ MaxResults: 0 }))).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(await sdkError(list({ MaxResults: 101 }))).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(await sdkError(list({ NextToken: 'bm90IGEgdG9rZW4=' }))).toMatchObject({ name: 'InvalidNextTokenException', status: 400 });
  });
});
