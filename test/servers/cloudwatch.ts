import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { authenticate, AwsError } from './aws-sigv4.js';

/**
 * A small, honest Amazon CloudWatch for PutMetricData: the awsJson1_0 wire protocol the SDK
 * speaks to it (POST /, X-Amz-Target GraniteServiceVersion20100801.<Operation>, JSON bodies,
 * timestamps as epoch seconds, `__type` errors with the x-amzn-query-error header of a
 * query-compatible service), gzip request bodies as the SDK compresses large ones, and SigV4
 * checked as AWS checks it (test/servers/aws-sigv4.ts, service `monitoring`) over the body as
 * it arrived. What AWS refuses is refused with its error: a missing or AWS/ namespace, more
 * than 1000 figures, a metric without a name or a value, more than 30 dimensions, an unknown unit.
 */
export interface CloudWatchServer {
  url: string;
  region: string;
  /** Every figure taken, with its namespace, in order. */
  data: { namespace: string; name: string; dimensions: Record<string, string>; value: number; unit?: string; timestamp?: number }[];
  /** PutMetricData calls taken, and whether their body came gzip-compressed. */
  puts: { figures: number; gzip: boolean }[];
  /** Every request refused, as `__type`. */
  refused: string[];
  close(): Promise<void>;
}

const SERVICE = 'monitoring';
const TARGET = 'GraniteServiceVersion20100801.';
const UNITS = new Set([
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
]);

const invalid = (message: string) => new AwsError('InvalidParameterValue', message);

export async function startCloudWatch(opts: { credentials: Record<string, string>; region?: string }): Promise<CloudWatchServer> {
  const region = opts.region ?? 'us-east-1';
  const data: CloudWatchServer['data'] = [];
  const puts: CloudWatchServer['puts'] = [];
  const refused: string[] = [];

  const putMetricData = (b: Record<string, unknown>, gzip: boolean) => {
    const namespace = b.Namespace;
    if (typeof namespace !== 'string' || namespace.length === 0) throw new AwsError('MissingParameter', 'The parameter Namespace is required.');
    if (namespace.length > 255 || namespace.startsWith('AWS/')) throw invalid(`The value ${namespace} for parameter Namespace is invalid.`);
    const figures = b.MetricData;
    if (!Array.isArray(figures) || figures.length === 0) throw new AwsError('MissingParameter', 'The parameter MetricData is required.');
    if (figures.length > 1000) throw invalid('The collection MetricData must not have a size greater than 1000.');
    const taken = figures.map((f: Record<string, unknown>, i) => {
      const at = `MetricData.member.${i + 1}`;
      if (typeof f.MetricName !== 'string' || f.MetricName.length === 0 || f.MetricName.length > 255) throw new AwsError('MissingParameter', `The parameter ${at}.MetricName is required.`);
      if (typeof f.Value !== 'number' || !Number.isFinite(f.Value)) throw new AwsError('MissingParameter', `The parameter ${at}.Value is required.`);
      if (f.Unit !== undefined && !UNITS.has(String(f.Unit))) throw invalid(`The value ${String(f.Unit)} for parameter ${at}.Unit is not valid.`);
      const dims = (f.Dimensions ?? []) as { Name?: unknown; Value?: unknown }[];
      if (!Array.isArray(dims) || dims.length > 30) throw invalid(`The collection ${at}.Dimensions must not have a size greater than 30.`);
      const dimensions: Record<string, string> = {};
      for (const d of dims) {
        if (typeof d.Name !== 'string' || typeof d.Value !== 'string' || d.Name.length === 0 || d.Value.length === 0 || d.Value.length > 1024) throw invalid(`The dimensions of ${at} are invalid.`);
        dimensions[d.Name] = d.Value;
      }
      return { namespace, name: f.MetricName, dimensions, value: f.Value, ...(f.Unit ? { unit: String(f.Unit) } : {}), ...(typeof f.Timestamp === 'number' ? { timestamp: f.Timestamp } : {}) };
    });
    data.push(...taken);
    puts.push({ figures: taken.length, gzip });
    return {};
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown, type?: string) => {
        res.writeHead(status, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-requestid': randomUUID(),
          ...(type ? { 'x-amzn-query-error': `${type};Sender` } : {}),
        });
        res.end(JSON.stringify(body));
      };
      const raw = Buffer.concat(chunks);
      try {
        authenticate(req, raw, { credentials: opts.credentials, region, service: SERVICE, now: new Date() });
        const target = String(req.headers['x-amz-target'] ?? '');
        if (req.method !== 'POST' || req.headers['content-type'] !== 'application/x-amz-json-1.0' || target !== `${TARGET}PutMetricData`)
          throw new AwsError('UnknownOperationException', `unknown operation ${target}`);
        const gzip = req.headers['content-encoding'] === 'gzip';
        const body = JSON.parse((gzip ? gunzipSync(raw) : raw).toString('utf8') || '{}') as Record<string, unknown>;
        reply(200, putMetricData(body, gzip));
      } catch (err) {
        if (err instanceof AwsError) {
          refused.push(err.type);
          reply(err.status, { __type: err.type, message: err.message }, err.type);
        } else reply(500, { __type: 'InternalServiceError', message: String(err) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    region,
    data,
    puts,
    refused,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections(); // the SDK keeps connections alive
        server.close(() => r());
      }),
  };
}
