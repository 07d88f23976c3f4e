import type { LockOptions } from 'proper-lockfile';

type LockFile = typeof import('proper-lockfile');

/**
 * proper-lockfile's `lock`, loaded at the first lock: a run that writes nothing (validate,
 * plan) never loads it. Its module is CommonJS, whose named exports a bundled dynamic
 * import does not carry: `default` is its module.exports.
 */
export async function lockFile(path: string, options: LockOptions): Promise<() => Promise<void>> {
  const mod = (await import('proper-lockfile')) as LockFile & { default?: LockFile };
  return (mod.default ?? mod).lock(path, options);
}
