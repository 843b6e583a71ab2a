/**
 * Retries what the resolution table says to retry (network errors, replies that broke off, 5xx,
 * 429), with exponential backoff and full jitter, honouring `Retry-After`, at most `maxRetries`
 * times. Non-idempotent requests (a POST that creates a Bulk job) are replayed only where the
 * table says Salesforce refused them before acting: a lost answer could mean a job was created.
 */
import type { TapError } from '../../core/errors.js';
import type { Wrapper } from './compose.js';
import { interruptedError } from './network-errors.js';
import { apiOfUrl, failureOf, shouldRetry } from './resolution-table.js';
import type { HttpResponse } from './types.js';

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

export function withRetry(options: RetryOptions): Wrapper {
  const random = options.random ?? Math.random;
  const backoff = (attempt: number): number => Math.round(Math.min(options.maxMs, options.baseMs * 2 ** attempt) * (0.5 + random() / 2));
  return (next) => async (request) => {
    const api = apiOfUrl(request.url);
    for (let attempt = 0; ; attempt += 1) {
      let response: HttpResponse;
      try {
        response = await next(request);
      } catch (error) {
        if (attempt >= options.maxRetries || request.signal?.aborted || !shouldRetry(failureOf(error, api), request.idempotent)) throw error;
        const delayMs = backoff(attempt);
        options.onRetry?.({ attempt: attempt + 1, delayMs, reason: (error as TapError).code, url: request.url });
        await sleep(delayMs, request.signal);
        continue;
      }
      if (attempt >= options.maxRetries || !shouldRetry({ api, status: response.status }, request.idempotent)) return response;
      const delayMs = Math.max(parseRetryAfter(response.headers['retry-after']) ?? 0, backoff(attempt));
      // A server asking for a very long pause is better reported than slept through.
      if (delayMs > 5 * options.maxMs) return response;
      await response.discard();
      options.onRetry?.({ attempt: attempt + 1, delayMs, reason: `HTTP ${response.status}`, url: request.url });
      await sleep(delayMs, request.signal);
    }
  };
}
