// The second half of a large fleet file, parsed on another core (parallel-parse.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { cleanDocs } from './clean-docs.js';

const { text, offset } = workerData as { text: string; offset: number };
parentPort?.postMessage(cleanDocs(text, offset) ?? null);
