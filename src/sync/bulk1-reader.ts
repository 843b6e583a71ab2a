/**
 * The Bulk API 1.0 window reader: one query job per window, its SOQL added as one batch and the
 * job closed at once. With PK chunking Salesforce splits that batch into one batch per Id range
 * (the original ends `NotProcessed`); each chunk's result files are downloaded as soon as that
 * chunk completes, a few at a time, while the others still run. A result file whose connection
 * breaks is fetched again, skipping the rows already emitted. Jobs this reader created are
 * aborted when the window fails or the run is interrupted; a job-creating POST is never replayed.
 */
import { TapError } from '../core/errors.js';
import type { SalesforceClient } from '../salesforce/client.js';
import type { BulkJobRegistry } from '../salesforce/bulk2/jobs.js';
import { addQueryBatch, batchFailure, createAsyncJob, fetchBatch, listBatches, setJobState, type BatchInfo, type PkChunkingOptions } from '../salesforce/bulk1/jobs.js';
import { sleep } from '../salesforce/http/with-retry.js';
import { fetchResult, listResultIds, NO_RECORDS } from '../salesforce/bulk1/results.js';
import { buildSelect, MAX_SOQL_CHARS, splitColumns } from '../salesforce/soql.js';
import type { RecordBatch } from './events.js';
import { mergeConcurrently } from './download-connections.js';
import { createPageDecoder, type DecoderSpec } from './records/page-decoder.js';
import { createValueIssues, type ValueIssues } from './records/value-kinds.js';
import { streamCondition, type ReaderSettings } from './readers.js';
import type { ReadApi, ReadRequest, WindowReader } from './read-apis.js';

export interface Bulk1Settings extends ReaderSettings {
  /** PK chunking on job creation; absent: one batch per window. */
  pkChunking?: { chunkSize: number };
  /** Chunks whose results download at once. */
  chunkConcurrency: number;
}

const RESULT_ATTEMPTS = 5;
const NO_RECORDS_BYTES = Buffer.from(NO_RECORDS);

/** History and sharing objects chunk over their parent's Ids (`AccountHistory` → `Account`). */
export function pkChunkingParent(sobject: string): string | undefined {
  const custom = /^(\w+)__(History|Share)$/.exec(sobject);
  if (custom) return `${custom[1]}__c`;
  const standard = /^([A-Z][A-Za-z0-9]*?)(FieldHistory|History|Share|CleanInfo)$/.exec(sobject);
  return standard && !sobject.includes('__') ? standard[1] : undefined;
}

/** One result file, decoded as it streams; fetched again from where it broke off. */
async function* readResultFile(client: SalesforceClient, settings: Bulk1Settings, ids: { job: string; batch: string; result: string }, spec: DecoderSpec, request: ReadRequest, issues: ValueIssues): AsyncIterable<RecordBatch> {
  let emitted = 0;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const response = await fetchResult(client, ids.job, ids.batch, ids.result, request.signal);
      const decoder = createPageDecoder(spec, { skip: emitted, issues });
      let head: Buffer | undefined = Buffer.alloc(0);
      for await (const chunk of response.body) {
        if (head !== undefined) {
          // A batch without rows says so in words instead of a header row.
          head = Buffer.concat([head, chunk]);
          if (head.length < NO_RECORDS_BYTES.length && NO_RECORDS_BYTES.subarray(0, head.length).equals(head)) continue;
          if (head.subarray(0, NO_RECORDS_BYTES.length).equals(NO_RECORDS_BYTES)) return;
          const first = head;
          head = undefined;
          const batch = decoder.push(first);
          emitted += batch.count;
          if (batch.count > 0) yield batch;
          continue;
        }
        const batch = decoder.push(chunk);
        emitted += batch.count;
        if (batch.count > 0) yield batch;
      }
      if (head !== undefined && head.length > 0) {
        if (head.equals(NO_RECORDS_BYTES.subarray(0, head.length))) return;
        const batch = decoder.push(head);
        emitted += batch.count;
        if (batch.count > 0) yield batch;
      }
      const last = decoder.end();
      emitted += last.count;
      if (last.count > 0) yield last;
      return;
    } catch (error) {
      if (request.signal.aborted) throw error;
      const retryable = !(error instanceof TapError) || error.retryable || error.kind === 'transient';
      if (!retryable || attempt >= RESULT_ATTEMPTS) throw error;
      settings.log('warn', `${request.stream.definition.name}: Bulk API 1.0 result ${ids.result} broke off after ${emitted} rows (${error instanceof Error ? error.message : String(error)}); fetching it again from that row`);
    }
  }
}

async function* readBatch(client: SalesforceClient, settings: Bulk1Settings, jobId: string, batch: BatchInfo, spec: DecoderSpec, request: ReadRequest, issues: ValueIssues): AsyncIterable<RecordBatch> {
  for (const result of await listResultIds(client, jobId, batch.id, request.signal)) {
    yield* readResultFile(client, settings, { job: jobId, batch: batch.id, result }, spec, request, issues);
  }
}

/** The batches that hold rows: the one added, or, once Salesforce has split it, its chunks. */
async function* completedBatches(client: SalesforceClient, settings: Bulk1Settings, jobId: string, added: BatchInfo, chunked: boolean, request: ReadRequest): AsyncIterable<BatchInfo[]> {
  const deadline = Date.now() + settings.bulkJobTimeoutMs;
  const seen = new Set<string>();
  let delay = settings.pollInitialMs;
  let processed = 0;
  for (;;) {
    const batches = chunked ? await listBatches(client, jobId, request.signal) : [await fetchBatch(client, jobId, added.id, request.signal)];
    const original = batches.find((b) => b.id === added.id);
    if (original?.state === 'Failed') throw batchFailure(jobId, original);
    const split = !chunked || original?.state === 'NotProcessed';
    const rows = split ? batches.filter((b) => b.id !== added.id || !chunked) : [];
    const failed = rows.find((b) => b.state === 'Failed');
    if (failed) throw batchFailure(jobId, failed);
    if (rows.some((b) => b.state === 'NotProcessed')) throw new TapError('TAP_BULK_JOB_ABORTED', `Bulk API 1.0 job ${jobId} was aborted in the org.`, { kind: 'salesforce' });
    const ready = rows.filter((b) => b.state === 'Completed' && !seen.has(b.id));
    if (ready.length > 0) {
      for (const b of ready) {
        seen.add(b.id);
        processed += b.numberRecordsProcessed;
      }
      request.onEstimate(processed);
      yield ready;
      delay = settings.pollInitialMs;
    }
    if (split && rows.length > 0 && rows.every((b) => seen.has(b.id))) return;
    if (ready.length > 0) continue;
    if (Date.now() + delay > deadline) {
      throw new TapError('TAP_BULK_JOB_TIMEOUT', `Bulk API 1.0 job ${jobId} did not finish within ${Math.round(settings.bulkJobTimeoutMs / 1000)} s.`, { kind: 'transient' });
    }
    await sleep(delay, request.signal);
    delay = Math.min(settings.pollMaxMs, Math.round(delay * 1.5));
  }
}

/** Bulk API 1.0 as a read API: what Bulk serves, falling back to REST. */
export function bulk1Api(read: WindowReader): ReadApi {
  return {
    id: 'bulk1',
    label: 'Bulk API 1.0',
    fallback: 'rest',
    refuses: (stream) => (stream.definition.bulkSupported ? undefined : `Bulk API 1.0 does not support ${stream.definition.sobject}`),
    unselectable: (plan) => plan.bulkUnselectable,
    read,
  };
}

export function createBulk1Reader(client: SalesforceClient, settings: Bulk1Settings, jobs: BulkJobRegistry, fallback: WindowReader): WindowReader {
  /**
   * A job with its query batch. Neither POST is replayed as such: a job whose creation reply was
   * lost holds no batch and runs nothing, so another is created; a batch whose reply was lost may
   * be running, so its job is aborted (stopping it) and the whole job made again, once.
   */
  const startJob = async (soql: string, request: ReadRequest, pkChunking: PkChunkingOptions | undefined): Promise<{ jobId: string; added: BatchInfo }> => {
    const sobject = request.stream.definition.sobject;
    const operation = settings.includeDeleted && request.stream.definition.hasIsDeleted ? 'queryAll' : 'query';
    const lost = (error: unknown) => !request.signal.aborted && error instanceof TapError && error.kind === 'transient';
    for (let attempt = 1; ; attempt += 1) {
      let jobId: string;
      try {
        jobId = await createAsyncJob(client, { object: sobject, operation, ...(pkChunking ? { pkChunking } : {}) }, request.signal);
      } catch (error) {
        if (attempt > 1 || !lost(error)) throw error;
        settings.log('warn', `${request.stream.definition.name}: the reply to a Bulk API 1.0 job creation was lost (${(error as TapError).code}); a job without a batch runs nothing, creating another`);
        continue;
      }
      jobs.add(jobId);
      try {
        return { jobId, added: await addQueryBatch(client, jobId, soql, request.signal) };
      } catch (error) {
        jobs.done(jobId);
        await setJobState(client, jobId, 'Aborted').catch(() => undefined);
        if (attempt > 1 || !lost(error)) throw error;
        settings.log('warn', `${request.stream.definition.name}: the reply to the query batch of Bulk API 1.0 job ${jobId} was lost (${(error as TapError).code}); aborted that job, starting the query again`);
      }
    }
  };

  const readJob = async function* (soql: string, spec: DecoderSpec, request: ReadRequest, pkChunking: PkChunkingOptions | undefined): AsyncIterable<RecordBatch> {
    const { jobId, added } = await startJob(soql, request, pkChunking);
    try {
      // Closed: no batch comes after this one. Its batches still run; an abort still stops them.
      await setJobState(client, jobId, 'Closed', request.signal);
      const issues = createValueIssues();
      for await (const ready of completedBatches(client, settings, jobId, added, pkChunking !== undefined, request)) {
        yield* mergeConcurrently(ready.map((batch) => () => readBatch(client, settings, jobId, batch, spec, request, issues)), { concurrency: settings.chunkConcurrency, connections: settings.connections });
      }
      jobs.done(jobId);
    } finally {
      if (jobs.open.includes(jobId)) {
        jobs.done(jobId);
        await setJobState(client, jobId, 'Aborted').catch(() => undefined);
      }
    }
  };

  return async function* (request) {
    const { stream, plan, window } = request;
    const where = streamCondition(stream.definition, settings.streamWhere);
    const spec = {
      sobject: stream.definition.sobject,
      columns: plan.columns.map((c) => c.name),
      ...(where ? { where } : {}),
      ...(window && stream.replicationKey ? { window: { field: stream.replicationKey, start: window.start, end: window.end } } : {}),
    };
    if (splitColumns(spec, MAX_SOQL_CHARS).length > 1) {
      settings.log('info', `${stream.definition.name}: its SOQL is longer than a Bulk API 1.0 batch takes; reading it through REST in column slices`);
      yield* fallback(request);
      return;
    }
    const envelope = settings.envelope?.(stream.definition.name);
    const decoderSpec: DecoderSpec = { columns: plan.columns, output: plan.output, mode: 'json', ...(envelope ? { envelope } : {}) };
    // Objects PK chunking does not serve fail the original batch before any chunk ran: a history
    // or sharing object is tried again over its parent's Ids, anything else in one batch.
    const attempts: (PkChunkingOptions | undefined)[] = [];
    if (settings.pkChunking) {
      attempts.push({ chunkSize: settings.pkChunking.chunkSize });
      const parent = pkChunkingParent(stream.definition.sobject);
      if (parent) attempts.push({ chunkSize: settings.pkChunking.chunkSize, parent });
    }
    attempts.push(undefined);
    for (const [i, pk] of attempts.entries()) {
      let emitted = 0;
      try {
        for await (const batch of readJob(buildSelect(spec), decoderSpec, request, pk)) {
          emitted += batch.count;
          yield batch;
        }
        return;
      } catch (error) {
        const last = i === attempts.length - 1;
        if (last || emitted > 0 || request.signal.aborted || !(error instanceof TapError) || !/PK chunking/i.test(error.message)) throw error;
        settings.log('warn', `${stream.definition.name}: ${error.message}; ${attempts[i + 1] ? `chunking over ${attempts[i + 1]!.parent}'s Ids` : 'reading it in one Bulk API 1.0 batch'} instead`);
      }
    }
  };
}
