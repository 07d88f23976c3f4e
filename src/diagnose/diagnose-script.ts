import { serviceUnitName } from '../openclaw/paths.js';
import { hostScript } from '../openclaw/host-script.js';
import type { ServiceKind } from '../validate/manifests.js';

/** host-scripts/diagnose.sh: read-only, one exec per diagnosis. */
const DIAGNOSE_SCRIPT = hostScript('openclaw-log.sh', 'gateway-lock.sh', 'diagnose.sh');

export interface DiagnoseTarget {
  service: ServiceKind;
  stateDir: string;
  port: number;
  profile?: string;
}

/** Every value is an argument, never spliced into the script. */
export function diagnoseArgv(t: DiagnoseTarget, logLines: number): string[] {
  return ['sh', '-c', DIAGNOSE_SCRIPT, 'clawctl-diagnose', t.service, t.stateDir, String(t.port), serviceUnitName(t.profile), t.profile ?? '', String(logLines)];
}
