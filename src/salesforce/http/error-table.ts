/**
 * The one table from a Salesforce answer to what the tap does about it: re-login, retry with
 * backoff, or fail with an error of the right kind. Bodies that are not Salesforce's JSON error
 * array (an HTML page from a proxy, a maintenance page, an empty body) become a clear TapError
 * rather than a JSON parse crash.
 */
import { TapError, type ErrorKind } from '../../core/errors.js';
import { secrets } from '../../core/secrets.js';
import { SalesforceApiError, type SalesforceErrorBody } from '../client.js';

export type ResponseAction = 'ok' | 'relogin' | 'retry' | 'fail';

const SESSION_CODES = new Set(['INVALID_SESSION_ID', 'INVALID_AUTH_HEADER']);

/** errorCode → [kind, advice]. Codes not listed are kind 'salesforce'. */
const ERROR_CODES: Readonly<Record<string, [ErrorKind, string]>> = {
  REQUEST_LIMIT_EXCEEDED: ['quota', 'The org has used up its daily API requests (or too many run at once); wait for the 24-hour window to roll over or raise the limit.'],
  TXN_SECURITY_METERING_ERROR: ['salesforce', 'A Transaction Security policy blocked the query; give the integration user the "Exempt from Transaction Security" permission.'],
  API_DISABLED_FOR_ORG: ['auth', 'The API is not enabled for this org (Professional Edition needs the API add-on).'],
  API_CURRENTLY_DISABLED: ['auth', 'API access is disabled for this user: grant the "API Enabled" permission in their profile or a permission set.'],
  INSUFFICIENT_ACCESS: ['salesforce', 'The user lacks permission for this request.'],
  INSUFFICIENT_ACCESS_OR_READONLY: ['salesforce', 'The user lacks permission for this object.'],
  INVALID_SESSION_ID: ['auth', 'The session expired or was revoked and logging in again did not help.'],
  INVALID_AUTH_HEADER: ['auth', 'Salesforce refused the Authorization header.'],
  InvalidSessionId: ['auth', 'The session expired or was revoked and logging in again did not help.'],
  ExceededQuota: ['quota', 'The org has used up its daily Bulk API batches or API requests; wait for the 24-hour window to roll over.'],
  UNSUPPORTED_API_VERSION: ['config', 'This API version is not available: set `api_version` to a current one.'],
  OPERATION_TOO_LARGE: ['salesforce', 'The query touches too many records for this user; "View All Data" avoids the sharing checks that cause this.'],
  SERVER_UNAVAILABLE: ['transient', 'Salesforce is temporarily unavailable.'],
};

/** What to do with a response status (and errorCode, when the body was read). */
export function actionFor(status: number, errorCode: string | undefined, idempotent: boolean): ResponseAction {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 401 && (errorCode === undefined || SESSION_CODES.has(errorCode))) return 'relogin';
  if (status === 429) return 'retry';
  if (status === 503 && errorCode === 'SERVER_UNAVAILABLE') return 'retry';
  if (status >= 500 && idempotent) return 'retry';
  return 'fail';
}

/**
 * Salesforce's `[{message, errorCode, fields?}]`, Bulk API 1.0's `{exceptionCode, exceptionMessage}`
 * (JSON or an XML `error` document), or undefined when the body is something else.
 */
export function parseErrorBody(text: string): SalesforceErrorBody[] | undefined {
  const xml = /<exceptionCode>([^<]*)<\/exceptionCode>\s*<exceptionMessage>([^<]*)<\/exceptionMessage>/.exec(text);
  if (xml) return [{ errorCode: xml[1]!, message: xml[2]!.replace(/&(lt|gt|amp|apos|quot);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' })[e]!) }];
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
    const errorCode = e.errorCode ?? e.error ?? e.exceptionCode;
    const message = e.message ?? e.error_description ?? e.exceptionMessage ?? '';
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
  const [kind, advice] = ERROR_CODES[first.errorCode] ?? [kindForStatus(status), undefined];
  const message = `${what}: ${first.errorCode}: ${clip(secrets.redact(first.message))}${advice ? ` ${advice}` : ''}`;
  return new SalesforceApiError(status, errors, message, { kind, retryable: kind === 'transient' });
}

/** A server's message may be megabytes long; one error line shows its start. */
const MAX_MESSAGE_CHARS = 500;
function clip(text: string): string {
  return text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS)}… (${text.length - MAX_MESSAGE_CHARS} more characters)`;
}

/** Whether a TapError from the network or a response may be retried for an idempotent request. */
export function isRetryable(error: unknown): boolean {
  return error instanceof TapError && error.retryable;
}
