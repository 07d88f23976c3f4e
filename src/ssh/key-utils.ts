type Ssh2 = typeof import('ssh2');

/** ssh2's key utilities (parse, generate), loaded only when a command needs them: ssh2 is CommonJS, and not small. */
export async function sshKeyUtils(): Promise<Ssh2['utils']> {
  const mod = (await import('ssh2')) as unknown as Ssh2 & { default?: Ssh2 };
  return (mod.default ?? mod).utils;
}
