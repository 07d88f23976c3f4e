import type { LoadedFleet } from '../load/load-fleet.js';
import type { SourceDoc } from '../load/source-doc.js';
import { ClawctlError, formatPos, type Diagnostic } from '../util/errors.js';
import { isObject } from '../util/json.js';
import { KINDS, type AgentManifest, type AnyManifest, type FleetManifest, type HostManifest, type Kind, type Manifests, type PolicyManifest, type Sourced } from './manifests.js';
import { schemaDiagnostics } from './schema-errors.js';
import { manifestValidators, type ManifestValidators } from './schemas.js';
import { crossReferenceDiagnostics } from './cross-references.js';
import { withConfigFiles } from './config-files.js';
import { receiverDiagnostics } from '../alerts/receiver-names.js';

/**
 * Schema-check every document, then cross-reference them. Every problem in the fleet is
 * reported in one run; nothing downstream sees a fleet with any.
 */
export async function validateFleet(fleet: LoadedFleet, cwd = process.cwd()): Promise<Manifests> {
  const validators = await manifestValidators();
  const problems: Diagnostic[] = [];
  const valid: Sourced<AnyManifest>[] = [];
  // Documents with schema errors that still name their kind, name and (agents) host: their
  // clashes with other documents are reported in the same run, not after the schema is fixed.
  const shaped: Sourced<AnyManifest>[] = [];
  for (const doc of fleet.docs) {
    const found = checkDocument(doc, validators);
    if (!Array.isArray(found)) valid.push(found);
    else {
      problems.push(...found);
      if (shapedEnough(doc.data)) shaped.push({ manifest: doc.data as unknown as AnyManifest, source: doc });
    }
  }
  const byKind = <M extends AnyManifest>(kind: Kind) => valid.filter((s) => s.manifest.kind === kind) as Sourced<M>[];
  const fleets = byKind<FleetManifest>('Fleet');
  const hosts = byKind<HostManifest>('Host');
  const withFiles = await withConfigFiles(byKind<AgentManifest>('Agent'), fleet.dir, cwd);
  const agents = withFiles.agents;
  problems.push(...withFiles.problems);
  const policies = byKind<PolicyManifest>('Policy');

  // Counted over raw documents, so a Fleet with schema errors is not also reported missing.
  if (!fleet.docs.some((d) => isObject(d.data) && d.data.kind === 'Fleet')) {
    problems.push({ message: `${fleet.dir}: no Fleet manifest`, hint: 'a fleet needs exactly one document of kind: Fleet' });
  }
  for (const extra of fleets.slice(1)) {
    problems.push({
      pos: extra.source.locate(['kind']),
      message: `a second Fleet "${extra.manifest.metadata.name}"; a fleet has exactly one`,
      hint: `the first is at ${formatPos(fleets[0]!.source.locate(['kind']))}`,
    });
  }
  problems.push(...fleets.slice(0, 1).flatMap(receiverDiagnostics));
  const all = [...valid, ...shaped];
  const crossKind = <M extends AnyManifest>(kind: Kind) => all.filter((s) => s.manifest.kind === kind) as Sourced<M>[];
  problems.push(
    ...crossReferenceDiagnostics(crossKind<HostManifest>('Host'), [...agents, ...crossKind<AgentManifest>('Agent').filter((a) => !valid.includes(a))], crossKind<PolicyManifest>('Policy'), fleets[0]),
  );
  if (problems.length > 0) throw ClawctlError.of(problems, `${problems.length} problem(s) in ${fleet.dir}`);
  return { fleet: fleets[0]!, hosts, agents, policies };
}

function checkDocument(doc: SourceDoc, validators: ManifestValidators): Sourced<AnyManifest> | Diagnostic[] {
  if (!isObject(doc.data)) return [{ pos: doc.locate([]), message: 'a manifest must be a mapping with apiVersion, kind, metadata and spec' }];
  const kind = doc.data.kind;
  if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) {
    const shown = typeof kind === 'string' ? `unknown kind "${kind}"` : 'missing kind';
    return [{ pos: doc.locate(['kind']), message: shown, hint: `kind is one of: ${KINDS.join(', ')}` }];
  }
  const validate = validators[kind as Kind];
  if (!validate(doc.data)) return schemaDiagnostics(doc, validate.errors ?? []);
  return { manifest: doc.data as unknown as AnyManifest, source: doc };
}

/** Enough of a manifest to check against the others: its kind, its name, and an agent's host. */
function shapedEnough(data: unknown): boolean {
  if (!isObject(data) || !isObject(data.metadata) || typeof data.metadata.name !== 'string') return false;
  if (data.kind === 'Host' || data.kind === 'Policy') return true;
  return data.kind === 'Agent' && isObject(data.spec) && typeof data.spec.host === 'string' && (data.spec.openclaw === undefined || isObject(data.spec.openclaw));
}
