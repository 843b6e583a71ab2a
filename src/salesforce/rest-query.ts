/**
 * REST query: `query` / `queryAll` pages followed through `nextRecordsUrl`.
 */
import type { SalesforceClient } from './client.js';
import { paginate } from './paginate.js';

export interface RestQueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Record<string, unknown>[];
}

export async function* iterateRestQuery(client: SalesforceClient, soql: string, options: { queryAll: boolean; batchSize: number; signal?: AbortSignal }): AsyncIterable<RestQueryPage> {
  const common = { headers: { 'Sforce-Query-Options': `batchSize=${options.batchSize}` }, ...(options.signal ? { signal: options.signal } : {}) };
  yield* paginate({
    what: 'REST query',
    first: () => client.json<RestQueryPage>(options.queryAll ? 'queryAll' : 'query', { ...common, query: { q: soql } }),
    tokenOf: (page) => (!page.done && page.nextRecordsUrl ? page.nextRecordsUrl : undefined),
    fetch: (nextRecordsUrl) => client.json<RestQueryPage>(nextRecordsUrl, common),
  });
}
