/**
 * Salesforce's error answers as TapErrors: `SF_<errorCode>` with the kind and advice the error
 * registry (core/error-codes.ts) gives the code. Bodies that are not Salesforce's JSON error array
 * (an HTML page from a proxy, a maintenance page, an empty body) become a clear TapError rather
 * than a JSON parse crash. What to do about a failure is the resolution table's business.
 */
import { errorCodeInfo } from '../../core/error-codes.js';
import { TapError, type ErrorKind } from '../../core/errors.js';
import { secrets } from '../../core/secrets.js';
import { SalesforceApiError, type SalesforceErrorBody } from '../client.js';

/** Salesforce's `[{message, errorCode, fields?}]`, or undefined when the body is something else. */
export function parseErrorBody(text: string): SalesforceErrorBody[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const out: SalesforceErrorBody[] = [];
  for (const item of list) {
    if (item === null || typeof item !== 'object') return undefined;
    const e = item as Record<string, unknown>;
    const errorCode = e.errorCode ?? e.error;
    const message = e.message ?? e.error_description ?? '';
    if (typeof errorCode !== 'string') return undefined;
    const body: SalesforceErrorBody = { errorCode, message: String(message) };
    if (Array.isArray(e.fields)) body.fields = e.fields.map(String);
    out.push(body);
  }
  return out.length > 0 ? out : undefined;
}

function kindForStatus(status: number): ErrorKind {
  if (status === 429 || status >= 500) return 'transient';
  if (status === 410) return 'config';
  return 'salesforce';
}

/**
 * A body that is not the JSON Salesforce sends: an HTML page from a proxy, firewall or
 * maintenance window, or an empty body. On a 2xx it is most likely an intercepting proxy's page,
 * which a retry may get past.
 */
export function unexpectedBodyError(status: number, contentType: string | undefined, text: string, what: string): TapError {
  const isHtml = /html/i.test(contentType ?? '') || /^\s*</.test(text);
  const shape = text.trim() === '' ? 'an empty body' : isHtml ? 'an HTML page (a proxy, firewall or maintenance page?)' : `a ${contentType ?? 'non-JSON'} body`;
  const kind = status >= 200 && status < 300 ? 'transient' : kindForStatus(status);
  return new TapError('TAP_UNEXPECTED_RESPONSE', `${what}: Salesforce answered HTTP ${status} with ${shape} instead of JSON.`, {
    kind,
    retryable: kind === 'transient',
    detail: secrets.redact(text.slice(0, 300)),
  });
}

/** The error for a response the client did not recover from. */
export function toResponseError(status: number, contentType: string | undefined, text: string, what: string): TapError {
  const errors = parseErrorBody(text);
  if (errors === undefined) return unexpectedBodyError(status, contentType, text, what);
  const first = errors[0]!;
  const info = errorCodeInfo(`SF_${first.errorCode}`);
  const kind = info?.kind ?? kindForStatus(status);
  const advice = info?.advice;
  const message = `${what}: ${first.errorCode}: ${clip(secrets.redact(first.message))}${advice ? ` ${advice}` : ''}`;
  return new SalesforceApiError(status, errors, message, { kind, retryable: kind === 'transient' });
}

/** A server's message may be megabytes long; one error line shows its start. */
const MAX_MESSAGE_CHARS = 500;
function clip(text: string): string {
  return text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS)}… (${text.length - MAX_MESSAGE_CHARS} more characters)`;
}
