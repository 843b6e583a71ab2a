/**
 * A completed Bulk API 1.0 batch's results: the ids of its result files, then each file as a
 * streamed CSV (header row first). A batch without rows has one file reading
 * `Records not found for this query` instead of a header.
 */
import type { SalesforceClient, StreamedResponse } from '../client.js';
import { readResultIds } from './xml.js';

export const NO_RECORDS = 'Records not found for this query';

export async function listResultIds(client: SalesforceClient, jobId: string, batchId: string, signal: AbortSignal): Promise<string[]> {
  const response = await client.stream(`/services/async/${client.apiVersion}/job/${jobId}/batch/${batchId}/result`, { headers: { accept: 'application/xml' }, signal });
  const chunks: Buffer[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  return readResultIds(Buffer.concat(chunks).toString('utf8'));
}

export function fetchResult(client: SalesforceClient, jobId: string, batchId: string, resultId: string, signal: AbortSignal): Promise<StreamedResponse> {
  return client.stream(`/services/async/${client.apiVersion}/job/${jobId}/batch/${batchId}/result/${resultId}`, { headers: { accept: 'text/csv' }, signal });
}
