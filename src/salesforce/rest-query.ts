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

/** `firstPage`: where the first page comes from instead (e.g. a Composite request shared with other queries). */
export async function* iterateRestQuery(client: SalesforceClient, soql: string, options: { queryAll: boolean; batchSize: number; signal?: AbortSignal; firstPage?: () => Promise<RestQueryPage> }): AsyncIterable<RestQueryPage> {
  const common = { headers: { 'Sforce-Query-Options': `batchSize=${options.batchSize}` }, ...(options.signal ? { signal: options.signal } : {}) };
  let page = options.firstPage ? await options.firstPage() : await client.json<RestQueryPage>(options.queryAll ? 'queryAll' : 'query', { ...common, query: { q: soql } });
  yield page;
  while (!page.done && page.nextRecordsUrl) {
    page = await client.json<RestQueryPage>(page.nextRecordsUrl, common);
    yield page;
  }
}
