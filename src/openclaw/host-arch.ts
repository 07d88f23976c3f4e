/** The machine architectures OpenClaw's Node has builds for, in Node's names. */
export type HostArch = 'x64' | 'arm64';

/** Node's name for a machine `uname -m` names; undefined for one OpenClaw has no Node build for here. */
export function hostArch(uname: string | undefined): HostArch | undefined {
  if (uname === 'x86_64' || uname === 'amd64') return 'x64';
  if (uname === 'aarch64' || uname === 'arm64') return 'arm64';
  return undefined;
}
