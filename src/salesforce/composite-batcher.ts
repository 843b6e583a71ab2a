/**
 * Small reads of many streams sent together in `POST composite`, which Salesforce counts as one
 * API call ("The entire series of requests counts as a single call toward your API limits"): up
 * to 25 GET subrequests, at most 5 of them queries (Salesforce's limits on one request). Query
 * first pages and other sObject reads (getDeleted) wait up to `lingerMs` for company; a query's
 * later pages follow `nextRecordsUrl` one by one.
 */
import { SalesforceApiError, type SalesforceClient, type SalesforceErrorBody } from './client.js';
import type { RestQueryPage } from './rest-query.js';

/** Subrequests Salesforce accepts in one Composite request, and query subrequests among them. */
export const COMPOSITE_MAX_SUBREQUESTS = 25;
export const COMPOSITE_MAX_QUERIES = 5;

interface Pending {
  /** Under `/services/data/vXX.X/`, query string included. */
  path: string;
  query: boolean;
  resolve(body: unknown): void;
  reject(error: unknown): void;
}

interface CompositeResponse {
  compositeResponse?: { body: unknown; httpStatusCode: number; referenceId: string }[];
}

export class CompositeBatcher {
  readonly #client: SalesforceClient;
  readonly #lingerMs: number;
  readonly #maxQueries: number;
  #pending: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(client: SalesforceClient, options: { lingerMs?: number; maxQueries?: number } = {}) {
    this.#client = client;
    this.#lingerMs = options.lingerMs ?? 20;
    this.#maxQueries = Math.min(COMPOSITE_MAX_QUERIES, Math.max(1, options.maxQueries ?? COMPOSITE_MAX_QUERIES));
  }

  /** The first page of `soql` (query, or queryAll), sent with other reads waiting at the moment. */
  firstPage(soql: string, queryAll: boolean): Promise<RestQueryPage> {
    return this.#enqueue(`${queryAll ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`, true) as Promise<RestQueryPage>;
  }

  /** A GET of an sObject resource (`sobjects/Account/deleted/?start=…`), sent with other reads waiting. */
  get<T>(path: string, query: Record<string, string> = {}): Promise<T> {
    const search = new URLSearchParams(query).toString();
    return this.#enqueue(search ? `${path}?${search}` : path, false) as Promise<T>;
  }

  #enqueue(path: string, query: boolean): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ path, query, resolve, reject });
      // Five queries waiting do not send at once: other reads arriving meanwhile fill the request.
      if (this.#pending.length >= COMPOSITE_MAX_SUBREQUESTS) this.#flush();
      else this.#timer ??= setTimeout(() => this.#flush(), this.#lingerMs);
    });
  }

  #full(): boolean {
    return this.#pending.length >= COMPOSITE_MAX_SUBREQUESTS || this.#pending.filter((p) => p.query).length >= this.#maxQueries;
  }

  /** Sends one request of what waits (queries up to their cap, in arrival order); the rest waits for the next. */
  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    let queries = 0;
    for (const p of this.#pending) {
      const fits = batch.length < COMPOSITE_MAX_SUBREQUESTS && (!p.query || queries < this.#maxQueries);
      if (fits && p.query) queries += 1;
      (fits ? batch : rest).push(p);
    }
    this.#pending = rest;
    if (rest.length > 0) {
      if (this.#full()) queueMicrotask(() => this.#flush());
      else this.#timer = setTimeout(() => this.#flush(), this.#lingerMs);
    }
    if (batch.length > 0) void this.#send(batch);
  }

  async #send(batch: Pending[]): Promise<void> {
    const base = `/services/data/v${this.#client.apiVersion}`;
    const compositeRequest = batch.map((p, i) => ({ method: 'GET', url: `${base}/${p.path}`, referenceId: `r${i}` }));
    try {
      // Only GET subrequests: replaying the POST is safe.
      const reply = await this.#client.json<CompositeResponse>('composite', { method: 'POST', body: { allOrNone: false, compositeRequest }, idempotent: true });
      const byRef = new Map((reply.compositeResponse ?? []).map((r) => [r.referenceId, r]));
      batch.forEach((p, i) => {
        const sub = byRef.get(`r${i}`);
        if (!sub) return p.reject(new SalesforceApiError(500, [], 'A Composite reply left out a subrequest.', { kind: 'transient', retryable: true }));
        if (sub.httpStatusCode >= 200 && sub.httpStatusCode < 300) return p.resolve(sub.body);
        const errors = Array.isArray(sub.body) ? (sub.body as SalesforceErrorBody[]) : [];
        p.reject(new SalesforceApiError(sub.httpStatusCode, errors, errors[0]?.message ?? `A Composite subrequest (${p.path.split('?')[0]}) failed with HTTP ${sub.httpStatusCode}.`));
      });
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}
