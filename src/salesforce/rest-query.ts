/**
 * REST query: `query` / `queryAll` pages followed through `nextRecordsUrl`.
 */
import type { SalesforceClient } from './client.js';
import { paginate } from './paginate.js';
import type { ReplyShape } from './reply-shape.js';

export interface RestQueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Record<string, unknown>[];
}

const REST_QUERY_PAGE: ReplyShape = { totalSize: 'number', done: 'boolean', nextRecordsUrl: 'string?', records: 'array' };

export async function* iterateRestQuery(client: SalesforceClient, soql: string, options: { queryAll: boolean; batchSize: number; signal?: AbortSignal }): AsyncIterable<RestQueryPage> {
  const common = { headers: { 'Sforce-Query-Options': `batchSize=${options.batchSize}` }, shape: REST_QUERY_PAGE, ...(options.signal ? { signal: options.signal } : {}) };
  yield* paginate({
    what: 'REST query',
    first: () => client.json<RestQueryPage>(options.queryAll ? 'queryAll' : 'query', { ...common, query: { q: soql } }),
    tokenOf: (page) => (!page.done && page.nextRecordsUrl ? page.nextRecordsUrl : undefined),
    fetch: (nextRecordsUrl) => client.json<RestQueryPage>(nextRecordsUrl, common),
  });
}
