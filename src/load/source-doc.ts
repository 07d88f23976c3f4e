import { isMap, isNode, isScalar, isSeq, type LineCounter, parseDocument, type Document, type Pair } from 'yaml';
import type { SourcePos } from '../util/errors.js';

/** Path into a document's data, as ajv and JSON Pointer name it. */
export type DataPath = readonly (string | number)[];

/** One YAML document of a fleet file, with what is needed to point back into its source. */
export interface SourceDoc {
  /** Path of the file as the user named it (relative to the working directory). */
  readonly file: string;
  readonly data: unknown;
  /**
   * Where a value (or, failing that, its nearest parent) stands in the file; with
   * `key`, where the key naming it stands (for "unknown field" errors).
   */
  locate(path: DataPath, opts?: { key?: boolean }): SourcePos;
}

/**
 * The document's syntax tree is not kept: a fleet of thousands of agents would hold
 * hundreds of MB of it for the rare error. locate() parses the document's own text again,
 * once, when it is first asked, and maps positions back into the whole file.
 */
export function makeSourceDoc(file: string, text: string, range: readonly [number, number], data: unknown, lines: LineCounter): SourceDoc {
  let doc: Document | undefined;
  const tree = () => (doc ??= parseDocument(text.slice(range[0], range[1]), { keepSourceTokens: false }));
  const pos = (offset: number) => toPos(file, lines, range[0] + offset);
  return {
    file,
    data,
    locate(path, opts) {
      const d = tree();
      if (opts?.key && path.length > 0) {
        const at = keyRange(d, path);
        if (at !== undefined) return pos(at);
      }
      for (let n = path.length; n >= 0; n--) {
        const node = nodeAt(d.contents, path.slice(0, n));
        if (isNode(node) && node.range) return pos(node.range[0]);
        // A key whose value is null or missing has no node; point at the key itself.
        if (n > 0) {
          const keyPos = keyRange(d, path.slice(0, n));
          if (keyPos !== undefined) return pos(keyPos);
        }
      }
      return pos(d.contents?.range?.[0] ?? 0);
    },
  };
}

function keyRange(doc: Document, path: DataPath): number | undefined {
  const key = pairAt(nodeAt(doc.contents, path.slice(0, -1)), path[path.length - 1]!)?.key;
  return isScalar(key) ? key.range?.[0] : undefined;
}

/**
 * The node at a data path. Not Document.getIn: data keys are strings, and getIn would not
 * find `123: …`, whose key YAML reads as the number 123.
 */
function nodeAt(root: unknown, path: DataPath): unknown {
  let node = root;
  for (const seg of path) {
    if (isSeq(node)) node = /^\d+$/.test(String(seg)) ? node.items[Number(seg)] : undefined;
    else node = pairAt(node, seg)?.value;
    if (node === undefined) return undefined;
  }
  return node;
}

function pairAt(node: unknown, seg: string | number): Pair | undefined {
  if (!isMap(node)) return undefined;
  return node.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === String(seg));
}

function toPos(file: string, lines: LineCounter, offset: number): SourcePos {
  const { line, col } = lines.linePos(offset);
  return { file, line, col };
}
