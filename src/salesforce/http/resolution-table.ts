/**
 * The one table from a failure (HTTP status, Salesforce errorCode, the tap's error code, the API
 * it came through) to what the tap does about it. The session wrapper asks it whether to log in
 * again, the retry wrapper whether to back off and replay, and the sync, once a read has failed
 * for good, whether to read through REST instead, to halve the window, or to give up on the stream.
 * Rules are checked in order; the first that matches decides.
 */
import { TapError } from '../../core/errors.js';

export type Resolution = 'retry' | 'relogin' | 'use_rest' | 'shrink_window' | 'fail';

/** The API a request or a read went through (`login`: token or SOAP login endpoints). */
export type ApiName = 'login' | 'rest' | 'bulk' | (string & {});

export interface Failure {
  api: ApiName;
  /** HTTP status, when Salesforce answered. */
  status?: number | undefined;
  /** Salesforce's errorCode, when the body carried one. */
  errorCode?: string | undefined;
  /** The tap's error code (`TAP_…` or `SF_…`), when the failure is already an error. */
  code?: string | undefined;
  message?: string | undefined;
  /** The error's creator says the same request may succeed again (network trouble, a cut body). */
  retryable?: boolean | undefined;
}

export interface Rule {
  when: {
    api?: readonly ApiName[];
    status?: readonly [min: number, max: number];
    /** `null` matches a failure without an errorCode. */
    errorCode?: readonly (string | null)[];
    code?: readonly string[];
    message?: RegExp;
    retryable?: boolean;
  };
  then: Resolution;
  /** retry / relogin even when the request is not idempotent: Salesforce refused it before acting. */
  replaySafe?: boolean;
  why: string;
}

const DATA_APIS: readonly ApiName[] = ['rest', 'bulk'];

export const RESOLUTION_TABLE: readonly Rule[] = [
  { when: { api: DATA_APIS, status: [401, 401], errorCode: [null, 'INVALID_SESSION_ID', 'INVALID_AUTH_HEADER'] }, then: 'relogin', replaySafe: true, why: 'the session expired or was revoked' },
  { when: { status: [429, 429] }, then: 'retry', replaySafe: true, why: 'too many requests at once' },
  { when: { status: [503, 503], errorCode: ['SERVER_UNAVAILABLE'] }, then: 'retry', replaySafe: true, why: 'Salesforce is briefly unavailable' },
  { when: { status: [500, 599] }, then: 'retry', why: 'server trouble' },
  { when: { retryable: true }, then: 'retry', why: 'network trouble, or a reply that broke off or is not Salesforce\'s' },
  { when: { api: ['bulk'], errorCode: ['INVALIDENTITY', 'FeatureNotEnabled', 'API_DISABLED_FOR_ORG'] }, then: 'use_rest', why: 'Bulk API 2.0 does not serve this object or org' },
  { when: { api: ['bulk'], errorCode: ['API_ERROR'], message: /compound|not supported|does not support/i }, then: 'use_rest', why: 'Bulk API 2.0 refuses a field of this object' },
  { when: { code: ['TAP_BULK_JOB_TIMEOUT'] }, then: 'shrink_window', why: 'the job ran longer than bulk_job_timeout_seconds' },
  { when: { errorCode: ['QUERY_TIMEOUT'] }, then: 'shrink_window', why: 'the query timed out' },
  { when: { errorCode: ['BULK_JOB_FAILED'], message: /timeout|timed out|retried more than/i }, then: 'shrink_window', why: 'the job failed on a timeout' },
];

const FAIL: Rule = { when: {}, then: 'fail', why: 'retrying cannot fix it' };

function matches(rule: Rule, failure: Failure): boolean {
  const w = rule.when;
  const status = failure.status;
  if (w.api && !w.api.includes(failure.api)) return false;
  if (w.status && (status === undefined || status < w.status[0] || status > w.status[1])) return false;
  if (w.errorCode && !w.errorCode.includes(failure.errorCode ?? null)) return false;
  if (w.code && (failure.code === undefined || !w.code.includes(failure.code))) return false;
  if (w.message && !w.message.test(failure.message ?? '')) return false;
  if (w.retryable !== undefined && (failure.retryable ?? false) !== w.retryable) return false;
  return true;
}

/** The rule that decides a failure (a `fail` rule when none matches). */
export function resolveFailure(failure: Failure): Rule {
  return RESOLUTION_TABLE.find((rule) => matches(rule, failure)) ?? FAIL;
}

/** Whether a response or error may be replayed for this request. */
export function shouldRetry(failure: Failure, idempotent: boolean): boolean {
  const rule = resolveFailure(failure);
  return rule.then === 'retry' && (idempotent || rule.replaySafe === true);
}

/** The facts of an error the table looks at. */
export function failureOf(error: unknown, api: ApiName): Failure {
  if (!(error instanceof TapError)) return { api, retryable: false };
  const failure: Failure = { api, code: error.code, message: error.message, retryable: error.retryable };
  const http = error as TapError & { status?: unknown; sfErrorCode?: unknown };
  if (typeof http.status === 'number') failure.status = http.status;
  if (typeof http.sfErrorCode === 'string') failure.errorCode = http.sfErrorCode;
  else if (error.code.startsWith('SF_')) failure.errorCode = error.code.slice(3);
  return failure;
}

/**
 * What the sync does once a read of one window failed for good (the HTTP layer already retried
 * and re-logged in as the table says): read through REST, halve the window, or fail the stream.
 */
export function resolveReadFailure(error: TapError, api: ApiName): 'use_rest' | 'shrink_window' | 'fail' {
  const action = resolveFailure(failureOf(error, api)).then;
  return action === 'use_rest' || action === 'shrink_window' ? action : 'fail';
}

/** Which API a request URL belongs to. */
export function apiOfUrl(url: string): ApiName {
  if (/\/services\/(oauth2|Soap)\//.test(url)) return 'login';
  return /\/services\/data\/v[\d.]+\/jobs\//.test(url) ? 'bulk' : 'rest';
}
