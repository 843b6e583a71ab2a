/**
 * Bulk API 1.0 query jobs (`/services/async/vNN.0/job`): create one (with the PK chunking header
 * when asked), add its SOQL as a batch, read batch states, close or abort it. The session goes in
 * `X-SFDC-Session` (the HTTP client's session wrapper does that for every `/services/async/` URL).
 * Job resources are spoken in JSON; batch resources of a CSV job answer in XML.
 */
import { TapError } from '../../core/errors.js';
import type { SalesforceClient } from '../client.js';
import { BulkJobRegistry } from '../bulk2/jobs.js';
import { readElements, unexpected } from './xml.js';

export type BatchState = 'Queued' | 'InProgress' | 'Completed' | 'Failed' | 'NotProcessed';

export interface BatchInfo {
  id: string;
  jobId: string;
  state: BatchState;
  stateMessage?: string;
  numberRecordsProcessed: number;
}

export interface PkChunkingOptions {
  chunkSize: number;
  /** The parent object whose Ids chunk a history or sharing object. */
  parent?: string;
}

const asyncPath = (client: SalesforceClient, rest: string) => `/services/async/${client.apiVersion}/${rest}`;

async function readText(client: SalesforceClient, rest: string, signal: AbortSignal | undefined, options: { method?: 'POST'; text?: { body: string; contentType: string } } = {}): Promise<string> {
  const response = await client.stream(asyncPath(client, rest), { ...options, headers: { accept: 'application/xml' }, ...(signal ? { signal } : {}) });
  const chunks: Buffer[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function toBatchInfo(fields: Record<string, string>): BatchInfo {
  if (!fields['id'] || !fields['state']) throw unexpected('a batchInfo', JSON.stringify(fields));
  return {
    id: fields['id'],
    jobId: fields['jobId'] ?? '',
    state: fields['state'] as BatchState,
    ...(fields['stateMessage'] ? { stateMessage: fields['stateMessage'] } : {}),
    numberRecordsProcessed: Number(fields['numberRecordsProcessed'] ?? 0),
  };
}

/**
 * Creates a CSV query job. A POST that creates a job is never replayed: a lost reply may mean the
 * job exists, and a second one would run the query twice.
 */
export async function createAsyncJob(client: SalesforceClient, spec: { object: string; operation: 'query' | 'queryAll'; pkChunking?: PkChunkingOptions }, signal: AbortSignal): Promise<string> {
  const pk = spec.pkChunking;
  const header = pk ? `chunkSize=${pk.chunkSize}${pk.parent ? `; parent=${pk.parent}` : ''}` : undefined;
  const job = await client.json<{ id?: unknown }>(asyncPath(client, 'job'), {
    method: 'POST',
    body: { operation: spec.operation, object: spec.object, contentType: 'CSV', concurrencyMode: 'Parallel' },
    ...(header ? { headers: { 'Sforce-Enable-PKChunking': header } } : {}),
    idempotent: false,
    signal,
  });
  if (typeof job?.id !== 'string' || job.id === '') throw unexpected('a jobInfo with an id', JSON.stringify(job));
  return job.id;
}

/** Adds the query batch (the SOQL as plain text, sent as the job's CSV content type). */
export async function addQueryBatch(client: SalesforceClient, jobId: string, soql: string, signal: AbortSignal): Promise<BatchInfo> {
  const xml = await readText(client, `job/${jobId}/batch`, signal, { method: 'POST', text: { body: soql, contentType: 'text/csv; charset=UTF-8' } });
  const [info] = readElements(xml, 'batchInfo');
  if (!info) throw unexpected('a batchInfo', xml);
  return toBatchInfo(info);
}

export async function fetchBatch(client: SalesforceClient, jobId: string, batchId: string, signal: AbortSignal): Promise<BatchInfo> {
  const [info] = readElements(await readText(client, `job/${jobId}/batch/${batchId}`, signal), 'batchInfo');
  if (!info) throw unexpected('a batchInfo', '');
  return toBatchInfo(info);
}

export async function listBatches(client: SalesforceClient, jobId: string, signal: AbortSignal): Promise<BatchInfo[]> {
  const xml = await readText(client, `job/${jobId}/batch`, signal);
  if (!/batchInfoList/.test(xml)) throw unexpected('a batchInfoList', xml);
  return readElements(xml, 'batchInfo').map(toBatchInfo);
}

/** Closed (no more batches; its batches still run) or Aborted (unfinished batches stop). */
export async function setJobState(client: SalesforceClient, jobId: string, state: 'Closed' | 'Aborted', signal?: AbortSignal): Promise<void> {
  // Safe to send again: a second close or abort changes nothing.
  await client.json(asyncPath(client, `job/${jobId}`), { method: 'POST', body: { state }, idempotent: true, ...(signal ? { signal } : {}) });
}

/** A batch that failed, as an error the sync's failure table understands (timeouts shrink the window). */
export function batchFailure(jobId: string, batch: BatchInfo): TapError {
  const message = batch.stateMessage ?? 'no reason given';
  const timeout = /timeout|timed out|retried more than/i.test(message);
  return new TapError(timeout ? 'SF_QUERY_TIMEOUT' : 'TAP_BULK1_BATCH_FAILED', `Bulk API 1.0 batch ${batch.id} of job ${jobId} failed: ${message}`, { kind: 'salesforce' });
}

/** Bulk API 1.0 jobs this run created and has not finished with: aborted when the run fails or is interrupted. */
export function createAsyncJobRegistry(): BulkJobRegistry {
  return new BulkJobRegistry((client, id) => setJobState(client, id, 'Aborted'));
}
