/**
 * Reads whole bodies inside the retry boundary. A reply whose connection resets after the
 * headers, or whose JSON stops short, is then a failed attempt the retry wrapper replays (for
 * idempotent requests) instead of an error that surfaces after retrying is over. Bulk result
 * pages stream past it untouched: their reader refetches a broken page from its locator.
 */
import { TapError } from '../../core/errors.js';
import type { Wrapper } from './compose.js';
import { unexpectedBodyError } from './error-table.js';
import { parseSplittingRecords } from './json-records.js';
import { bufferedResponse, readBodyBytes, readBodyText, type HttpRequest, type HttpResponse } from './types.js';

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
 * of requests that `expect` JSON.
 */
export function withBufferedBody(options: { always?: boolean } = {}): Wrapper {
  return (next) => async (request) => {
    const response = await next(request);
    if (!options.always && request.expect === undefined) return response;
    const ok = response.status >= 200 && response.status < 300;
    if (ok && request.expect === 'records') return splitRecords(request, response);
    // A reset mid-body throws a retryable network error from here, inside the retry boundary.
    const text = await readBodyText(response, ok ? Number.MAX_SAFE_INTEGER : ERROR_BODY_LIMIT);
    if (!ok || text === '') return bufferedResponse(response, text);
    const contentType = response.headers['content-type'];
    const saysJson = /json/i.test(contentType ?? '');
    if (!saysJson && request.expect === undefined) return bufferedResponse(response, text);
    try {
      return bufferedResponse(response, text, { value: JSON.parse(text) });
    } catch (error) {
      const what = describeRequest(request);
      if (saysJson) throw incompleteReplyError(what, response.status, Buffer.byteLength(text), error);
      throw unexpectedBodyError(response.status, contentType, text, what);
    }
  };
}

/** A 2xx reply whose `records` are kept as bytes: split here, so a reply that stops short is retried. */
async function splitRecords(request: HttpRequest, response: HttpResponse): Promise<HttpResponse> {
  const bytes = await readBodyBytes(response, Number.MAX_SAFE_INTEGER);
  if (bytes.length === 0) return bufferedResponse(response, bytes);
  try {
    return bufferedResponse(response, bytes, { value: parseSplittingRecords(bytes) });
  } catch (error) {
    const contentType = response.headers['content-type'];
    const what = describeRequest(request);
    if (/json/i.test(contentType ?? '')) throw incompleteReplyError(what, response.status, bytes.length, error);
    throw unexpectedBodyError(response.status, contentType, bytes.toString('utf8'), what);
  }
}
