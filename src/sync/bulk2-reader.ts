/**
 * The Bulk API 2.0 reader: a query job, then its result pages decoded as they stream. A page whose
 * connection breaks, whose body is truncated, or whose row count disagrees with
 * `Sforce-NumberOfRecords` is fetched again from the same locator, skipping the rows already
 * emitted: no partial record and no duplicate within a window. Wide objects whose SOQL would pass
 * Salesforce's limits are read as several jobs over column slices, joined back by Id.
 */
import { TapError } from '../core/errors.js';
import type { SalesforceClient } from '../salesforce/client.js';
import { JobPace } from '../salesforce/bulk2/job-pace.js';
import { abortJob, createQueryJobOnce, waitForJob, type BulkJobInfo, type BulkJobRegistry } from '../salesforce/bulk2/jobs.js';
import { fetchResultPage } from '../salesforce/bulk2/results.js';
import { createPageGuard, paginate } from '../salesforce/paginate.js';
import { buildSelect, MAX_SOQL_CHARS, splitColumns } from '../salesforce/soql.js';
import type { RecordBatch } from './events.js';
import { mergeConcurrently } from './download-connections.js';
import type { ReadApi, ReadRequest, WindowReader } from './read-apis.js';
import { createPageDecoder, type DecoderSpec } from './records/page-decoder.js';
import { createValueIssues } from './records/value-kinds.js';
import { completeRowsById, joinParts, partShape, selectSpec, wantsDeleted, type ReaderSettings } from './readers.js';

const PAGE_ATTEMPTS = 5;

/** `resultPages` (parallel result download) exists from API 62.0 on. */
const RESULT_PAGES_MIN_VERSION = 62;

/** The first locator of every result partition, following `nextRecordsUrl` (or its misspelling). */
async function listResultPages(client: SalesforceClient, jobId: string, signal: AbortSignal): Promise<string[]> {
  const locators: string[] = [];
  const fetch = (path: string): Promise<{ resultPages?: { resultUrl: string }[]; nextRecordsUrl?: string; nextRecordUrl?: string; done?: boolean }> => client.json(path, { signal, headers: { Accept: 'application/json' }, shape: { resultPages: 'array?', nextRecordsUrl: 'string?', nextRecordUrl: 'string?', done: 'boolean?' } });
  const pages = paginate({ what: `Bulk API 2.0 job ${jobId} resultPages`, first: () => fetch(`jobs/query/${jobId}/resultPages`), tokenOf: (page) => (page.done === false ? page.nextRecordsUrl ?? page.nextRecordUrl : undefined), fetch });
  for await (const page of pages) {
    for (const { resultUrl } of page.resultPages ?? []) {
      const locator = new URL(resultUrl, 'http://x').searchParams.get('locator');
      if (locator) locators.push(locator);
    }
  }
  return locators;
}

/**
 * Result pages from `first` on (undefined: the job's first page), following `Sforce-Locator`. A page
 * that breaks off, is truncated or holds fewer rows than announced is fetched again from the same
 * locator, skipping the rows already emitted.
 */
async function* readLocatorChain(client: SalesforceClient, settings: ReaderSettings, jobId: string, first: string | undefined, decoderSpec: DecoderSpec, request: ReadRequest, issues: ReturnType<typeof createValueIssues>): AsyncIterable<RecordBatch> {
  let locator = first;
  const guard = createPageGuard(`Bulk API 2.0 job ${jobId} results`, first);
  do {
    let emitted = 0;
    let next: string | undefined;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const page = await fetchResultPage(client, jobId, { ...(locator ? { locator } : {}), maxRecords: settings.maxRecords, signal: request.signal });
        const decoder = createPageDecoder(decoderSpec, { skip: emitted, issues });
        for await (const chunk of page.response.body) {
          const batch = decoder.push(chunk);
          emitted += batch.count;
          if (batch.count > 0) yield batch;
        }
        const last = decoder.end();
        emitted += last.count;
        if (last.count > 0) yield last;
        if (page.numberOfRecords !== undefined && decoder.rowsRead !== page.numberOfRecords) {
          throw new TapError('TAP_PAGE_COUNT_MISMATCH', `A results page held ${decoder.rowsRead} rows where Salesforce announced ${page.numberOfRecords}.`, { kind: 'transient', retryable: true });
        }
        next = page.nextLocator;
        break;
      } catch (error) {
        if (request.signal.aborted) throw error;
        const retryable = !(error instanceof TapError) || error.retryable || error.kind === 'transient';
        if (!retryable || attempt >= PAGE_ATTEMPTS) throw error;
        settings.log('warn', `${request.stream.definition.name}: results page broke off after ${emitted} rows (${error instanceof Error ? error.message : String(error)}); fetching it again from that row`);
      }
    }
    locator = guard.next(next);
  } while (locator);
}

export interface BulkReader {
  read: WindowReader;
  /** Creates the window's job and waits for it; resolves with its records to download. */
  prepare(request: ReadRequest): Promise<AsyncIterable<RecordBatch>>;
}

export function createBulkReader(client: SalesforceClient, settings: ReaderSettings, jobs: BulkJobRegistry): BulkReader {
  const pace = new JobPace();
  /** Creates a job and waits until it completes; a job that failed or was given up is aborted. */
  const runJob = async (soql: string, request: ReadRequest): Promise<BulkJobInfo> => {
    const operation = wantsDeleted(request, settings) ? 'queryAll' : 'query';
    const created = await createQueryJobOnce(client, { query: soql, operation, sobject: request.stream.definition.sobject }, jobs, request.signal, (message) => settings.log('warn', message));
    jobs.add(created.id);
    try {
      const job = await waitForJob(client, created.id, {
        signal: request.signal, timeoutMs: settings.bulkJobTimeoutMs, pollInitialMs: settings.pollInitialMs, pollMaxMs: settings.pollMaxMs, pace, expectedRows: request.window?.rows,
      });
      jobs.done(created.id);
      return { ...job, id: created.id };
    } finally {
      // This job only: other streams' jobs run on.
      if (jobs.open.includes(created.id)) {
        jobs.done(created.id);
        await abortJob(client, created.id).catch(() => undefined);
      }
    }
  };

  /** A completed job's records, page by page (several result partitions at once where the API offers them). */
  const download = async function* (job: BulkJobInfo, decoderSpec: DecoderSpec, request: ReadRequest): AsyncIterable<RecordBatch> {
    if (job.numberRecordsProcessed !== undefined) request.onEstimate(job.numberRecordsProcessed);
    const issues = createValueIssues();
    const chain = (first: string | undefined) => readLocatorChain(client, settings, job.id, first, decoderSpec, request, issues);
    const partitions = settings.resultPageConcurrency > 1 && Number(client.apiVersion) >= RESULT_PAGES_MIN_VERSION && (job.numberRecordsProcessed ?? 0) > settings.maxRecords
      ? await listResultPages(client, job.id, request.signal).catch((error: unknown) => {
          settings.log('debug', `resultPages unavailable for job ${job.id} (${error instanceof Error ? error.message : String(error)}); reading the locator chain`);
          return undefined;
        })
      : undefined;
    if (!partitions || partitions.length <= 1) yield* chain(undefined);
    else yield* mergeConcurrently(partitions.map((locator) => () => chain(locator)), { concurrency: settings.resultPageConcurrency, connections: settings.connections });
  };

  const readJob = async function* (soql: string, decoderSpec: DecoderSpec, request: ReadRequest): AsyncIterable<RecordBatch> {
    yield* download(await runJob(soql, request), decoderSpec, request);
  };

  const wholeSpec = (request: ReadRequest): DecoderSpec => {
    const envelope = settings.envelope?.(request.stream.definition.name);
    return { columns: request.plan.columns, output: request.plan.output, mode: 'json', ...(envelope ? { envelope } : {}) };
  };

  const read: WindowReader = async function* (request) {
    const spec = selectSpec(request, settings);
    const parts = splitColumns(spec, MAX_SOQL_CHARS);
    if (parts.length === 1) {
      yield* readJob(buildSelect(spec), wholeSpec(request), request);
      return;
    }
    const iterators = parts.map((columns) => {
      const soql = buildSelect({ ...spec, columns, orderBy: 'Id' });
      const batches = readJob(soql, { ...partShape(request.plan, columns), mode: 'objects' }, request);
      return (async function* () {
        for await (const batch of batches) if (batch.objects) yield batch.objects;
      })()[Symbol.asyncIterator]();
    });
    yield* joinParts(iterators, request.plan, (rows) => completeRowsById(client, settings, request, parts, rows));
  };

  return {
    read,
    async prepare(request) {
      const spec = selectSpec(request, settings);
      // Column slices run their jobs as they are read.
      if (splitColumns(spec, MAX_SOQL_CHARS).length > 1) return read(request);
      const job = await runJob(buildSelect(spec), request);
      return download(job, wholeSpec(request), request);
    },
  };
}

/** Bulk API 2.0 as a read API: not for objects it does not support, nor for base64 fields; falls back to REST. */
export function bulk2Api(reader: WindowReader | BulkReader): ReadApi {
  const { read, prepare } = typeof reader === 'function' ? { read: reader, prepare: undefined } : reader;
  return {
    id: 'bulk',
    label: 'Bulk API 2.0',
    fallback: 'rest',
    smallReads: 'composite',
    ...(prepare ? { prepare } : {}),
    refuses: (stream) => (stream.definition.bulkSupported ? undefined : `Bulk API 2.0 does not support ${stream.definition.sobject}`),
    unselectable: (plan) => plan.bulkUnselectable,
    read,
  };
}
