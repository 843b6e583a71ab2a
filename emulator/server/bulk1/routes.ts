/**
 * Bulk API 1.0 under `/services/async/{version}/`: query jobs, batches, result lists and results.
 * The session travels in `X-SFDC-Session` (not `Authorization`); every failure is an `error`
 * document with `exceptionCode` (400 for most, as real orgs answer even an invalid session), in
 * XML unless the request or the job speaks JSON.
 */
import type { ResolvedRoute } from '../routes.js';
import type { Reply } from '../reply.js';
import { header, type Handler, type RequestContext } from '../state.js';
import { planChunks } from './chunking.js';
import { parsePkChunkingHeader, type AsyncBatch, type AsyncContentType, type AsyncJob } from './jobs.js';
import { batchResult, batchResultList, findBatch } from './results.js';
import { asyncError, batchListReply, infoReply, parseJobInfoBody, wireDate, type Fields, type WireFormat } from './wire.js';

const JOB = '(750[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?)';
const BATCH = '(751[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?)';
const RESULT = '(752[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?)';
/** Salesforce's PK chunking defaults: 100,000 rows per chunk, 250,000 at most. */
const PK_CHUNK = { chunkSize: 100_000, maxChunkSize: 250_000 };

/** The format a request speaks: JSON when its Content-Type says so. */
export function requestFormat(ctx: RequestContext): WireFormat {
  return /json/i.test(header(ctx, 'content-type') ?? '') ? 'json' : 'xml';
}

const jobFormat = (job: AsyncJob): WireFormat => (job.contentType === 'JSON' ? 'json' : 'xml');

function isoNow(ctx: RequestContext): string {
  return new Date(ctx.state.orgNow()).toISOString();
}

function jobFields(ctx: RequestContext, job: AsyncJob, format: WireFormat): Fields {
  const store = ctx.state.asyncJobs;
  const counts = { Queued: 0, InProgress: 0, Completed: 0, Failed: 0, NotProcessed: 0 };
  let records = 0;
  for (const batch of job.batches) {
    const state = store.stateOf(batch);
    counts[state] += 1;
    if (state === 'Completed') records += batch.rows ?? 0;
  }
  const fields: Fields = [
    ['id', job.id], ['operation', job.operation], ['object', job.object], ['createdById', job.createdById],
    ['createdDate', wireDate(job.createdDate, format)], ['systemModstamp', wireDate(job.systemModstamp, format)], ['state', job.state],
    ['concurrencyMode', 'Parallel'], ['contentType', job.contentType],
    ['numberBatchesQueued', counts.Queued], ['numberBatchesInProgress', counts.InProgress], ['numberBatchesCompleted', counts.Completed],
    ['numberBatchesFailed', counts.Failed], ['numberBatchesTotal', job.batches.length], ['numberRecordsProcessed', records],
    ['numberRetries', 0], ['apiVersion', format === 'json' ? job.apiVersion : `${job.apiVersion}.0`], ['numberRecordsFailed', 0],
    ['totalProcessingTime', 0], ['apiActiveProcessingTime', 0], ['apexProcessingTime', 0],
  ];
  // Recorded JSON replies carry these nulls and flags; the XML leaves them out.
  if (format === 'json') fields.push(['assignmentRuleId', null], ['externalIdFieldName', null], ['fastPathEnabled', false]);
  return fields;
}

export function batchFields(ctx: RequestContext, batch: AsyncBatch, format: WireFormat): Fields {
  const state = ctx.state.asyncJobs.stateOf(batch);
  const fields: Fields = [['id', batch.id], ['jobId', batch.jobId], ['state', state]];
  if (state === 'Failed' && batch.fate.kind === 'fail') fields.push(['stateMessage', batch.fate.stateMessage]);
  fields.push(
    ['createdDate', wireDate(batch.createdDate, format)], ['systemModstamp', wireDate(batch.createdDate, format)],
    ['numberRecordsProcessed', state === 'Completed' ? (batch.rows ?? 0) : 0], ['numberRecordsFailed', 0],
    ['totalProcessingTime', state === 'Completed' ? batch.delayMs + (batch.scanMs ?? 0) : 0], ['apiActiveProcessingTime', state === 'Completed' ? batch.delayMs + (batch.scanMs ?? 0) : 0], ['apexProcessingTime', 0],
  );
  return fields;
}

function findJob(ctx: RequestContext, format: WireFormat): AsyncJob | Reply {
  const id = ctx.params['jobId']!;
  const job = ctx.state.asyncJobs.get(id);
  if (!job) return asyncError(400, 'InvalidJob', `Invalid job id: ${id}`, format);
  return job;
}

/** POST /job: a query job from an XML or JSON `jobInfo`, PK chunking from its header. */
const createJob: Handler = (ctx) => {
  const format = requestFormat(ctx);
  const body = parseJobInfoBody(ctx.body.toString('utf8'), format);
  if (typeof body === 'string') return asyncError(400, format === 'json' ? 'InvalidJob' : 'InvalidXML', body, format);
  const operation = body['operation'];
  if (operation !== 'query' && operation !== 'queryAll') {
    return asyncError(400, 'InvalidJob', operation ? `This emulator serves query jobs; operation ${operation} is not one` : 'operation is required', format);
  }
  const describe = body['object'] ? ctx.state.org.describe(body['object']) : undefined;
  if (!describe) return asyncError(400, 'InvalidJob', `Unable to find object: ${body['object'] ?? ''}`, format);
  if (!ctx.state.org.isBulkSupported(describe.name)) return asyncError(400, 'InvalidJob', `Entity '${describe.name}' is not supported by the Bulk API.`, format);
  const contentType = (body['contentType'] ?? 'XML') as AsyncContentType;
  if (!['CSV', 'JSON', 'XML'].includes(contentType)) return asyncError(400, 'InvalidJob', `Invalid content type: ${contentType}`, format);
  if (contentType === 'XML') return asyncError(400, 'InvalidJob', 'XML query results are not served by the emulator: create the job with contentType CSV or JSON', format);
  const pk = parsePkChunkingHeader(header(ctx, 'sforce-enable-pkchunking'), PK_CHUNK);
  if (typeof pk === 'string') return asyncError(400, 'InvalidJob', pk, format);
  const created = isoNow(ctx);
  const job = ctx.state.asyncJobs.add({
    operation, object: describe.name, contentType, createdById: ctx.state.org.userId, createdDate: created, systemModstamp: created,
    apiVersion: Number(ctx.version), ...(pk ? { pkChunking: pk } : {}),
  });
  return infoReply(201, 'jobInfo', jobFields(ctx, job, format), format);
};

const getJob: Handler = (ctx) => {
  const job = findJob(ctx, requestFormat(ctx));
  if (!('batches' in job)) return job;
  const format = header(ctx, 'content-type') ? requestFormat(ctx) : jobFormat(job);
  return infoReply(200, 'jobInfo', jobFields(ctx, job, format), format);
};

/** POST /job/{id} with `state` Closed or Aborted. */
const updateJob: Handler = (ctx) => {
  const format = requestFormat(ctx);
  const job = findJob(ctx, format);
  if (!('batches' in job)) return job;
  const body = parseJobInfoBody(ctx.body.toString('utf8'), format);
  if (typeof body === 'string') return asyncError(400, format === 'json' ? 'InvalidJob' : 'InvalidXML', body, format);
  const wanted = body['state'];
  if (wanted !== 'Closed' && wanted !== 'Aborted') return asyncError(400, 'InvalidJobState', `Invalid state: ${wanted ?? ''}`, format);
  if (job.state === 'Aborted' || job.state === 'Failed') return asyncError(400, 'InvalidJobState', `Job is already ${job.state}; it cannot be ${wanted}`, format);
  if (wanted === 'Closed' && job.state === 'Closed') return asyncError(400, 'InvalidJobState', 'Job is already Closed', format);
  if (wanted === 'Aborted') ctx.state.asyncJobs.abort(job);
  else job.state = 'Closed';
  job.systemModstamp = isoNow(ctx);
  return infoReply(200, 'jobInfo', jobFields(ctx, job, format), format);
};

/** POST /job/{id}/batch: the SOQL as plain text, sent with the job's content type. */
const addBatch: Handler = (ctx) => {
  const probe = findJob(ctx, requestFormat(ctx));
  if (!('batches' in probe)) return probe;
  const job = probe;
  const format = jobFormat(job);
  if (job.state !== 'Open') return asyncError(400, 'InvalidJobState', `Job ${job.id} is ${job.state}: batches can only be added to an Open job`, format);
  const expected = job.contentType === 'CSV' ? /^text\/csv\b/i : /^application\/json\b/i;
  if (!expected.test(header(ctx, 'content-type') ?? '')) {
    return asyncError(400, 'InvalidBatch', `Content-Type must be ${job.contentType === 'CSV' ? 'text/csv' : 'application/json'} for a ${job.contentType} job`, format);
  }
  const { state } = ctx;
  const soql = ctx.body.toString('utf8').trim();
  const now = Date.now();
  const base = { createdAt: now, createdDate: isoNow(ctx), delayMs: state.settings.bulkJobDelayMs };
  const prepare = (text: string): Pick<AsyncBatch, 'query' | 'fate'> => {
    try {
      const query = state.org.prepareQuery(text, { includeDeleted: job.operation === 'queryAll' });
      if (query.sobject.toLowerCase() !== job.object.toLowerCase()) {
        return { fate: { kind: 'fail', stateMessage: `InvalidBatch : Failed to process query: the query's object ${query.sobject} is not the job's object ${job.object}` } };
      }
      if (query.isCount) return { fate: { kind: 'fail', stateMessage: 'InvalidBatch : Failed to process query: Aggregate Relationships not supported in Batch Query' } };
      if (query.columns.some((c) => c.field.type === 'address' || c.field.type === 'location')) {
        return { fate: { kind: 'fail', stateMessage: 'FUNCTIONALITY_NOT_ENABLED : Selecting compound data not supported in Bulk Query' } };
      }
      return { query, fate: { kind: 'run' } };
    } catch (error) {
      const e = error as { errorCode?: string; message?: string };
      return { fate: { kind: 'fail', stateMessage: `InvalidBatch : Failed to process query: ${e.errorCode ?? 'MALFORMED_QUERY'}: ${(e.message ?? '').trim()}` } };
    }
  };
  const countBatch = () => {
    state.usage.bulkApiBatches += 1;
  };
  const fault = ctx.fault;
  const faulted: AsyncBatch['fate'] | undefined =
    fault?.action === 'job-failed' ? { kind: 'fail', stateMessage: fault.errorMessage ?? 'InternalServerError : Retried more than 15 times' } : fault?.action === 'job-never-finishes' ? { kind: 'never' } : undefined;
  // A new batch is answered Queued, as Salesforce answers before it has looked at the query.
  const queued = (batch: AsyncBatch) => {
    const fields = batchFields(ctx, batch, format).filter(([k]) => k !== 'stateMessage');
    return infoReply(201, 'batchInfo', fields.map(([k, v]) => [k, k === 'state' ? 'Queued' : /^(number|total|api)/.test(k) ? 0 : v]), format);
  };
  // A batch takes the start latency plus its rows at the org's scan rate, as Bulk 2.0 jobs do.
  const scanRate = state.settings.bulkScanRowsPerSec;
  const timed = (prepared: Pick<AsyncBatch, 'query' | 'fate'>) => ({
    ...prepared,
    scanMs: scanRate > 0 && prepared.query ? Math.ceil((prepared.query.totalSize() * 1000) / scanRate) : 0,
  });
  const first = prepare(soql);
  countBatch();
  if (faulted || first.fate.kind !== 'run' || !job.pkChunking) {
    return queued(state.asyncJobs.addBatch(job, { ...base, ...timed(first), ...(faulted ? { fate: faulted } : {}) }));
  }
  const plan = planChunks(state.org, job.object, soql, job.pkChunking);
  if (plan.kind === 'whole') {
    return queued(state.asyncJobs.addBatch(job, { ...base, ...timed(first) }));
  }
  if (plan.kind === 'refused') {
    return queued(state.asyncJobs.addBatch(job, { ...base, fate: { kind: 'fail', stateMessage: plan.message } }));
  }
  const original = state.asyncJobs.addBatch(job, { ...base, fate: { kind: 'split' } });
  // Chunks beyond the parallel slots start as earlier ones finish, each in the slot free first.
  const slotsFreeAt: number[] = Array.from({ length: Math.max(1, state.settings.bulk1ParallelChunks) }, () => now);
  for (const text of plan.queries) {
    countBatch();
    const chunk = timed(prepare(text));
    const slot = slotsFreeAt.indexOf(Math.min(...slotsFreeAt));
    state.asyncJobs.addBatch(job, { ...base, createdAt: slotsFreeAt[slot]!, ...chunk });
    slotsFreeAt[slot]! += base.delayMs + chunk.scanMs;
  }
  return queued(original);
};

const listBatches: Handler = (ctx) => {
  const job = findJob(ctx, requestFormat(ctx));
  if (!('batches' in job)) return job;
  const format = jobFormat(job);
  return batchListReply(job.batches.map((b) => batchFields(ctx, b, format)), format);
};

const getBatch: Handler = (ctx) => {
  const job = findJob(ctx, requestFormat(ctx));
  if (!('batches' in job)) return job;
  const batch = findBatch(ctx, job);
  if (!('jobId' in batch)) return batch;
  const format = jobFormat(job);
  return infoReply(200, 'batchInfo', batchFields(ctx, batch, format), format);
};

interface AsyncRouteDef {
  pattern: RegExp;
  params: string[];
  methods: Record<string, [string, Handler]>;
}

const withJob = (inner: (ctx: RequestContext, job: AsyncJob) => Reply): Handler => (ctx) => {
  const job = findJob(ctx, requestFormat(ctx));
  return 'batches' in job ? inner(ctx, job) : job;
};

const ROUTES: AsyncRouteDef[] = [
  { pattern: /^\/job\/?$/, params: [], methods: { POST: ['bulk1.createJob', createJob] } },
  { pattern: new RegExp(`^/job/${JOB}/?$`), params: ['jobId'], methods: { GET: ['bulk1.getJob', getJob], POST: ['bulk1.updateJob', updateJob] } },
  { pattern: new RegExp(`^/job/${JOB}/batch/?$`), params: ['jobId'], methods: { POST: ['bulk1.addBatch', addBatch], GET: ['bulk1.listBatches', listBatches] } },
  { pattern: new RegExp(`^/job/${JOB}/batch/${BATCH}/?$`), params: ['jobId', 'batchId'], methods: { GET: ['bulk1.getBatch', getBatch] } },
  { pattern: new RegExp(`^/job/${JOB}/batch/${BATCH}/result/?$`), params: ['jobId', 'batchId'], methods: { GET: ['bulk1.resultList', withJob(batchResultList)] } },
  { pattern: new RegExp(`^/job/${JOB}/batch/${BATCH}/result/${RESULT}/?$`), params: ['jobId', 'batchId', 'resultId'], methods: { GET: ['bulk1.result', withJob(batchResult)] } },
];

/** The async route for `rest` (the path after `/services/async/NN.0`), or an InvalidUrl one. */
export function resolveAsyncRoute(method: string, rest: string, version: string): ResolvedRoute {
  for (const def of ROUTES) {
    const match = def.pattern.exec(rest);
    if (!match) continue;
    const entry = def.methods[method];
    const params: Record<string, string> = {};
    def.params.forEach((key, i) => (params[key] = match[i + 1]!));
    if (!entry) return { name: 'bulk1.invalidUrl', handler: withAsyncSession(invalidUrl), params, data: false, version };
    return { name: entry[0], handler: withAsyncSession(entry[1]), params, data: false, version };
  }
  return { name: 'bulk1.invalidUrl', handler: withAsyncSession(invalidUrl), params: {}, data: false, version };
}

const invalidUrl: Handler = (ctx) => asyncError(404, 'InvalidUrl', `Invalid request URI: ${ctx.method} ${ctx.path}`, requestFormat(ctx));

/** The session from `X-SFDC-Session`, the call counted like every data call, and the org's limit info. */
export function withAsyncSession(handler: Handler): Handler {
  return async (ctx) => {
    const format = requestFormat(ctx);
    const token = header(ctx, 'x-sfdc-session');
    const session = token ? ctx.state.sessions.use(token) : undefined;
    if (!session) return asyncError(400, 'InvalidSessionId', 'Invalid session id', format);
    ctx.session = session;
    const { usage, settings } = ctx.state;
    if (!settings.apiEnabled) return asyncError(400, 'FeatureNotEnabled', 'Bulk API is not enabled for this Organization or Partner', format);
    if (usage.exhausted) return asyncError(403, 'ExceededQuota', 'TotalRequests Limit exceeded.', format);
    usage.count();
    const reply = await handler(ctx);
    return { ...reply, headers: { ...reply.headers, 'Sforce-Limit-Info': usage.limitInfo() } };
  };
}
