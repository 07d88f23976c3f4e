import { awsClients } from './aws-sdk.js';

/** One figure as CloudWatch stores it: a metric of the namespace, its dimensions, a value and its unit. */
export interface MetricFigure {
  name: string;
  dimensions: Record<string, string>;
  value: number;
  unit: 'None' | 'Count' | 'Seconds';
}

/** PutMetricData takes at most 1000 figures a call. */
const PER_CALL = 1000;

/** CloudWatch through the real SDK, loaded only when a namespace is set, in the environment's Region. */
const cloudwatch = awsClients(
  () => import('@aws-sdk/client-cloudwatch'),
  (sdk) => new sdk.CloudWatchClient({}),
);

/** Put one cycle's figures, all with the cycle's time; an AWS error is thrown with AWS's words. */
export async function putFigures(namespace: string, figures: readonly MetricFigure[], at: Date): Promise<void> {
  const { client: c, sdk } = await cloudwatch();
  for (let i = 0; i < figures.length; i += PER_CALL) {
    const MetricData = figures.slice(i, i + PER_CALL).map((f) => ({
      MetricName: f.name,
      Dimensions: Object.entries(f.dimensions).map(([Name, Value]) => ({ Name, Value })),
      Value: f.value,
      Unit: f.unit,
      Timestamp: at,
    }));
    await c.send(new sdk.PutMetricDataCommand({ Namespace: namespace, MetricData }));
  }
}
