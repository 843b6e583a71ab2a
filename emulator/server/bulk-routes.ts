import { COLUMN_DELIMITERS, type BulkJob, type ColumnDelimiter, type JobFate, type LineEnding } from './bulk-jobs.js';
import { ChunkPool, csvHeader, csvPage, type CsvFormat } from './bulk-csv.js';
import { decodeLocator, encodeLocator } from './ids.js';
import { emptyReply, JSON_TYPE, notFound, sfError, type Reply } from './reply.js';
import { header, type RequestContext } from './state.js';

const OPERATIONS = ['query', 'queryAll'];
const LIST_PAGE = 1000;

function restDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** `apiVersion` is a JSON number written with one decimal (`62.0`), which JSON.stringify cannot do. */
function jobReply(status: number, value: Record<string, unknown>): Reply {
  const body = JSON.stringify(value).replace(/"apiVersion":(\d+)(?=[,}])/g, '"apiVersion":$1.0');
  return { status, headers: { 'Content-Type': JSON_TYPE }, body, json: value };
}

function jobBase(ctx: RequestContext, job: BulkJob): Record<string, unknown> {
  return {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById,
    createdDate: job.createdDate,
    systemModstamp: job.systemModstamp,
    state: ctx.state.bulk.stateOf(job),
  };
}

/** What the job list shows of a job; a job's own info adds its counters to it. */
function jobListing(ctx: RequestContext, job: BulkJob): Record<string, unknown> {
  return {
    ...jobBase(ctx, job),
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: job.apiVersion,
    jobType: 'V2Query',
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter,
  };
}

function jobInfo(ctx: RequestContext, job: BulkJob): Record<string, unknown> {
  const state = ctx.state.bulk.stateOf(job);
  const info: Record<string, unknown> = {
    ...jobListing(ctx, job),
    numberRecordsProcessed: state === 'JobComplete' ? (job.numberRecordsProcessed ?? 0) : 0,
    retries: 0,
    totalProcessingTime: state === 'JobComplete' || state === 'Failed' ? (job.durationMs ?? job.delayMs) : 0,
    isPkChunkingSupported: true,
  };
  if (state === 'Failed' && job.fate.kind === 'fail') info['errorMessage'] = job.fate.errorMessage;
  return info;
}

/** Jackson's wording for a body of the wrong shape, pointing at the offending value. */
function typeMismatch(text: string, key: string): Reply {
  const at = text.indexOf(`"${key}"`);
  const colon = at >= 0 ? text.indexOf(':', at) : -1;
  let index = colon >= 0 ? colon + 1 : 0;
  while (index < text.length && /\s/.test(text[index]!)) index++;
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  const column = index - (before.lastIndexOf('\n') + 1) + 1;
  return sfError(400, 'API_ERROR', `Value does not match expected type at [line:${line}, column:${column}]`);
}

/** POST /jobs/query. */
export function handleCreateJob(ctx: RequestContext): Reply {
  const { state } = ctx;
  const text = ctx.body.toString('utf8');
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return typeMismatch(text, '');
    body = parsed as Record<string, unknown>;
  } catch {
    return sfError(400, 'JSON_PARSER_ERROR', 'Unexpected character in the request body: not valid JSON');
  }
  for (const key of ['operation', 'query', 'contentType', 'columnDelimiter', 'lineEnding', 'object']) {
    if (body[key] !== undefined && typeof body[key] !== 'string') return typeMismatch(text, key);
  }
  const operation = (body['operation'] as string | undefined) ?? '';
  if (!OPERATIONS.includes(operation)) return typeMismatch(text, 'operation');
  if (body['contentType'] !== undefined && body['contentType'] !== 'CSV') return typeMismatch(text, 'contentType');
  const delimiter = (body['columnDelimiter'] as string | undefined) ?? 'COMMA';
  if (!(delimiter in COLUMN_DELIMITERS)) return typeMismatch(text, 'columnDelimiter');
  const lineEnding = (body['lineEnding'] as string | undefined) ?? 'LF';
  if (lineEnding !== 'LF' && lineEnding !== 'CRLF') return typeMismatch(text, 'lineEnding');
  const soql = body['query'];
  if (typeof soql !== 'string' || soql.trim() === '') return sfError(400, 'API_ERROR', 'The query field is required for query jobs');

  const preparedAt = Date.now();
  const query = state.org.prepareQuery(soql, { includeDeleted: operation === 'queryAll' });
  if (!state.org.isBulkSupported(query.sobject)) {
    return sfError(400, 'INVALIDENTITY', `Entity '${query.sobject}' is not supported by the Bulk API.`);
  }
  if (query.isCount) return sfError(400, 'API_ERROR', 'Aggregate functions are not supported in Bulk Query');
  const types = query.columns.map((c) => c.field.type);
  if (types.includes('address') || types.includes('location')) {
    return sfError(400, 'API_ERROR', 'Selecting compound data not supported in Bulk Query');
  }
  if (types.includes('base64')) return sfError(400, 'API_ERROR', 'Selecting base64 data not supported in Bulk Query');
  if (state.usage.bulkQueryJobs >= state.settings.dailyBulkQueryJobLimit) {
    return sfError(400, 'API_ERROR', `Max bulk v2 query jobs (${state.settings.dailyBulkQueryJobLimit}) per 24 hrs has been reached`);
  }
  state.usage.bulkQueryJobs += 1;
  ctx.counted.bulkJobs += 1;

  let fate: JobFate = { kind: 'complete' };
  if (ctx.fault?.action === 'job-failed') {
    fate = { kind: 'fail', errorMessage: ctx.fault.errorMessage ?? 'InternalServerError : Retried more than 15 times' };
  } else if (ctx.fault?.action === 'job-never-finishes') {
    fate = { kind: 'never' };
  }
  const created = restDate(state.orgNow());
  const job = state.bulk.add({
    operation: operation as 'query' | 'queryAll',
    object: query.sobject,
    query,
    createdById: state.org.userId,
    createdDate: created,
    systemModstamp: created,
    apiVersion: Number(ctx.version),
    lineEnding: lineEnding as LineEnding,
    columnDelimiter: delimiter as ColumnDelimiter,
    fate,
    createdAt: state.bulk.now(),
    delayMs: state.settings.bulkJobDelayMs,
    aborted: false,
  });
  state.bulkSpool.add(job, csvFormat(ctx, job), { soql, includeDeleted: operation === 'queryAll', preparedAt });
  return jobReply(200, {
    ...jobBase(ctx, job),
    state: 'UploadComplete',
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: job.apiVersion,
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter,
  });
}

function findJob(ctx: RequestContext): BulkJob | undefined {
  return ctx.state.bulk.get(ctx.params['jobId']!);
}

export function handleGetJob(ctx: RequestContext): Reply {
  const job = findJob(ctx);
  return job ? jobReply(200, jobInfo(ctx, job)) : notFound();
}

/** PATCH {"state":"Aborted"}. */
export function handleAbortJob(ctx: RequestContext): Reply {
  const job = findJob(ctx);
  if (!job) return notFound();
  let requested: unknown;
  try {
    requested = (JSON.parse(ctx.body.toString('utf8')) as Record<string, unknown>)['state'];
  } catch {
    return sfError(400, 'JSON_PARSER_ERROR', 'Unexpected character in the request body: not valid JSON');
  }
  if (requested !== 'Aborted') return sfError(400, 'INVALIDJOBSTATE', `Changing the state of a query job to ${String(requested)} is not allowed`);
  const current = ctx.state.bulk.stateOf(job);
  if (current === 'JobComplete') return sfError(400, 'INVALIDJOBSTATE', 'Aborting already Completed Job not allowed');
  if (current === 'Failed' || current === 'Aborted') return sfError(400, 'INVALIDJOBSTATE', `Aborting already ${current} Job not allowed`);
  ctx.state.bulk.abort(job);
  job.systemModstamp = restDate(ctx.state.orgNow());
  const info = jobInfo(ctx, job);
  return jobReply(200, {
    id: info['id'], operation: info['operation'], object: info['object'], createdById: info['createdById'],
    createdDate: info['createdDate'], systemModstamp: info['systemModstamp'], state: 'Aborted',
    concurrencyMode: 'Parallel', contentType: 'CSV', apiVersion: job.apiVersion,
  });
}

export function handleDeleteJob(ctx: RequestContext): Reply {
  const job = findJob(ctx);
  if (!job) return notFound();
  const state = ctx.state.bulk.stateOf(job);
  if (state !== 'JobComplete' && state !== 'Aborted' && state !== 'Failed') {
    return sfError(400, 'API_ERROR', 'Error encountered when deleting the job because the job is not terminated');
  }
  ctx.state.bulk.delete(job.id);
  return emptyReply(204);
}

/** GET /jobs/query (and /jobs/ingest, where the list's own nextRecordsUrl points). */
export function handleListJobs(ctx: RequestContext): Reply {
  const jobType = ctx.query.get('jobType');
  const concurrency = ctx.query.get('concurrencyMode');
  const locator = ctx.query.get('queryLocator');
  let jobs = ctx.state.bulk.all();
  if (jobType && jobType !== 'V2Query') jobs = [];
  if (concurrency && concurrency !== 'Parallel') jobs = [];
  const offsetMatch = locator ? /-(\d+)$/.exec(locator) : null;
  if (locator && !offsetMatch) return sfError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
  const offset = offsetMatch ? Number(offsetMatch[1]) : 0;
  const page = jobs.slice(offset, offset + LIST_PAGE);
  const done = offset + page.length >= jobs.length;
  const records = page.map((job) => jobListing(ctx, job));
  const value: Record<string, unknown> = { done, records };
  value['nextRecordsUrl'] = done ? null : `/services/data/v${ctx.version}/jobs/ingest?queryLocator=01gJobList-${offset + page.length}`;
  return jobReply(200, value);
}

/** A job's results are readable only once complete and only with the creating API version. */
function readableJob(ctx: RequestContext): BulkJob | Reply {
  const job = findJob(ctx);
  if (!job) return notFound();
  if (Number(ctx.version) !== job.apiVersion) {
    return sfError(409, 'API_VERSION_MISMATCH', `The job was created with API version ${job.apiVersion}.0; use the same version to get its results.`);
  }
  const state = ctx.state.bulk.stateOf(job);
  if (state !== 'JobComplete') return sfError(400, 'INVALIDJOBSTATE', `Results are not available for a job in state ${state}`);
  return job;
}

function csvFormat(ctx: RequestContext, job: BulkJob): CsvFormat {
  return {
    delimiter: COLUMN_DELIMITERS[job.columnDelimiter],
    lineEnding: job.lineEnding === 'CRLF' ? '\r\n' : '\n',
    nulls: ctx.state.settings.bulkNullRendering,
  };
}

interface Range {
  offset: number;
  /** Exclusive end of the partition this locator belongs to. */
  end: number;
}

/** Locators: `offset` for the plain chain, `offset:end` inside a `resultPages` partition. */
function parseRange(locator: string | null, total: number): Range | undefined {
  if (locator === null || locator === '') return { offset: 0, end: total };
  const decoded = decodeLocator(locator);
  const match = decoded ? /^(\d+)(?::(\d+))?$/.exec(decoded) : null;
  if (!match) return undefined;
  const offset = Number(match[1]);
  const end = match[2] === undefined ? total : Math.min(total, Number(match[2]));
  return offset <= end ? { offset, end } : undefined;
}

/** GET /jobs/query/{id}/results?locator=&maxRecords=. */
export function handleResults(ctx: RequestContext): Reply {
  const job = readableJob(ctx);
  if (!('id' in job)) return job;
  const total = job.numberRecordsProcessed ?? 0;
  const range = parseRange(ctx.query.get('locator'), total);
  if (!range) return sfError(400, 'INVALIDLOCATOR', 'The locator is invalid or has expired');
  const maxParam = ctx.query.get('maxRecords');
  const maxRecords = maxParam === null ? ctx.state.settings.bulkDefaultPageRows : Number(maxParam);
  if (!Number.isInteger(maxRecords) || maxRecords <= 0) return sfError(400, 'INVALIDMAXRECORDS', 'maxRecords must be a positive integer');
  const count = Math.min(maxRecords, range.end - range.offset);
  const next = range.offset + count;
  const partitioned = range.end !== total;
  const nextLocator = next >= range.end ? 'null' : encodeLocator(partitioned ? `${next}:${range.end}` : String(next));
  const format = csvFormat(ctx, job);
  const usage = ctx.state.usage;
  const headers = {
    'Content-Type': 'text/csv; charset=UTF-8',
    'Sforce-Locator': nextLocator,
    'Sforce-NumberOfRecords': String(count),
  };
  const cache = ctx.state.settings.bulkResultCacheMb > 0 ? ctx.state.bulkPages : undefined;
  const key = cache ? `${job.query.resultKey()}|${ctx.state.org.revision()}|${range.offset}|${count}|${JSON.stringify(format)}` : '';
  const cached = cache?.get(key);
  if (cache && cached) {
    ctx.state.bulkSpool.discard(job, range.offset, count);
    return {
      status: 200,
      headers,
      cached: true,
      stream: function* () {
        usage.bulkResultBytes += cached.csvBytes;
        yield* cached.csv;
      },
      ...(cached.gzip
        ? {
            gzipped: () => {
              usage.bulkResultBytes += cached.csvBytes;
              return cached.gzip!;
            },
          }
        : { keepGzipped: (chunks: Buffer[]) => cache.putGzip(key, chunks) }),
    };
  }
  const spooled = ctx.state.bulkSpool.serve(job, range.offset, count, format, csvHeader(job.query, format));
  if (spooled) {
    return {
      status: 200,
      headers,
      spooled: true,
      stream: async function* () {
        // Spooled and freshly rendered chunks alike are never reused: the cache keeps them as they are.
        const kept: Buffer[] | undefined = cache ? [] : undefined;
        for await (const chunk of spooled()) {
          usage.bulkResultBytes += chunk.length;
          kept?.push(chunk);
          yield chunk;
        }
        if (kept) cache!.putCsv(key, kept);
      },
      ...(cache ? { keepGzipped: (chunks: Buffer[]) => cache.putGzip(key, chunks) } : {}),
    };
  }
  const pool = new ChunkPool();
  return {
    status: 200,
    headers,
    stream: function* () {
      // Pool buffers are reused once written: the cache keeps copies.
      const copies: Buffer[] | undefined = cache ? [] : undefined;
      for (const chunk of csvPage(job.query, range.offset, count, format, pool)) {
        usage.bulkResultBytes += chunk.length;
        copies?.push(Buffer.from(chunk));
        yield chunk;
      }
      if (copies) cache!.putCsv(key, copies);
    },
    release: (chunk) => pool.give(chunk),
    ...(cache ? { keepGzipped: (chunks: Buffer[]) => cache.putGzip(key, chunks) } : {}),
  };
}

/** GET /jobs/query/{id}/resultPages (API ≥ 62.0): up to five partition URLs per page. */
export function handleResultPages(ctx: RequestContext): Reply {
  if (Number(ctx.version) < ctx.state.settings.resultPagesMinVersion) return notFound();
  const job = readableJob(ctx);
  if (!('id' in job)) return job;
  const total = job.numberRecordsProcessed ?? 0;
  const size = ctx.state.settings.bulkResultPageRows;
  const partitions = Math.max(1, Math.ceil(total / size));
  const locator = ctx.query.get('locator');
  const decoded = locator ? decodeLocator(locator) : '0';
  const first = decoded !== undefined && /^\d+$/.test(decoded) ? Number(decoded) : NaN;
  if (!Number.isInteger(first) || first >= partitions) return sfError(400, 'INVALIDLOCATOR', 'The locator is invalid or has expired');
  const base = `/services/data/v${ctx.version}/jobs/query/${job.id}`;
  const resultPages = [];
  const last = Math.min(partitions, first + 5);
  for (let p = first; p < last; p++) {
    const start = p * size;
    const end = Math.min(total, start + size);
    resultPages.push({ resultUrl: `${base}/results?locator=${encodeLocator(`${start}:${end}`)}` });
  }
  const done = last >= partitions;
  const value: Record<string, unknown> = { resultPages };
  if (!done) value['nextRecordsUrl'] = `${base}/resultpages?locator=${encodeLocator(String(last))}`;
  value['done'] = done;
  return jobReply(200, value);
}
