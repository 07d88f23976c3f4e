import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { authenticate, AwsError } from './aws-sigv4.js';

/**
 * A small, honest AWS Secrets Manager: the awsJson1_1 wire protocol (POST /, X-Amz-Target
 * secretsmanager.<Operation>, JSON bodies, `__type` errors) for the operations clawctl uses.
 *
 * Every request is authenticated as AWS does it: the SigV4 signature is recomputed here from
 * the canonical request (method, path, query, the headers the client names in SignedHeaders,
 * the SHA-256 of the body as received) with the secret key of the access key id in the
 * credential, and the credential scope (date, region, service, terminator) and the X-Amz-Date
 * (±15 minutes) are checked. Refusals have AWS's shapes and messages: UnrecognizedClientException
 * for an unknown key, InvalidSignatureException for a wrong signature, scope or time,
 * IncompleteSignatureException for a malformed Authorization header, all HTTP 400.
 *
 * ListSecrets pages as AWS documents it: MaxResults (1–100), an opaque NextToken, and filters
 * applied within each page, so a page can be empty and still carry a NextToken. The default
 * page is small (3) so that a client which stops after one page, or at an empty one, is caught.
 */
export interface SecretsManagerServer {
  url: string;
  region: string;
  /** Secret id → current SecretString. Insertion order is creation order. */
  secrets: Map<string, string>;
  /** Every operation called after authentication, in order: tests assert what was (and was not) asked. */
  calls: string[];
  /** Every request refused before it reached an operation, as `__type`. */
  refused: string[];
  close(): Promise<void>;
}

export interface SecretsManagerOptions {
  /** Access key id → secret access key that this "account" knows. */
  credentials?: Record<string, string>;
  region?: string;
  /** ListSecrets page size when MaxResults is not given. */
  pageSize?: number;
  /** The server's clock, for the X-Amz-Date check. */
  now?: () => Date;
}

export const TEST_ACCESS_KEY_ID = 'AKIDTEST';
export const TEST_SECRET_ACCESS_KEY = 'test-secret-key';

const SERVICE = 'secretsmanager';
const ACCOUNT = '123456789012';
const FILTER_KEYS = ['description', 'name', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all'];

export async function startSecretsManager(initial: Record<string, string> = {}, opts: SecretsManagerOptions = {}): Promise<SecretsManagerServer> {
  const credentials = opts.credentials ?? { [TEST_ACCESS_KEY_ID]: TEST_SECRET_ACCESS_KEY };
  const region = opts.region ?? 'us-east-1';
  const pageSize = opts.pageSize ?? 3;
  const now = opts.now ?? (() => new Date());
  const arn = (name: string) => `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${name}-AbCdEf`;
  const secrets = new Map(Object.entries(initial));
  const descriptions = new Map<string, string>();
  const created = new Map([...secrets.keys()].map((k) => [k, Date.now() / 1000]));
  const calls: string[] = [];
  const refused: string[] = [];
  /** NextToken → where the next page starts; tokens are opaque to clients, as AWS's are. */
  const tokens = new Map<string, number>();

  const nameOf = (id: unknown) => {
    const name = String(id ?? '').replace(/^arn:aws:secretsmanager:[^:]+:\d+:secret:(.*)-[A-Za-z0-9]{6}$/, '$1');
    if (!secrets.has(name)) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return name;
  };
  const ops: Record<string, (body: Record<string, unknown>) => unknown> = {
    GetSecretValue: (b) => {
      const name = nameOf(b.SecretId);
      return { ARN: arn(name), Name: name, VersionId: randomUUID(), SecretString: secrets.get(name), VersionStages: ['AWSCURRENT'], CreatedDate: Date.now() / 1000 };
    },
    PutSecretValue: (b) => {
      const name = nameOf(b.SecretId);
      secrets.set(name, String(b.SecretString));
      return { ARN: arn(name), Name: name, VersionId: randomUUID(), VersionStages: ['AWSCURRENT'] };
    },
    CreateSecret: (b) => {
      const name = String(b.Name);
      if (secrets.has(name)) throw new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
      secrets.set(name, String(b.SecretString ?? ''));
      created.set(name, Date.now() / 1000);
      if (typeof b.Description === 'string') descriptions.set(name, b.Description);
      return { ARN: arn(name), Name: name, VersionId: randomUUID() };
    },
    DescribeSecret: (b) => {
      const name = nameOf(b.SecretId);
      return { ARN: arn(name), Name: name, LastChangedDate: Date.now() / 1000 };
    },
    // Paged over every secret in CreatedDate order, then filtered within the page, as AWS does:
    // "[NextToken] can occur even when the response includes no values at all, such as when
    // you ask for a filtered view of a long list."
    ListSecrets: (b) => {
      const max = b.MaxResults === undefined ? pageSize : Number(b.MaxResults);
      if (!Number.isInteger(max) || max < 1 || max > 100) {
        throw new AwsError(
          'ValidationException',
          `1 validation error detected: Value '${String(b.MaxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value ${max < 1 ? 'greater than or equal to 1' : 'less than or equal to 100'}`,
        );
      }
      let start = 0;
      if (b.NextToken !== undefined) {
        const at = tokens.get(String(b.NextToken));
        if (at === undefined) throw new AwsError('InvalidNextTokenException', 'The NextToken value is invalid.');
        start = at;
      }
      const filters = (b.Filters ?? []) as { Key?: string; Values?: string[] }[];
      for (const [i, f] of filters.entries()) {
        if (!FILTER_KEYS.includes(String(f.Key))) {
          throw new AwsError(
            'ValidationException',
            `1 validation error detected: Value '${String(f.Key)}' at 'filters.${i + 1}.member.key' failed to satisfy constraint: Member must satisfy enum value set: [${FILTER_KEYS.join(', ')}]`,
          );
        }
      }
      const order = [...secrets.keys()].sort((x, y) => created.get(x)! - created.get(y)!);
      if (b.SortOrder === 'desc') order.reverse();
      const page = order.slice(start, start + max);
      const matches = (name: string) => filters.every((f) => matchesFilter(f, name, descriptions.get(name) ?? ''));
      let NextToken: string | undefined;
      if (start + max < order.length) {
        NextToken = randomBytes(24).toString('base64');
        tokens.set(NextToken, start + max);
      }
      return {
        SecretList: page.filter(matches).map((name) => ({ ARN: arn(name), Name: name, CreatedDate: created.get(name), LastChangedDate: created.get(name) })),
        ...(NextToken ? { NextToken } : {}),
      };
    },
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
        res.end(JSON.stringify(body));
      };
      const body = Buffer.concat(chunks);
      try {
        const target = String(req.headers['x-amz-target'] ?? '');
        const op = target.replace(/^secretsmanager\./, '');
        try {
          authenticate(req, body, { credentials, region, service: SERVICE, now: now() });
        } catch (err) {
          if (err instanceof AwsError) refused.push(err.type);
          throw err;
        }
        if (req.method !== 'POST' || !target.startsWith('secretsmanager.') || !ops[op]) throw new AwsError('UnknownOperationException', `unknown operation ${target}`);
        calls.push(op);
        reply(200, ops[op]!(JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>));
      } catch (err) {
        if (err instanceof AwsError) reply(err.status, { __type: err.type, message: err.message });
        else reply(500, { __type: 'InternalServiceError', message: String(err) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    region,
    secrets,
    calls,
    refused,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections(); // the SDK keeps connections alive
        server.close(() => r());
      }),
  };
}

/** A ListSecrets filter as the API documents it: prefix matches, name case-sensitive, `!` negates. */
function matchesFilter(f: { Key?: string; Values?: string[] }, name: string, description: string): boolean {
  const values = f.Values ?? [];
  const test = (v: string) => {
    const negate = v.startsWith('!');
    const prefix = negate ? v.slice(1) : v;
    const hit =
      f.Key === 'name'
        ? name.startsWith(prefix)
        : f.Key === 'description'
          ? description.toLowerCase().startsWith(prefix.toLowerCase())
          : f.Key === 'all'
            ? name.toLowerCase().startsWith(prefix.toLowerCase()) || description.toLowerCase().startsWith(prefix.toLowerCase())
            : false; // tags, regions and owning services: this server keeps none
    return negate ? !hit : hit;
  };
  return values.some(test);
}
