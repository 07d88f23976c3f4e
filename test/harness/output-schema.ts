import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { expect } from 'vitest';

const ajv = new Ajv({ strict: false, allErrors: true });

/** Assert that a command's --json output matches its committed schema (schemas/output/). */
export function expectOutputSchema(command: string, output: unknown): void {
  const file = fileURLToPath(new URL(`../../schemas/output/${command.replace(' ', '-')}.schema.json`, import.meta.url));
  const schema = JSON.parse(readFileSync(file, 'utf8')) as { $id: string };
  const validate = ajv.getSchema(schema.$id) ?? ajv.compile(schema);
  const ok = validate(output);
  expect(ok, `${command} --json output does not match ${file}: ${ajv.errorsText(validate.errors)}`).toBe(true);
}
