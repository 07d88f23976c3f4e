import { readFileSync } from 'node:fs';

/** A script from host-scripts/, with the fragments it needs before it, read once at load. */
export function hostScript(...files: string[]): string {
  return files.map((f) => readFileSync(new URL(`../../host-scripts/${f}`, import.meta.url), 'utf8')).join('\n');
}
