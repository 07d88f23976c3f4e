import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A small, honest AWS Secrets Manager: the awsJson1_1 wire protocol (POST /, X-Amz-Target
 * secretsmanager.<Operation>, JSON bodies, `__type` errors) for the operations clawctl uses.
 * Signatures are not checked; the Authorization header must be present, as AWS requires.
 */
export interface SecretsManagerServer {
  url: string;
  /** Secret id → current SecretString. */
  secrets: Map<string, string>;
  /** Every operation called, in order: tests assert what was (and was not) asked. */
  calls: string[];
  close(): Promise<void>;
}

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const arn = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export async function startSecretsManager(initial: Record<string, string> = {}): Promise<SecretsManagerServer> {
  const secrets = new Map(Object.entries(initial));
  const calls: string[] = [];
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
      return { ARN: arn(name), Name: name, VersionId: randomUUID() };
    },
    DescribeSecret: (b) => {
      const name = nameOf(b.SecretId);
      return { ARN: arn(name), Name: name, LastChangedDate: Date.now() / 1000 };
    },
    // Filters as AWS applies them: Key "name" matches names starting with any of the values.
    ListSecrets: (b) => {
      const filters = (b.Filters ?? []) as { Key: string; Values: string[] }[];
      const prefixes = filters.filter((f) => f.Key === 'name').flatMap((f) => f.Values);
      const names = [...secrets.keys()].sort().filter((n) => prefixes.length === 0 || prefixes.some((p) => n.toLowerCase().startsWith(p.toLowerCase())));
      return { SecretList: names.map((name) => ({ ARN: arn(name), Name: name })) };
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
      try {
        const target = String(req.headers['x-amz-target'] ?? '');
        const op = target.replace(/^secretsmanager\./, '');
        if (req.method !== 'POST' || !target.startsWith('secretsmanager.') || !ops[op]) throw new AwsError('UnknownOperationException', `unknown operation ${target}`);
        if (!req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ')) throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
        calls.push(op);
        reply(200, ops[op]!(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>));
      } catch (err) {
        if (err instanceof AwsError) reply(err.status, { __type: err.type, message: err.message });
        else reply(500, { __type: 'InternalServiceError', message: String(err) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, secrets, calls, close: () => new Promise((r) => {
      server.closeAllConnections(); // the SDK keeps connections alive
      server.close(() => r());
    }) };
}
