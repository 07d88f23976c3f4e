import type { AlertMessage } from './message.js';

/** Why a send failed, with whether trying again soon can help (a 5xx, a timeout, a 429) or not (a 4xx: the receiver's settings). */
export class SendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** What the server asked to wait (Telegram's parameters.retry_after, HTTP Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

/** One receiver, its secrets resolved: sends one message or throws a SendError. */
export interface Sender {
  send(message: AlertMessage): Promise<void>;
}

/** How long one send may take before it counts as failed (and is retried). */
export const SEND_TIMEOUT_MS = 15_000;

/** A fetch that failed before any answer, in words: the cause's code (ECONNREFUSED, a timeout), never the URL. */
export function networkError(err: unknown): SendError {
  const e = err as { name?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return new SendError(`no answer within ${SEND_TIMEOUT_MS / 1000} s`, true);
  return new SendError(`could not reach the server: ${e.cause?.code ?? e.cause?.message ?? 'the request failed'}`, true);
}

/** HTTP Retry-After in seconds, when it is a number. */
export function retryAfter(header: string | null): number | undefined {
  const n = header === null ? NaN : Number(header);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
