import { dirname, resolve } from 'node:path';
import { loadConfigFile } from '../load/config-file.js';
import type { Diagnostic } from '../util/errors.js';
import type { AgentManifest, Sourced, SourcedAgent } from './manifests.js';

/**
 * Read each agent's `openclaw.configFile` (relative to its manifest) with its includes, so
 * later stages see one config per agent and every error points into the file that has it.
 */
export async function withConfigFiles(agents: Sourced<AgentManifest>[], fleetDir: string, cwd: string): Promise<{ agents: SourcedAgent[]; problems: Diagnostic[] }> {
  const problems: Diagnostic[] = [];
  const out: SourcedAgent[] = [];
  for (const agent of agents) {
    const name = agent.manifest.spec.openclaw?.configFile;
    if (name === undefined) {
      out.push(agent);
      continue;
    }
    const path = resolve(cwd, dirname(agent.source.file), name);
    const loaded = await loadConfigFile(path, resolve(cwd, fleetDir), cwd, { doc: agent.source, path: ['spec', 'openclaw', 'configFile'] });
    if (!loaded.ok) problems.push(...loaded.problems.map((p) => ({ ...p, message: `agent ${agent.manifest.metadata.name}: ${p.message}` })));
    else out.push({ ...agent, configFile: loaded.file });
  }
  return { agents: out, problems };
}
