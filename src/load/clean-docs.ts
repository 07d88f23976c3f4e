import { Composer, LineCounter, Parser } from 'yaml';
import { inexactNumbers } from './exact-numbers.js';

/** One document's data and its range in the whole file: [start, end) of its text. */
export interface CleanDoc {
  range: [number, number];
  data: unknown;
}

/** A part's documents, and where its lines start in the whole file (as LineCounter keeps them). */
export interface CleanPart {
  docs: CleanDoc[];
  lineStarts: number[];
}

/**
 * The documents of `text` (which starts `offset` characters into its file) when every one
 * is clean: no YAML error, no integer too large to keep. Anything else is undefined, and the
 * caller reads the whole file the usual way, to report each problem where it stands.
 */
export function cleanDocs(text: string, offset: number): CleanPart | undefined {
  const lines = new LineCounter();
  const composer = new Composer({ prettyErrors: false, uniqueKeys: true });
  const docs: CleanDoc[] = [];
  for (const doc of composer.compose(new Parser(lines.addNewLine).parse(text), true, text.length)) {
    if (doc.errors.length > 0) return undefined;
    if (doc.contents === null) continue; // an empty document, e.g. after a trailing ---
    if (inexactNumbers(doc, text, '', lines).length > 0) return undefined;
    docs.push({ range: [offset + doc.range[0], offset + doc.range[2]], data: doc.toJS({ maxAliasCount: 100 }) as unknown });
  }
  return { docs, lineStarts: lines.lineStarts.map((start) => offset + start) };
}
