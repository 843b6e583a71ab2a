/**
 * Reads whole bodies inside the retry boundary. A reply whose connection resets after the
 * headers, or whose JSON stops short, is then a failed attempt the retry wrapper replays (for
 * idempotent requests) instead of an error that surfaces after retrying is over. Bulk result
 * pages stream past it untouched: their reader refetches a broken page from its locator.
 */
import { TapError } from '../../core/errors.js';
import type { Wrapper } from './compose.js';
import { unexpectedBodyError } from './error-table.js';
import { bufferedResponse, readBodyText, type HttpRequest } from './types.js';

/** Error bodies are read for their message only. */
const ERROR_BODY_LIMIT = 4 * 1024 * 1024;

/** `GET /services/data/v65.0/query`: no host, no query string (SOQL may hold customer values). */
export function describeRequest(request: Pick<HttpRequest, 'method' | 'url'>): string {
  return `${request.method} ${request.url.replace(/^https?:\/\/[^/]+/, '').replace(/\?.*$/, '')}`;
}

export function incompleteReplyError(what: string, status: number, bytes: number, cause: unknown): TapError {
  return new TapError('TAP_INCOMPLETE_REPLY', `${what}: the reply broke off: HTTP ${status} with ${bytes} bytes of JSON that end too early.`, {
    kind: 'transient',
    retryable: true,
    cause,
  });
}

/**
 * `always`: every body is read (logins: small replies, parsed by their flow); otherwise only those
 * of requests that `expect: 'json'`.
 */
export function withBufferedBody(options: { always?: boolean } = {}): Wrapper {
  return (next) => async (request) => {
    const response = await next(request);
    if (!options.always && request.expect !== 'json') return response;
    const ok = response.status >= 200 && response.status < 300;
    // A reset mid-body throws a retryable network error from here, inside the retry boundary.
    const text = await readBodyText(response, ok ? Number.MAX_SAFE_INTEGER : ERROR_BODY_LIMIT);
    if (!ok || text === '') return bufferedResponse(response, text);
    const contentType = response.headers['content-type'];
    const saysJson = /json/i.test(contentType ?? '');
    if (!saysJson && request.expect !== 'json') return bufferedResponse(response, text);
    try {
      return bufferedResponse(response, text, { value: JSON.parse(text) });
    } catch (error) {
      const what = describeRequest(request);
      if (saysJson) throw incompleteReplyError(what, response.status, Buffer.byteLength(text), error);
      throw unexpectedBodyError(response.status, contentType, text, what);
    }
  };
}
