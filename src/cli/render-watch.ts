import type { WatchCycle } from '../engine/watch-run.js';
import { renderPlanText } from '../plan/render-text.js';
import { formatDiagnostic } from '../util/errors.js';
import { renderApplyText } from './render-apply.js';
import { renderAlerts } from './render-alerts.js';

const VERDICT: Record<WatchCycle['outcome'], string> = {
  'in-sync': 'in sync',
  drift: 'changes pending (run with --apply to apply them)',
  applied: 'applied',
  partial: 'applied partly; failed agents were rolled back',
  refused: 'refused by policy; nothing applied',
  error: 'error',
};

/** One cycle of `clawctl watch`, from its JSON form: a header line, then what a person needs. */
export function renderWatchCycle(c: WatchCycle): string {
  const out = [`[${c.at}] cycle ${c.cycle} (${c.trigger}): ${VERDICT[c.outcome]}`];
  if (c.error) out.push(...c.error.diagnostics.map(formatDiagnostic), `Error: ${c.error.message}`);
  else if (c.plan && c.outcome !== 'in-sync') out.push(renderPlanText(c.plan));
  if (c.apply) out.push(renderApplyText(c.apply));
  if (c.alerts) out.push(...renderAlerts(c.alerts));
  if (c.alertsError) out.push(`alerts: ${c.alertsError}`);
  if (c.historyError) out.push(`health history: ${c.historyError}`);
  return out.join('\n');
}
