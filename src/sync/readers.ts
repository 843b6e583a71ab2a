/**
 * The window readers: one window of one stream through Bulk API 2.0 or REST, as record batches.
 *
 * Bulk: a query job, then its result pages decoded as they stream. A page whose connection
 * breaks, whose body is truncated, or whose row count disagrees with `Sforce-NumberOfRecords` is
 * fetched again from the same locator, skipping the rows already emitted: no partial record and
 * no duplicate within a window.
 *
 * Wide objects whose SOQL would pass Salesforce's limits are read as several column slices, each
 * ordered by Id, joined back by Id; rows a slice missed are completed by Id through REST.
 */
import type { StreamDefinition } from '../catalog/types.js';
import { TapError } from '../core/errors.js';
import type { SalesforceClient } from '../salesforce/client.js';
import { abortJob, createQueryJobOnce, waitForJob, type BulkJobRegistry } from '../salesforce/bulk2/jobs.js';
import { fetchResultPage } from '../salesforce/bulk2/results.js';
import { createPageGuard, paginate } from '../salesforce/paginate.js';
import { iterateRestQuery } from '../salesforce/rest-query.js';
import { buildSelect, MAX_REST_SOQL_URL_CHARS, MAX_SOQL_CHARS, splitColumns, type SelectSpec } from '../salesforce/soql.js';
import type { RecordBatch, RecordEnvelope } from './events.js';
import { EventChannel } from './event-channel.js';
import { PartJoiner } from './join-parts.js';
import type { OutputField, ReadPlan } from './read-plan.js';
import { createPageDecoder, type DecoderSpec } from './records/page-decoder.js';
import { fromRestRecord } from './records/rest-record.js';
import { createValueIssues } from './records/value-kinds.js';
import type { ReadRequest, WindowReader } from './run-sync.js';

export interface ReaderSettings {
  maxRecords: number;
  restBatchSize: number;
  includeDeleted: boolean;
  streamWhere: Record<string, string>;
  resultPageConcurrency: number;
  bulkJobTimeoutMs: number;
  pollInitialMs: number;
  pollMaxMs: number;
  log(level: 'debug' | 'info' | 'warn', message: string): void;
  /** The protocol's envelope per stream name: Bulk's fast path then emits whole messages. */
  envelope?: (stream: string) => RecordEnvelope;
}

const PAGE_ATTEMPTS = 5;
const ID_CHUNK = 200;

/** A stream's own conditions: a custom query's WHERE and the user's `stream_where`, ANDed. */
export function streamCondition(definition: StreamDefinition, streamWhere: Record<string, string>): string | undefined {
  const parts = [definition.filter, streamWhere[definition.name]].filter((p): p is string => p !== undefined && p.trim() !== '');
  return parts.length > 1 ? parts.map((p) => `(${p})`).join(' AND ') : parts[0];
}

function selectSpec(request: ReadRequest, settings: ReaderSettings): SelectSpec {
  const { stream, plan, window } = request;
  const where = streamCondition(stream.definition, settings.streamWhere);
  return {
    sobject: stream.definition.sobject,
    columns: plan.columns.map((c) => c.name),
    ...(where ? { where } : {}),
    ...(window && stream.replicationKey ? { window: { field: stream.replicationKey, start: window.start, end: window.end } } : {}),
  };
}

const wantsDeleted = (request: ReadRequest, settings: ReaderSettings) => settings.includeDeleted && request.stream.definition.hasIsDeleted;

/** A column slice's own shape: its columns as plain outputs (compounds are rebuilt after the join). */
function partShape(plan: ReadPlan, columns: string[]): Pick<DecoderSpec, 'columns' | 'output'> {
  const kinds = new Map(plan.columns.map((c) => [c.name, c.kind]));
  return { columns: columns.map((name) => ({ name, kind: kinds.get(name) ?? 'string' })), output: columns.map((name, column) => ({ name, column })) };
}

/** Turns a joined row (typed values by column name) into the stream's record. */
function toOutput(plan: ReadPlan, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of plan.output as OutputField[]) {
    if ('column' in field) out[field.name] = row[plan.columns[field.column]!.name] ?? null;
    else {
      const value: Record<string, unknown> = {};
      let any = false;
      for (const [key, column] of Object.entries(field.components)) {
        const v = row[plan.columns[column]!.name] ?? null;
        value[key] = v;
        if (v !== null) any = true;
      }
      out[field.name] = any ? value : null;
    }
  }
  return out;
}

/** Reads every part in turn, one batch at a time, so the joiner holds few rows when parts are ordered alike. */
interface IncompleteRow {
  id: string;
  record: Record<string, unknown>;
  /** Slices that never delivered the row. */
  missing: number[];
}

async function* joinParts(parts: AsyncIterator<Record<string, unknown>[]>[], plan: ReadPlan, complete: (rows: IncompleteRow[]) => Promise<Record<string, unknown>[]>): AsyncIterable<RecordBatch> {
  const joiner = new PartJoiner(parts.length);
  const live = new Set(parts.map((_, i) => i));
  while (live.size > 0) {
    for (const i of [...live]) {
      const next = await parts[i]!.next();
      if (next.done) {
        live.delete(i);
        continue;
      }
      const joined = joiner.add(i, next.value);
      if (joined.length > 0) yield { count: joined.length, objects: joined.map((r) => toOutput(plan, r)) };
    }
  }
  const incomplete = joiner.incomplete();
  if (incomplete.length > 0) {
    const all = parts.map((_, i) => i);
    const rows = await complete(incomplete.map((r) => ({ id: r.id, record: r.record, missing: all.filter((p) => !r.parts.includes(p)) })));
    if (rows.length > 0) yield { count: rows.length, objects: rows.map((r) => toOutput(plan, r)) };
  }
}

async function* readRestRows(client: SalesforceClient, settings: ReaderSettings, soql: string, shape: Pick<DecoderSpec, 'columns' | 'output'>, request: ReadRequest): AsyncIterable<Record<string, unknown>[]> {
  const issues = createValueIssues();
  let estimated = false;
  for await (const page of iterateRestQuery(client, soql, { queryAll: wantsDeleted(request, settings), batchSize: settings.restBatchSize, signal: request.signal })) {
    if (!estimated) {
      request.onEstimate(page.totalSize);
      estimated = true;
    }
    if (page.records.length > 0) yield page.records.map((r) => fromRestRecord(r, shape, issues));
  }
}

/** Rows some slice missed: their missing slices fetched by Id (no window: the row moved out of it). */
async function completeRowsById(client: SalesforceClient, settings: ReaderSettings, request: ReadRequest, partColumns: string[][], rows: IncompleteRow[]): Promise<Record<string, unknown>[]> {
  settings.log('warn', `${request.stream.definition.name}: ${rows.length} row(s) changed while the column slices were read; completing them by Id`);
  const byId = new Map(rows.map((r) => [r.id, { ...r.record }]));
  for (let p = 0; p < partColumns.length; p += 1) {
    const ids = rows.filter((r) => r.missing.includes(p)).map((r) => r.id);
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const list = ids.slice(i, i + ID_CHUNK).map((id) => `'${id}'`).join(',');
      const soql = buildSelect({ sobject: request.stream.definition.sobject, columns: partColumns[p]!, where: `Id IN (${list})` });
      for await (const batch of readRestRows(client, settings, soql, partShape(request.plan, partColumns[p]!), request)) {
        for (const record of batch) Object.assign(byId.get(record.Id as string) ?? {}, record);
      }
    }
  }
  return [...byId.values()];
}

export function createRestReader(client: SalesforceClient, settings: ReaderSettings): WindowReader {
  return async function* (request) {
    const spec = selectSpec(request, settings);
    const parts = splitColumns(spec, MAX_REST_SOQL_URL_CHARS, (soql) => encodeURIComponent(soql).length);
    if (parts.length === 1) {
      for await (const objects of readRestRows(client, settings, buildSelect(spec), request.plan, request)) yield { count: objects.length, objects };
      return;
    }
    const iterators = parts.map((columns) => readRestRows(client, settings, buildSelect({ ...spec, columns, orderBy: 'Id' }), partShape(request.plan, columns), request)[Symbol.asyncIterator]());
    yield* joinParts(iterators, request.plan, (rows) => completeRowsById(client, settings, request, parts, rows));
  };
}

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

/** Runs producers `concurrency` at a time and yields their batches as they come (order within a window does not matter). */
async function* mergeConcurrently(producers: (() => AsyncIterable<RecordBatch>)[], concurrency: number): AsyncIterable<RecordBatch> {
  const channel = new EventChannel<RecordBatch>(concurrency * 2);
  let next = 0;
  const worker = async () => {
    while (next < producers.length) {
      const producer = producers[next++]!;
      for await (const batch of producer()) await channel.push(batch);
    }
  };
  Promise.all(Array.from({ length: Math.min(concurrency, producers.length) }, worker)).then(() => channel.close(), (error: unknown) => channel.fail(error));
  yield* channel;
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

export function createBulkReader(client: SalesforceClient, settings: ReaderSettings, jobs: BulkJobRegistry): WindowReader {
  /** Runs one job and yields its records, page by page. */
  const readJob = async function* (soql: string, decoderSpec: DecoderSpec, request: ReadRequest): AsyncIterable<RecordBatch> {
    const operation = wantsDeleted(request, settings) ? 'queryAll' : 'query';
    const created = await createQueryJobOnce(client, { query: soql, operation, sobject: request.stream.definition.sobject }, jobs, request.signal, (message) => settings.log('warn', message));
    jobs.add(created.id);
    try {
      const job = await waitForJob(client, created.id, { signal: request.signal, timeoutMs: settings.bulkJobTimeoutMs, pollInitialMs: settings.pollInitialMs, pollMaxMs: settings.pollMaxMs });
      jobs.done(created.id);
      if (job.numberRecordsProcessed !== undefined) request.onEstimate(job.numberRecordsProcessed);
      const issues = createValueIssues();
      const chain = (first: string | undefined) => readLocatorChain(client, settings, created.id, first, decoderSpec, request, issues);
      const partitions = settings.resultPageConcurrency > 1 && Number(client.apiVersion) >= RESULT_PAGES_MIN_VERSION && (job.numberRecordsProcessed ?? 0) > settings.maxRecords
        ? await listResultPages(client, created.id, request.signal).catch((error: unknown) => {
            settings.log('debug', `resultPages unavailable for job ${created.id} (${error instanceof Error ? error.message : String(error)}); reading the locator chain`);
            return undefined;
          })
        : undefined;
      if (!partitions || partitions.length <= 1) yield* chain(undefined);
      else yield* mergeConcurrently(partitions.map((locator) => () => chain(locator)), settings.resultPageConcurrency);
    } finally {
      // This job only: other streams' jobs run on.
      if (jobs.open.includes(created.id)) {
        jobs.done(created.id);
        await abortJob(client, created.id).catch(() => undefined);
      }
    }
  };

  return async function* (request) {
    const spec = selectSpec(request, settings);
    const parts = splitColumns(spec, MAX_SOQL_CHARS);
    if (parts.length === 1) {
      const envelope = settings.envelope?.(request.stream.definition.name);
      yield* readJob(buildSelect(spec), { columns: request.plan.columns, output: request.plan.output, mode: 'json', ...(envelope ? { envelope } : {}) }, request);
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
}
