#!/usr/bin/env node
// The CLI contract, committed so CI catches a breaking change (as Salesforce's oclif plugins
// do): command-snapshot.json (every command, flag and argument) and schemas/output/*.schema.json
// (the JSON Schema of each command's --json output, generated from its result type).
// `node scripts/cli-contract.mjs` rewrites them; `--check` fails if they are out of date.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Config } from '@oclif/core';
import { createGenerator } from 'ts-json-schema-generator';

const root = fileURLToPath(new URL('..', import.meta.url));
const check = process.argv.includes('--check');

/** Command id → [file declaring its result type, the type]. */
const OUTPUTS = {
  validate: ['src/commands/validate.ts', 'ValidateResult'],
  plan: ['src/plan/plan.ts', 'Plan'],
  apply: ['src/commands/apply.ts', 'ApplyCommandResult'],
  status: ['src/commands/status.ts', 'StatusResult'],
  'agents list': ['src/commands/agents/list.ts', 'AgentsListResult'],
  'agents info': ['src/commands/agents/info.ts', 'AgentInfoResult'],
  unlock: ['src/commands/unlock.ts', 'UnlockResult'],
  init: ['src/engine/init-run.ts', 'InitResult'],
  'secrets set': ['src/secrets/secrets-run.ts', 'SecretWriteResult'],
  'secrets rm': ['src/secrets/secrets-run.ts', 'SecretWriteResult'],
  'secrets rotate': ['src/commands/secrets/rotate.ts', 'SecretsRotateResult'],
  'secrets get': ['src/secrets/secrets-run.ts', 'SecretReadResult'],
  'secrets list': ['src/commands/secrets/list.ts', 'SecretsListResult'],
  'secrets rehash': ['src/commands/secrets/rehash.ts', 'SecretsRehashResult'],
  'audit log': ['src/commands/audit/log.ts', 'AuditLogResult'],
  'audit verify': ['src/commands/audit/verify.ts', 'AuditVerifyResult'],
  'policy test': ['src/commands/policy/test.ts', 'PolicyTestCommandResult'],
  diagnose: ['src/commands/diagnose.ts', 'DiagnoseCommandResult'],
  'agents logs': ['src/agents/logs-run.ts', 'AgentLogsResult'],
  'agents restart': ['src/agents/restart-run.ts', 'RestartResult'],
  import: ['src/engine/import-run.ts', 'ImportResult'],
  'hosts keyscan': ['src/commands/hosts/keyscan.ts', 'KeyscanResult'],
  'hosts keygen': ['src/ssh/host-keygen-run.ts', 'HostKeygenResult'],
  propose: ['src/propose/propose-run.ts', 'ProposeResult'],
  'network list': ['src/tailscale/network-run.ts', 'NetworkListResult'],
  'network status': ['src/tailscale/network-run.ts', 'NetworkStatusResult'],
  'network tag': ['src/tailscale/network-run.ts', 'NetworkTagResult'],
  'hosts observer-line': ['src/commands/hosts/observer-line.ts', 'ObserverLineResult'],
  'backups list': ['src/backups/backups-run.ts', 'BackupsListResult'],
  'backups restore': ['src/backups/backups-run.ts', 'BackupRestoreResult'],
  watch: ['src/engine/watch-run.ts', 'WatchCycle'],
  'alerts test': ['src/alerts/test-send.ts', 'AlertsTestResult'],
  dashboard: ['src/commands/dashboard.ts', 'DashboardResult'],
  error: ['src/cli/base-command.ts', 'ErrorOutput'],
};

const config = await Config.load(root);
const snapshot = config.commands
  .map((c) => ({
    command: c.id.replace(/:/g, ' '),
    flags: Object.entries(c.flags)
      .map(([name, f]) => ({ name, type: f.type, ...(f.char ? { char: f.char } : {}), ...(f.multiple ? { multiple: true } : {}), ...(f.default !== undefined ? { default: f.default } : {}) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    args: Object.entries(c.args).map(([name, a]) => ({ name, ...(a.required ? { required: true } : {}) })),
  }))
  .sort((a, b) => a.command.localeCompare(b.command));

const files = { 'command-snapshot.json': snapshot };
// One TypeScript program for every result type: a generator per type made one program each,
// which took minutes.
const sources = [...new Set(Object.values(OUTPUTS).map(([path]) => path))];
const generator = createGenerator({ path: `${root}{${sources.join(',')}}`, tsconfig: `${root}tsconfig.json`, skipTypeCheck: true, additionalProperties: false });
for (const [id, [, type]] of Object.entries(OUTPUTS)) {
  const schema = generator.createSchema(type);
  schema.$id = `https://clawctl.dev/schemas/v1/output/${id.replace(' ', '-')}.schema.json`;
  schema.title = id === 'error' ? 'clawctl --json output of a failed command' : `clawctl ${id} --json output`;
  files[`schemas/output/${id.replace(' ', '-')}.schema.json`] = schema;
}

const stale = [];
mkdirSync(`${root}schemas/output`, { recursive: true });
for (const [path, data] of Object.entries(files)) {
  const text = `${JSON.stringify(data, null, 2)}\n`;
  let old = '';
  try {
    old = readFileSync(`${root}${path}`, 'utf8');
  } catch {}
  if (old === text) continue;
  if (check) stale.push(path);
  else writeFileSync(`${root}${path}`, text);
}
if (stale.length > 0) {
  console.error(`The CLI contract changed: ${stale.join(', ')}.\nIf the change is intended, run \`node scripts/cli-contract.mjs\` and commit the result.`);
  process.exit(1);
}
