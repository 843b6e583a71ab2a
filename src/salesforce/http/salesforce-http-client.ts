/**
 * The SalesforceClient the tap uses: JSON and streamed helpers over one composed request function
 * (connect-client.ts builds it), every non-2xx answer turned into an error through the error
 * table. Relative paths resolve under `/services/data/vNN.0/`.
 */
import type { ApiUsage, RequestOptions, SalesforceClient, StreamedResponse } from '../client.js';
import type { Session } from '../auth/types.js';
import { checkReplyShape } from '../reply-shape.js';
import { toResponseError, unexpectedBodyError } from './error-table.js';
import { describeRequest } from './with-buffered-body.js';
import type { SessionManager } from './with-session.js';
import { parseSplittingRecords } from './json-records.js';
import { readBodyBytes, readBodyText, type HttpRequest, type HttpResponse, type RequestFn } from './types.js';

export interface HttpClientOptions {
  apiVersion: string;
  /** The composed request function: session, retry, buffered bodies, limit tracking. */
  request: RequestFn;
  sessions: SessionManager;
  /** The session the client starts from (its instance URL is the client's). */
  session: Session;
  usage(): ApiUsage | undefined;
}

export class SalesforceHttpClient implements SalesforceClient {
  readonly apiVersion: string;
  readonly #sessions: SessionManager;
  readonly #request: RequestFn;
  readonly #instanceUrl: string;
  readonly #usage: () => ApiUsage | undefined;

  constructor(options: HttpClientOptions) {
    this.apiVersion = options.apiVersion;
    this.#sessions = options.sessions;
    this.#instanceUrl = options.session.instanceUrl.replace(/\/+$/, '');
    this.#request = options.request;
    this.#usage = options.usage;
  }

  /** Follows re-logins: an org moved to another instance answers the next login with its new host. */
  get instanceUrl(): string {
    return (this.#sessions.latest()?.instanceUrl ?? this.#instanceUrl).replace(/\/+$/, '');
  }

  session(signal?: AbortSignal): Promise<Session> {
    return this.#sessions.current(signal);
  }

  renewSession(stale: Session, signal?: AbortSignal): Promise<Session> {
    return this.#sessions.renew(stale, signal);
  }

  apiUsage(): ApiUsage | undefined {
    return this.#usage();
  }

  /** Absolute URL for a path (`sobjects/Account/describe`, `/services/...`, or a full URL). */
  urlFor(path: string, query?: RequestOptions['query']): string {
    let url: string;
    if (/^https?:\/\//.test(path)) url = path;
    else if (path.startsWith('/')) url = `${this.instanceUrl}${path}`;
    else url = `${this.instanceUrl}/services/data/v${this.apiVersion}/${path}`;
    if (query) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
      const qs = params.toString();
      if (qs) url += (url.includes('?') ? '&' : '?') + qs;
    }
    return url;
  }

  async #send(path: string, options: RequestOptions, accept: string, expect?: HttpRequest['expect']): Promise<HttpResponse> {
    const method = options.method ?? 'GET';
    const request: HttpRequest = {
      method,
      url: this.urlFor(path, options.query),
      headers: { accept, ...options.headers },
      idempotent: options.idempotent ?? method !== 'POST',
      expect,
    };
    if (options.signal) request.signal = options.signal;
    if (options.text !== undefined) {
      request.body = options.text.body;
      request.headers['content-type'] = options.text.contentType;
    } else if (options.body !== undefined) {
      request.body = JSON.stringify(options.body);
      request.headers['content-type'] = 'application/json';
    }
    const response = await this.#request(request);
    if (response.status >= 200 && response.status < 300) return response;
    const text = await readBodyText(response);
    throw toResponseError(response.status, response.headers['content-type'], text, `${method} ${describePath(path)}`);
  }

  async json<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.#send(path, options, 'application/json', options.splitRecords ? 'records' : 'json');
    let value: unknown;
    if (response.json) value = response.json.value;
    else {
      const bytes = await readBodyBytes(response, Number.MAX_SAFE_INTEGER);
      if (response.status === 204 || bytes.length === 0) value = undefined;
      else {
        try {
          value = options.splitRecords ? parseSplittingRecords(bytes) : JSON.parse(bytes.toString('utf8'));
        } catch {
          throw unexpectedBodyError(response.status, response.headers['content-type'], bytes.toString('utf8'), describePath(path));
        }
      }
    }
    if (options.shape) checkReplyShape(value, options.shape, describeRequest({ method: options.method ?? 'GET', url: this.urlFor(path) }));
    return value as T;
  }

  async stream(path: string, options: RequestOptions = {}): Promise<StreamedResponse> {
    const response = await this.#send(path, options, options.headers?.accept ?? '*/*');
    return { status: response.status, headers: response.headers, body: response.body };
  }
}

/** A path for messages: no query string (SOQL may hold customer values). */
function describePath(path: string): string {
  return path.replace(/\?.*$/, '').replace(/^https?:\/\/[^/]+/, '');
}
