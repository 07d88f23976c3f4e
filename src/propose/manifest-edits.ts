import { isCollection, isScalar, parseAllDocuments, parseDocument, type Document } from 'yaml';
import { ClawctlError } from '../util/errors.js';

/**
 * `--set KIND/NAME:PATH=VALUE` and `--unset KIND/NAME:PATH`: the precise edits an agent (or a
 * script) proposes, applied to the YAML that holds the object with its comments kept.
 * PATH is dotted, with ["quoted"] segments for keys that hold dots and numbers for list
 * items; VALUE is YAML (`2026.9.7`, `true`, `[a, b]`, `{sops: f, key: k}`; quote to force a string).
 */
export interface ManifestEdit {
  /** As the user wrote it: shown in the pull request. */
  spec: string;
  kind: string;
  /** Absent for the Fleet, of which there is exactly one. */
  name?: string;
  path: (string | number)[];
  /** The YAML text of the new value; undefined for --unset. */
  value?: string;
}

const KINDS: Record<string, string> = { fleet: 'Fleet', host: 'Host', agent: 'Agent', policy: 'Policy' };

export function parseEdit(spec: string, unset: boolean): ManifestEdit {
  const flag = unset ? '--unset' : '--set';
  const bad = (why: string) =>
    new ClawctlError(`${flag} ${spec}: ${why}`, [
      { message: `${flag} ${spec}: ${why}`, hint: unset ? 'e.g. --unset agent/support:spec.env.OLD_FLAG' : 'e.g. --set agent/support:spec.openclaw.version=2026.9.7' },
    ]);
  const m = /^([A-Za-z]+)(?:\/([a-z0-9-]+))?:(.+)$/.exec(spec);
  if (!m) throw bad(`expected KIND/NAME:PATH${unset ? '' : '=VALUE'}`);
  const kind = KINDS[m[1]!.toLowerCase()];
  if (!kind) throw bad(`unknown kind "${m[1]}" (expected agent, host, policy or fleet)`);
  if (!m[2] && kind !== 'Fleet') throw bad(`name the ${kind.toLowerCase()}: ${m[1]}/NAME:PATH`);
  let rest = m[3]!;
  let value: string | undefined;
  if (!unset) {
    const eq = findAssignment(rest);
    if (eq < 0) throw bad('expected PATH=VALUE');
    value = rest.slice(eq + 1);
    rest = rest.slice(0, eq);
    const parsed = parseDocument(value);
    if (parsed.errors.length > 0) throw bad(`the value is not valid YAML: ${parsed.errors[0]!.message.split('\n')[0]}`);
  }
  const path = parsePath(rest);
  if (!path) throw bad(`cannot read the path "${rest}"`);
  if (path[0] === 'apiVersion' || path[0] === 'kind' || (path[0] === 'metadata' && path[1] === 'name')) throw bad('kind, apiVersion and metadata.name identify the object and are not edited');
  return { spec, kind, ...(m[2] ? { name: m[2] } : {}), path, ...(value !== undefined ? { value } : {}) };
}

/** The `=` that ends the path: the first one outside ["…"] segments. */
function findAssignment(text: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"' && text[i - 1] !== '\\') quoted = !quoted;
    else if (text[i] === '=' && !quoted) return i;
  }
  return -1;
}

function parsePath(text: string): (string | number)[] | undefined {
  const path: (string | number)[] = [];
  const re = /\.?(?:\["((?:[^"\\]|\\.)*)"\]|([^.[\]"]+))/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text))) {
    if (m[1] !== undefined) path.push(m[1].replace(/\\(.)/g, '$1'));
    else path.push(/^\d+$/.test(m[2]!) ? Number(m[2]) : m[2]!);
  }
  return path.length > 0 && re.lastIndex === text.length ? path : undefined;
}

/** Does this document define the object the edit is about? */
export function editTargets(e: ManifestEdit, data: unknown): boolean {
  const d = data as { kind?: unknown; metadata?: { name?: unknown } } | null;
  return d?.kind === e.kind && (e.name === undefined || d.metadata?.name === e.name);
}

/**
 * The file's text with the edits to one of its documents applied. Only that document is
 * re-serialised (so only it may change layout); comments stay; the rest of the file is kept byte for byte.
 */
export function applyEdits(text: string, edits: readonly ManifestEdit[]): string {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error('not a YAML stream');
  let out = text;
  // From the last document back, so earlier ranges stay valid as text changes length.
  for (let i = docs.length - 1; i >= 0; i--) {
    const doc = docs[i]!;
    const mine = edits.filter((e) => editTargets(e, doc.toJS()));
    if (mine.length === 0) continue;
    for (const e of mine) applyOne(doc, e);
    const start = i === 0 ? 0 : doc.range[0];
    out = out.slice(0, start) + doc.toString({ lineWidth: 0 }) + out.slice(doc.range[2]);
  }
  return out;
}

function applyOne(doc: Document, e: ManifestEdit): void {
  const parentPath = e.path.slice(0, -1);
  const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
  if (parent !== undefined && parent !== null && !isCollection(parent) && !(isScalar(parent) && parent.value === null)) {
    throw new ClawctlError(`${e.spec}: ${parentPath.join('.')} holds a value, not a map or list`, [
      { message: `${e.spec}: cannot set a field inside a scalar`, hint: 'set the parent itself, e.g. PATH={key: value}' },
    ]);
  }
  if (e.value === undefined) {
    if (!doc.hasIn(e.path)) throw new ClawctlError(`--unset ${e.spec}: there is no ${e.path.join('.')} to remove`, [{ message: `${e.spec}: nothing at ${e.path.join('.')}` }]);
    doc.deleteIn(e.path);
  } else {
    if (isScalar(parent) && parent.value === null) doc.setIn(parentPath, doc.createNode({})); // `env:` with nothing under it yet
    doc.setIn(e.path, parseDocument(e.value).contents);
  }
}
