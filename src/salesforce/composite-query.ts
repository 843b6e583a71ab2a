/**
 * Small REST queries of many streams sent together: the first pages of up to 5 queries (Salesforce
 * allows at most 5 query subrequests in a Composite request of 25) in one `POST composite`, which
 * Salesforce counts as one API call. Queries wait up to `lingerMs` for company; their later pages
 * follow `nextRecordsUrl` one by one.
 */
import { SalesforceApiError, type SalesforceClient, type SalesforceErrorBody } from './client.js';
import type { RestQueryPage } from './rest-query.js';

/** Query subrequests Salesforce accepts in one Composite request. */
export const COMPOSITE_MAX_QUERIES = 5;

interface Pending {
  soql: string;
  queryAll: boolean;
  resolve(page: RestQueryPage): void;
  reject(error: unknown): void;
}

interface CompositeResponse {
  compositeResponse?: { body: unknown; httpStatusCode: number; referenceId: string }[];
}

export class CompositeQueryBatcher {
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

  /** The first page of `soql` (query, or queryAll), sent with other queries waiting at the moment. */
  firstPage(soql: string, queryAll: boolean): Promise<RestQueryPage> {
    return new Promise<RestQueryPage>((resolve, reject) => {
      this.#pending.push({ soql, queryAll, resolve, reject });
      if (this.#pending.length >= this.#maxQueries) this.#flush();
      else this.#timer ??= setTimeout(() => this.#flush(), this.#lingerMs);
    });
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending.splice(0, this.#maxQueries);
    if (this.#pending.length > 0) this.#timer = setTimeout(() => this.#flush(), this.#lingerMs);
    if (batch.length > 0) void this.#send(batch);
  }

  async #send(batch: Pending[]): Promise<void> {
    const base = `/services/data/v${this.#client.apiVersion}`;
    const compositeRequest = batch.map((p, i) => ({ method: 'GET', url: `${base}/${p.queryAll ? 'queryAll' : 'query'}?q=${encodeURIComponent(p.soql)}`, referenceId: `q${i}` }));
    try {
      // Only GET subrequests: replaying the POST is safe.
      const reply = await this.#client.json<CompositeResponse>('composite', { method: 'POST', body: { allOrNone: false, compositeRequest }, idempotent: true });
      const byRef = new Map((reply.compositeResponse ?? []).map((r) => [r.referenceId, r]));
      batch.forEach((p, i) => {
        const sub = byRef.get(`q${i}`);
        if (!sub) return p.reject(new SalesforceApiError(500, [], 'A Composite reply left out a query subrequest.', { kind: 'transient', retryable: true }));
        if (sub.httpStatusCode >= 200 && sub.httpStatusCode < 300) return p.resolve(sub.body as RestQueryPage);
        const errors = Array.isArray(sub.body) ? (sub.body as SalesforceErrorBody[]) : [];
        p.reject(new SalesforceApiError(sub.httpStatusCode, errors, errors[0]?.message ?? `A Composite query subrequest failed with HTTP ${sub.httpStatusCode}.`));
      });
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}
