import { isCollection, isPair, isScalar, type Document, type LineCounter } from 'yaml';
import type { Diagnostic } from '../util/errors.js';

/**
 * Text that may hold an integer beyond 2^53: 16+ decimal digits (YAML 1.1 allows _ and
 * base-60 :), or 14+ hex digits. Documents without such a run are not walked at all:
 * validate of 10,000 agents must stay fast.
 */
const CANDIDATE = /[\d_:]{16}|0x[\da-f_]{14}/i;
/** A float as YAML writes one (1.5, 1e20, .inf): approximate by nature, so not refused. Hex digits may hold an e. */
const FLOAT_FORM = /^[-+]?(?!0x)[\s\S]*[.e]/i;

/**
 * Integers a JS number cannot hold exactly. YAML reads an unquoted 987654321098765432 (a
 * Discord guild id, say) as a number, which keeps 53 bits: it would reach the host as
 * 987654321098765400, as a key or a value. Such scalars are refused where they stand, so
 * the user quotes them, rather than rounded in silence. `text` is the whole file the
 * document's ranges point into.
 */
export function inexactNumbers(doc: Document.Parsed, text: string, file: string, lines: LineCounter): Diagnostic[] {
  if (!CANDIDATE.test(text.slice(doc.range[0], doc.range[2]))) return [];
  const found: Diagnostic[] = [];
  const walk = (node: unknown): void => {
    if (isCollection(node)) for (const item of node.items) walk(item);
    else if (isPair(node)) {
      walk(node.key);
      walk(node.value);
    } else if (isScalar(node) && typeof node.value === 'number' && !Number.isSafeInteger(node.value) && node.range) {
      const source = text.slice(node.range[0], node.range[1]);
      if (FLOAT_FORM.test(source)) return;
      const { line, col } = lines.linePos(node.range[0]);
      found.push({
        pos: { file, line, col },
        message: `${source} is too large to keep exactly; quote it: "${source}"`,
        hint: `YAML reads an unquoted integer as a number, exact only up to ${Number.MAX_SAFE_INTEGER}; ids (Discord guilds, channels, users) must be strings`,
      });
    }
  };
  walk(doc.contents);
  return found;
}
