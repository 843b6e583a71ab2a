/**
 * One Bulk API 2.0 results page: `GET jobs/query/{id}/results?maxRecords=&locator=`. The next
 * locator comes in `Sforce-Locator` (`null`, empty or missing on the last page) and the page's row
 * count in `Sforce-NumberOfRecords`. Pages must be read with the API version that created the job.
 */
import type { SalesforceClient, StreamedResponse } from '../client.js';

export interface ResultPage {
  response: StreamedResponse;
  /** The locator of the page after this one; undefined on the last page. */
  nextLocator: string | undefined;
  /** Rows Salesforce says this page holds, when it says. */
  numberOfRecords: number | undefined;
}

export async function fetchResultPage(client: SalesforceClient, jobId: string, options: { locator?: string; maxRecords: number; signal?: AbortSignal }): Promise<ResultPage> {
  const response = await client.stream(`jobs/query/${jobId}/results`, {
    query: { maxRecords: options.maxRecords, locator: options.locator || undefined },
    headers: { Accept: 'text/csv' },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const locator = response.headers['sforce-locator'];
  const count = response.headers['sforce-numberofrecords'];
  return {
    response,
    nextLocator: locator && locator !== 'null' ? locator : undefined,
    numberOfRecords: count !== undefined && /^\d+$/.test(count) ? Number(count) : undefined,
  };
}
