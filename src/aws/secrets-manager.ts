import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClients } from './aws-sdk.js';

/** AWS Secrets Manager through the real SDK, in the environment's Region (AWS_REGION). */
const secretsManager = awsClients(
  () => import('@aws-sdk/client-secrets-manager'),
  (sdk) => new sdk.SecretsManagerClient({}),
);

/** Why a secret could not be read, in a user's words. */
export class AwsSecretError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Run one SDK call, turning AWS errors into messages that name the secret. */
async function call<T>(secretId: string, fn: (c: SecretsManagerClient, sdk: typeof import('@aws-sdk/client-secrets-manager')) => Promise<T>): Promise<T> {
  const { client: c, sdk } = await secretsManager();
  try {
    return await fn(c, sdk);
  } catch (err) {
    if (err instanceof AwsSecretError) throw err;
    const name = (err as Error).name;
    if (name === 'ResourceNotFoundException') {
      throw new AwsSecretError(`AWS Secrets Manager has no secret ${secretId}`, 'check the id and the region (AWS_REGION); `clawctl secrets list aws:` lists what is there');
    }
    throw new AwsSecretError(
      `AWS Secrets Manager, secret ${secretId || '(list)'}: ${name}: ${(err as Error).message}`,
      'check AWS credentials (the SDK default chain), AWS_REGION and, for a local endpoint, AWS_ENDPOINT_URL',
    );
  }
}

/** The current SecretString of a secret. */
export async function getSecretString(secretId: string): Promise<string> {
  return call(secretId, async (c, sdk) => {
    const out = await c.send(new sdk.GetSecretValueCommand({ SecretId: secretId }));
    if (out.SecretString === undefined) throw new AwsSecretError(`AWS secret ${secretId} holds binary data, not a JSON string`);
    return out.SecretString;
  });
}

/** A new version of an existing secret (AWSCURRENT moves to it), or a new secret. */
export async function putSecretString(secretId: string, value: string, create: boolean): Promise<void> {
  await call(secretId, async (c, sdk) => {
    if (create) await c.send(new sdk.CreateSecretCommand({ Name: secretId, SecretString: value, Description: 'managed by clawctl' }));
    else await c.send(new sdk.PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
  });
}

export interface SecretSummary {
  name: string;
  lastChanged?: string;
}

/** A secret's name and last change, without reading its value; undefined when it does not exist. */
export async function describeSecret(secretId: string): Promise<SecretSummary | undefined> {
  return call(secretId, async (c, sdk) => {
    const out = await c.send(new sdk.DescribeSecretCommand({ SecretId: secretId })).catch((err: Error) => {
      if (err.name === 'ResourceNotFoundException') return undefined;
      throw err;
    });
    return out && { name: out.Name ?? secretId, ...(out.LastChangedDate ? { lastChanged: out.LastChangedDate.toISOString() } : {}) };
  });
}

/** Every secret's name whose name starts with the prefix, across pages; no value is read. */
export async function listSecrets(prefix: string): Promise<SecretSummary[]> {
  return call('', async (c, sdk) => {
    const out: SecretSummary[] = [];
    let NextToken: string | undefined;
    do {
      const page = await c.send(new sdk.ListSecretsCommand({ NextToken, ...(prefix ? { Filters: [{ Key: 'name', Values: [prefix] }] } : {}) }));
      for (const s of page.SecretList ?? []) if (s.Name?.startsWith(prefix)) out.push({ name: s.Name, ...(s.LastChangedDate ? { lastChanged: s.LastChangedDate.toISOString() } : {}) });
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  });
}
