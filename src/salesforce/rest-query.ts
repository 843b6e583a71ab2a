/**
 * REST query: `query` / `queryAll` pages followed through `nextRecordsUrl`.
 */
import type { SalesforceClient } from './client.js';

export interface RestQueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Record<string, unknown>[];
}

export async function* iterateRestQuery(client: SalesforceClient, soql: string, options: { queryAll: boolean; batchSize: number; signal?: AbortSignal }): AsyncIterable<RestQueryPage> {
  const common = { headers: { 'Sforce-Query-Options': `batchSize=${options.batchSize}` }, ...(options.signal ? { signal: options.signal } : {}) };
  let page = await client.json<RestQueryPage>(options.queryAll ? 'queryAll' : 'query', { ...common, query: { q: soql } });
  yield page;
  while (!page.done && page.nextRecordsUrl) {
    page = await client.json<RestQueryPage>(page.nextRecordsUrl, common);
    yield page;
  }
}
