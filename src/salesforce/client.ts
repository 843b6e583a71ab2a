/**
 * The one door to Salesforce's data APIs. Implementations wrap a single request function with
 * session refresh (one re-login on 401 INVALID_SESSION_ID, then replay), retries of idempotent
 * requests, timeouts, and API-usage tracking from `Sforce-Limit-Info`. Discovery, REST query and
 * Bulk API 2.0 code talk to this interface only.
 */
import { TapError, type ErrorKind } from '../core/errors.js';
import type { Session } from './auth/types.js';
import type { ReplyShape } from './reply-shape.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  method?: HttpMethod;
  /** Query-string parameters; undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** Serialized as JSON. */
  body?: unknown;
  /** Sent as is instead of `body`, with this content type (Bulk API 1.0 batches are plain SOQL). */
  text?: { body: string; contentType: string };
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /**
   * Whether the request may be replayed after a network failure or 5xx. Defaults to true for
   * GET/DELETE/PATCH and false for POST (a POST that creates a Bulk job is never replayed blindly).
   */
  idempotent?: boolean;
  /** `json()` only: the fields the caller reads, checked before the reply is handed over. */
  shape?: ReplyShape;
  /**
   * `json()` only: the reply's `records` array comes back as a `JsonRecords`, each record parsed
   * when read, so a large page's records are not all in memory as objects at once.
   */
  splitRecords?: boolean;
}

export interface StreamedResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** The body, already gunzipped. Errors mid-body surface from the iterator. */
  body: AsyncIterable<Buffer>;
}

export interface ApiUsage {
  used: number;
  max: number;
  /** Calls this client made in this run. */
  usedThisRun: number;
}

export interface SalesforceClient {
  /** e.g. "65.0" */
  readonly apiVersion: string;
  /** e.g. "https://acme.my.salesforce.com", no trailing slash. */
  readonly instanceUrl: string;
  /**
   * A JSON request. `path` is either relative to `/services/data/vNN.0/` (`sobjects/Account/describe`)
   * or absolute from the host (`/services/data/v65.0/query/0r8...-2000`).
   */
  json<T>(path: string, options?: RequestOptions): Promise<T>;
  /** A streamed request (Bulk results). Session refresh and retries apply before the first byte. */
  stream(path: string, options?: RequestOptions): Promise<StreamedResponse>;
  /** The current session, for APIs outside HTTP (the Pub/Sub API's gRPC metadata). */
  session?(signal?: AbortSignal): Promise<Session>;
  /** Logs in again after another API refused `stale` (a gRPC UNAUTHENTICATED). */
  renewSession?(stale: Session, signal?: AbortSignal): Promise<Session>;
  /** The latest API usage seen in `Sforce-Limit-Info`, if any response carried it yet. */
  apiUsage(): ApiUsage | undefined;
}

/** One element of Salesforce's REST error array (`[{message, errorCode, fields?}]`). */
export interface SalesforceErrorBody {
  message: string;
  errorCode: string;
  fields?: string[];
}

/**
 * A non-2xx answer from Salesforce that the client did not recover from. `code` is
 * `SF_<errorCode>` (e.g. `SF_INVALIDENTITY`, `SF_REQUEST_LIMIT_EXCEEDED`), or `SF_HTTP_<status>`
 * when the body carried no errorCode.
 */
export class SalesforceApiError extends TapError {
  readonly status: number;
  readonly sfErrorCode: string | undefined;
  readonly errors: SalesforceErrorBody[];

  constructor(
    status: number,
    errors: SalesforceErrorBody[],
    message: string,
    options: { kind?: ErrorKind; cause?: unknown; detail?: string; retryable?: boolean; stream?: string } = {},
  ) {
    const sfErrorCode = errors[0]?.errorCode;
    super(sfErrorCode ? `SF_${sfErrorCode}` : `SF_HTTP_${status}`, message, { kind: 'salesforce', ...options });
    this.name = 'SalesforceApiError';
    this.status = status;
    this.sfErrorCode = sfErrorCode;
    this.errors = errors;
  }
}
