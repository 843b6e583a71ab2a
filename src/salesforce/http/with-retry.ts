/**
 * Retries idempotent requests on network errors, 5xx and 429, with exponential backoff and full
 * jitter, honouring `Retry-After`, at most `maxRetries` times. Non-idempotent requests (a POST
 * that creates a Bulk job) are never replayed: a lost answer could mean a job was created.
 */
import { TapError } from '../../core/errors.js';
import { actionFor, isRetryable } from './error-table.js';
import { interruptedError } from './network-errors.js';
import type { HttpResponse, RequestFn } from './types.js';

export interface RetryOptions {
  maxRetries: number;
  baseMs: number;
  maxMs: number;
  /** Called before each wait (for logs). */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string; url: string }) => void;
  /** Injected in tests. */
  random?: () => number;
}

/** Retry-After in ms: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(interruptedError(signal.reason));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(interruptedError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function withRetry(next: RequestFn, options: RetryOptions): RequestFn {
  const random = options.random ?? Math.random;
  const backoff = (attempt: number): number => Math.round(Math.min(options.maxMs, options.baseMs * 2 ** attempt) * (0.5 + random() / 2));
  return async (request) => {
    for (let attempt = 0; ; attempt += 1) {
      let response: HttpResponse;
      try {
        response = await next(request);
      } catch (error) {
        if (!request.idempotent || !isRetryable(error) || attempt >= options.maxRetries) throw error;
        const delayMs = backoff(attempt);
        options.onRetry?.({ attempt: attempt + 1, delayMs, reason: (error as TapError).code, url: request.url });
        await sleep(delayMs, request.signal);
        continue;
      }
      // 429 is retried even for POSTs: Salesforce refused it before doing anything.
      const action = actionFor(response.status, undefined, request.idempotent);
      if (action !== 'retry' || attempt >= options.maxRetries) return response;
      const delayMs = Math.max(parseRetryAfter(response.headers['retry-after']) ?? 0, backoff(attempt));
      // A server asking for a very long pause is better reported than slept through.
      if (delayMs > 5 * options.maxMs) return response;
      await response.discard();
      options.onRetry?.({ attempt: attempt + 1, delayMs, reason: `HTTP ${response.status}`, url: request.url });
      await sleep(delayMs, request.signal);
    }
  };
}
