import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type CleanPart, cleanDocs } from './clean-docs.js';

/** Below this a file parses faster than a worker starts. */
const PARALLEL_BYTES = 512 * 1024;
/** A line that starts a document: where a YAML stream can be cut into two streams. */
const DOCUMENT_START = /\n(?=---(?:[ \t\r\n]|$))/g;
const WORKER = new URL('./yaml-worker.js', import.meta.url);

/**
 * A large file's documents, parsed in two halves at once: the first here, the second on a
 * worker thread (YAML parsing is most of validating a fleet of thousands of agents). Only
 * for a file without directives (a `%` line applies to the document after it) and only when
 * both halves are clean; otherwise undefined, and the file is read the usual way.
 */
export async function parseInHalves(text: string): Promise<CleanPart | undefined> {
  if (text.length < PARALLEL_BYTES || availableParallelism() < 2 || /^%/m.test(text) || !existsSync(fileURLToPath(WORKER))) return undefined;
  DOCUMENT_START.lastIndex = text.length >> 1;
  const cut = DOCUMENT_START.exec(text);
  if (!cut) return undefined;
  const split = cut.index + 1;
  const second = new Promise<CleanPart | undefined>((resolve) => {
    const worker = new Worker(WORKER, { workerData: { text: text.slice(split), offset: split } });
    worker.once('message', (part: CleanPart | null) => resolve(part ?? undefined));
    worker.once('error', () => resolve(undefined));
    worker.once('exit', () => resolve(undefined));
  });
  const first = cleanDocs(text.slice(0, split), 0);
  const rest = await second;
  if (!first || !rest) return undefined;
  // Both halves count the line at the cut (the first after its last newline, the second at its start).
  const lineStarts = rest.lineStarts[0] === first.lineStarts.at(-1) ? rest.lineStarts.slice(1) : rest.lineStarts;
  return { docs: [...first.docs, ...rest.docs], lineStarts: [...first.lineStarts, ...lineStarts] };
}
