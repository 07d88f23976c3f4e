import { hostScript } from '../openclaw/host-script.js';
import { MAX_FILE_BYTES } from './parse-import.js';

/** host-scripts/import.sh: every state dir of the home, read only, in one exec. */
const IMPORT_SCRIPT = hostScript('openclaw-package.sh', 'import.sh');

/** The argv for one host: a fixed script, and a number. Nothing the host named is ever in it. */
export function importArgv(maxBytes = MAX_FILE_BYTES): string[] {
  return ['sh', '-c', IMPORT_SCRIPT, 'clawctl-import', String(maxBytes)];
}
