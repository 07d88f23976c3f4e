import { evaluate, parse, type AnyNode, type DocumentNode } from '@humanwhocodes/momoa';
import type { Diagnostic, SourcePos } from '../util/errors.js';
import type { DataPath, SourceDoc } from './source-doc.js';

export type Json5Parsed = { ok: true; doc: SourceDoc } | { ok: false; problems: Diagnostic[] };

/**
 * A JSON5 file (OpenClaw's own config format: comments, unquoted keys, trailing commas)
 * as a SourceDoc, so an issue in it is reported at its line:col like one in a manifest.
 * Integers too large for a JavaScript number are refused: JSON.parse would round a
 * Discord id such as 987654321098765432 and the host would get another id.
 */
export function parseJson5Source(file: string, text: string): Json5Parsed {
  let ast: DocumentNode;
  try {
    ast = parse(text, { mode: 'json5', ranges: true });
  } catch (err) {
    const e = err as { message: string; line?: number; column?: number };
    const pos = { file, line: e.line ?? 1, col: e.column ?? 1 };
    return {
      ok: false,
      problems: [{ pos, message: `JSON5 syntax: ${e.message.replace(/ \(\d+:\d+\)$/, '')}`, hint: 'OpenClaw configs are JSON5: comments, unquoted keys and trailing commas are fine' }],
    };
  }
  const problems = inexactNumbers(file, text, ast.body);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    doc: {
      file,
      data: evaluate(ast),
      locate(path, opts) {
        const { node, key } = nodeAt(ast.body, path);
        const at = opts?.key && key ? key : node;
        return toPos(file, at);
      },
    },
  };
}

/** The deepest node on the path, and the key that names it when it is a member's value. */
function nodeAt(root: AnyNode, path: DataPath): { node: AnyNode; key?: AnyNode } {
  let node = root;
  let key: AnyNode | undefined;
  for (const step of path) {
    if (node.type === 'Object') {
      const member = [...node.members].reverse().find((m) => memberName(m.name) === String(step));
      if (!member) return { node };
      key = member.name;
      node = member.value;
    } else if (node.type === 'Array' && typeof step === 'number' && node.elements[step]) {
      key = undefined;
      node = node.elements[step].value;
    } else {
      return { node };
    }
  }
  return key ? { node, key } : { node };
}

function memberName(name: AnyNode): string {
  return name.type === 'Identifier' ? name.name : name.type === 'String' ? name.value : '';
}

function inexactNumbers(file: string, text: string, root: AnyNode): Diagnostic[] {
  const out: Diagnostic[] = [];
  const walk = (node: AnyNode): void => {
    if (node.type === 'Object') for (const m of node.members) walk(m.value);
    else if (node.type === 'Array') for (const e of node.elements) walk(e.value);
    else if (node.type === 'Number' && !Number.isSafeInteger(node.value) && Number.isInteger(node.value)) {
      const raw = node.range ? text.slice(node.range[0], node.range[1]) : String(node.value);
      if (/^[+-]?\d+$/.test(raw)) {
        out.push({
          pos: toPos(file, node),
          message: `${raw} is too large to keep exactly; quote it: "${raw.replace(/^\+/, '')}"`,
          hint: `JSON5 reads an unquoted integer as a number, exact only up to ${Number.MAX_SAFE_INTEGER}; ids (Discord guilds, channels, users) must be strings`,
        });
      }
    }
  };
  walk(root);
  return out;
}

function toPos(file: string, node: AnyNode): SourcePos {
  return { file, line: node.loc?.start.line ?? 1, col: node.loc?.start.column ?? 1 };
}
