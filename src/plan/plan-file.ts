import { readFile, writeFile } from 'node:fs/promises';
import { ClawctlError } from '../util/errors.js';
import { PLAN_FORMAT_VERSION, type Plan } from './plan.js';

/** A saved plan is the Plan object itself; it already carries the fingerprint of its inputs. */
export async function savePlan(path: string, plan: Plan): Promise<void> {
  await writeFile(path, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o600 });
}

export async function readPlan(path: string): Promise<Plan> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new ClawctlError(`cannot read plan file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, [
      { message: `${path} is not a readable clawctl plan`, hint: 'make one with `clawctl plan --out FILE`' },
    ]);
  }
  const plan = data as Partial<Plan>;
  if (plan.format_version !== PLAN_FORMAT_VERSION || !plan.fingerprint || !Array.isArray(plan.changes) || !Array.isArray(plan.hosts)) {
    throw new ClawctlError(`${path}: not a clawctl plan of format ${PLAN_FORMAT_VERSION}`, [
      { message: `${path} has format_version ${JSON.stringify(plan.format_version)}; this clawctl reads ${PLAN_FORMAT_VERSION}`, hint: 'plan again with this clawctl' },
    ]);
  }
  return plan as Plan;
}
