/**
 * What every AWS client of clawctl shares: the SDK loaded at the first call (fleets that never
 * use a service do not pay for its package), one client per Region, and an AWS error as the
 * user and AWS support need it. Credentials (the default chain) and the endpoint
 * (AWS_ENDPOINT_URL) come from the environment, as for any AWS tool.
 */
export type ClientFor<C, S> = (region?: string) => Promise<{ client: C; sdk: S }>;

/** One client per Region (none given: the environment's AWS_REGION), made once its package is loaded. */
export function awsClients<C, S>(load: () => Promise<S>, make: (sdk: S, region: string | undefined) => C): ClientFor<C, S> {
  const clients = new Map<string, Promise<{ client: C; sdk: S }>>();
  return (region) => {
    let c = clients.get(region ?? '');
    if (!c) {
      // The SDK's notice about Node versions concerns its own future releases, pinned in
      // clawctl's lock file: it is not the user's to act on.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      c = load().then((sdk) => ({ sdk, client: make(sdk, region) }));
      clients.set(region ?? '', c);
    }
    return c;
  };
}

/** Calls through those clients whose failures are AwsCallErrors naming the service and operation. */
export function awsCaller<C, S>(service: string, clients: ClientFor<C, S>) {
  return async <T>(region: string, operation: string, fn: (client: C, sdk: S) => Promise<T>): Promise<T> => {
    const { client, sdk } = await clients(region);
    try {
      return await fn(client, sdk);
    } catch (err) {
      throw AwsCallError.from(service, operation, err);
    }
  };
}

/** An AWS call that failed: the service and operation, AWS's error code and words, and its request id. */
export class AwsCallError extends Error {
  constructor(
    readonly service: string,
    readonly operation: string,
    readonly awsCode: string,
    readonly awsMessage: string,
    readonly requestId: string | undefined,
  ) {
    super(`${service} ${operation}: ${awsCode}: ${awsMessage}${requestId ? ` (AWS request id ${requestId})` : ''}`);
    this.name = 'AwsCallError';
  }

  /** The SDK's error as thrown: its code (Query APIs) or name (JSON APIs), message and request id. */
  static from(service: string, operation: string, err: unknown): AwsCallError {
    if (err instanceof AwsCallError) return err;
    const e = err as Error & { $metadata?: { requestId?: string }; Code?: string; Message?: string };
    return new AwsCallError(service, operation, e.Code ?? e.name, e.message || e.Message || 'no message', e.$metadata?.requestId);
  }
}
