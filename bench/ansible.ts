import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SshHost } from '../test/harness/sshd.js';
import { timed, type Timed } from './lab.js';

/** The same job as clawctl, the Ansible way: copy both files per host, in check mode with diff to plan. */
export function ansibleAvailable(): boolean {
  try {
    execFileSync('ansible-playbook', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function ansibleVersion(): string {
  return execFileSync('ansible-playbook', ['--version']).toString().split('\n')[0]!.trim();
}

/**
 * An Ansible project for these hosts: inventory with pinned host keys (as clawctl pins
 * them), pipelining on, `forks` as clawctl's concurrency. files/<host>/ holds each host's two
 * files, written by the caller.
 */
export function writeAnsibleProject(dir: string, hosts: SshHost[], identityFile: string, forks: number): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'known_hosts'), `${hosts.map((h) => `[127.0.0.1]:${h.port} ${h.hostKey}`).join('\n')}\n`);
  writeFileSync(join(dir, 'inventory.ini'), `${['[fleet]', ...hosts.map((h) => `${h.name} ansible_host=127.0.0.1 ansible_port=${h.port} ansible_user=${h.user}`)].join('\n')}\n`);
  writeFileSync(
    join(dir, 'ansible.cfg'),
    [
      '[defaults]',
      'host_key_checking = True',
      `forks = ${forks}`,
      'interpreter_python = /usr/bin/python3',
      'gathering = explicit',
      `private_key_file = ${identityFile}`,
      '[ssh_connection]',
      'pipelining = True',
      `ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${join(dir, 'known_hosts')} -o StrictHostKeyChecking=yes`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'site.yml'),
    `- hosts: fleet
  tasks:
    - name: openclaw.json
      copy: {src: "files/{{ inventory_hostname }}/openclaw.json", dest: "~/.openclaw/openclaw.json", mode: "0600"}
    - name: .env
      copy: {src: "files/{{ inventory_hostname }}/env", dest: "~/.openclaw/.env", mode: "0600"}
`,
  );
}

export function writeAnsibleFiles(dir: string, files: Map<string, { config: string; env: string }>): void {
  for (const [host, f] of files) {
    mkdirSync(join(dir, 'files', host), { recursive: true });
    writeFileSync(join(dir, 'files', host, 'openclaw.json'), f.config);
    writeFileSync(join(dir, 'files', host, 'env'), f.env);
  }
}

/**
 * One timed run, starting cold as clawctl does: its SSH control sockets live in a directory
 * of its own, so the masters an earlier run left (ControlPersist) are not reused; within the
 * run every task shares its host's connection.
 */
export function runAnsible(dir: string, check: boolean): Promise<Timed> {
  const controlDir = mkdtempSync(join(dir, 'cp-'));
  return timed('ansible-playbook', ['-i', 'inventory.ini', 'site.yml', ...(check ? ['--check', '--diff'] : [])], {
    cwd: dir,
    env: { ANSIBLE_CONFIG: join(dir, 'ansible.cfg'), ANSIBLE_NOCOLOR: '1', ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir },
  });
}
