import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * AWS Secrets Manager through the real SDK: region, credentials (default chain) and
 * endpoint (AWS_ENDPOINT_URL) come from the environment as for any AWS tool. Loaded lazily:
 * the SDK costs start-up time that fleets without AWS secrets should not pay.
 */
let client: Promise<SecretsManagerClient> | undefined;

async function secretsManager(): Promise<{ client: SecretsManagerClient; sdk: typeof import('@aws-sdk/client-secrets-manager') }> {
  // The SDK warns on Node < 22 about its future releases; clawctl pins its SDK in the lock
  // file, so that is ours to act on, not the user's: keep it off their stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const sdk = await import('@aws-sdk/client-secrets-manager');
  client ??= Promise.resolve(new sdk.SecretsManagerClient({}));
  return { client: await client, sdk };
}

/** Why a secret could not be read, in a user's words. */
export class AwsSecretError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** The current SecretString of a secret. */
export async function getSecretString(secretId: string): Promise<string> {
  const { client: c, sdk } = await secretsManager();
  try {
    const out = await c.send(new sdk.GetSecretValueCommand({ SecretId: secretId }));
    if (out.SecretString === undefined) throw new AwsSecretError(`AWS secret ${secretId} holds binary data, not a JSON string`);
    return out.SecretString;
  } catch (err) {
    if (err instanceof AwsSecretError) throw err;
    const name = (err as Error).name;
    if (name === 'ResourceNotFoundException') {
      throw new AwsSecretError(`AWS Secrets Manager has no secret ${secretId}`, 'check the id and the region (AWS_REGION); `clawctl secrets list aws:` lists what is there');
    }
    throw new AwsSecretError(`cannot read AWS secret ${secretId}: ${name}: ${(err as Error).message}`, 'check AWS credentials (the SDK default chain), AWS_REGION and, for a local endpoint, AWS_ENDPOINT_URL');
  }
}
