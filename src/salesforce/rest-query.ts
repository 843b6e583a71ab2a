/**
 * REST query: `query` / `queryAll` pages followed through `nextRecordsUrl`.
 */
import type { SalesforceClient } from './client.js';
import { paginate } from './paginate.js';
import type { JsonRecords } from './http/json-records.js';
import type { ReplyShape } from './reply-shape.js';

export interface RestQueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  /** An array, or a `JsonRecords` (each record parsed when read) where the query asked to split them. */
  records: readonly Record<string, unknown>[] | JsonRecords;
}

const REST_QUERY_PAGE: ReplyShape = { totalSize: 'number', done: 'boolean', nextRecordsUrl: 'string?', records: 'array' };

/**
 * `firstPage`: where the first page comes from instead (e.g. a Composite request shared with other
 * queries). `splitRecords`: pages fetched here hold their records as a `JsonRecords`.
 */
export async function* iterateRestQuery(client: SalesforceClient, soql: string, options: { queryAll: boolean; batchSize: number; signal?: AbortSignal; firstPage?: () => Promise<RestQueryPage>; splitRecords?: boolean }): AsyncIterable<RestQueryPage> {
  const common = { headers: { 'Sforce-Query-Options': `batchSize=${options.batchSize}` }, shape: REST_QUERY_PAGE, splitRecords: options.splitRecords ?? false, ...(options.signal ? { signal: options.signal } : {}) };
  yield* paginate({
    what: 'REST query',
    first: options.firstPage ?? (() => client.json<RestQueryPage>(options.queryAll ? 'queryAll' : 'query', { ...common, query: { q: soql } })),
    tokenOf: (page) => (!page.done && page.nextRecordsUrl ? page.nextRecordsUrl : undefined),
    fetch: (nextRecordsUrl) => client.json<RestQueryPage>(nextRecordsUrl, common),
  });
}
