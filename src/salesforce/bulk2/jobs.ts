/**
 * Bulk API 2.0 query jobs: create, wait, abort. Jobs this run created are tracked so that a
 * failed or interrupted run aborts them instead of leaving them to run in the org.
 */
import { DEFAULTS } from '../../core/defaults.js';
import { TapError } from '../../core/errors.js';
import { SalesforceApiError, type SalesforceClient } from '../client.js';
import type { ReplyShape } from '../reply-shape.js';
import type { JobPace } from './job-pace.js';

export interface BulkJobInfo {
  id: string;
  state: 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  numberRecordsProcessed?: number;
  /** Milliseconds Salesforce spent processing the job, once it is done. */
  totalProcessingTime?: number;
  errorMessage?: string;
  apiVersion?: number;
}

export class BulkJobRegistry {
  readonly #open = new Set<string>();

  /** How a job of this registry's API is aborted: Bulk API 2.0's PATCH unless told otherwise. */
  constructor(private readonly abort: (client: SalesforceClient, id: string) => Promise<void> = abortJob) {}

  add(id: string): void {
    this.#open.add(id);
  }

  done(id: string): void {
    this.#open.delete(id);
  }

  get open(): string[] {
    return [...this.#open];
  }

  /** Aborts every job still open; failures are ignored (the job may have just finished). */
  async abortAll(client: SalesforceClient): Promise<number> {
    const ids = this.open;
    await Promise.all(ids.map((id) => this.abort(client, id).catch(() => undefined)));
    this.#open.clear();
    return ids.length;
  }
}

const JOB_INFO: ReplyShape = { id: 'string', state: 'string', errorMessage: 'string?', numberRecordsProcessed: 'number?', totalProcessingTime: 'number?' };

export async function createQueryJob(client: SalesforceClient, query: string, operation: 'query' | 'queryAll', signal?: AbortSignal): Promise<BulkJobInfo> {
  // Not replayed on a network failure (POST): a second job would run the query twice.
  const job = await client.json<BulkJobInfo>('jobs/query', {
    method: 'POST',
    body: { operation, query, contentType: 'CSV', columnDelimiter: 'COMMA', lineEnding: 'LF' },
    shape: JOB_INFO,
    ...(signal ? { signal } : {}),
  });
  if (typeof job?.id !== 'string' || job.id === '') {
    throw new TapError('TAP_UNEXPECTED_RESPONSE', 'Bulk API 2.0 answered a job creation without a job id; the reply is not a job (a proxy?).', { kind: 'salesforce' });
  }
  return job;
}

/** Jobs created this long before our POST was sent still count as possibly ours (clock skew). */
const CLOCK_SKEW_MS = 120_000;
/** Pages of the job list read when looking for a job a lost POST created. */
const MAX_LIST_PAGES = 20;

interface ListedJob {
  id: string;
  operation?: string;
  object?: string;
  state?: string;
  createdDate?: string;
}

/** `2024-01-02T03:04:05.000+0000` (no colon in the offset) → epoch ms. */
function parseSalesforceDate(text: string | undefined): number {
  return text ? Date.parse(text.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')) : Number.NaN;
}

/**
 * Creates a job; when the POST's reply is lost (reset, timeout, 5xx) the job may exist anyway.
 * Instead of replaying blindly, the org's job list is searched for open jobs on the same object
 * and operation created since the POST that this run does not know: they are aborted, and the job
 * is created once more. Adopting one instead would risk reading another client's query.
 */
export async function createQueryJobOnce(
  client: SalesforceClient,
  spec: { query: string; operation: 'query' | 'queryAll'; sobject: string },
  registry: BulkJobRegistry,
  signal: AbortSignal,
  log: (message: string) => void,
): Promise<BulkJobInfo> {
  const sentAt = Date.now();
  try {
    return await createQueryJob(client, spec.query, spec.operation, signal);
  } catch (error) {
    if (signal.aborted || !(error instanceof TapError) || error.kind !== 'transient') throw error;
    const orphans = await findOrphanJobs(client, spec, sentAt - CLOCK_SKEW_MS, registry, signal);
    for (const id of orphans) await abortJob(client, id).catch(() => undefined);
    log(`The reply to a Bulk job creation for ${spec.sobject} was lost (${error.code}); ${orphans.length ? `aborted ${orphans.length} job(s) it may have created (${orphans.join(', ')}) and ` : ''}creating it again.`);
    return createQueryJob(client, spec.query, spec.operation, signal);
  }
}

async function findOrphanJobs(client: SalesforceClient, spec: { operation: string; sobject: string }, since: number, registry: BulkJobRegistry, signal: AbortSignal): Promise<string[]> {
  const known = new Set(registry.open);
  const found: string[] = [];
  let path: string | undefined = 'jobs/query?jobType=V2Query';
  for (let page = 0; path && page < MAX_LIST_PAGES; page++) {
    const list: { records?: ListedJob[]; nextRecordsUrl?: string | null } = await client.json(path, { signal, shape: { records: 'array?', nextRecordsUrl: 'string?' } });
    for (const job of list.records ?? []) {
      const open = job.state === 'UploadComplete' || job.state === 'InProgress';
      if (open && !known.has(job.id) && job.operation === spec.operation && job.object?.toLowerCase() === spec.sobject.toLowerCase() && parseSalesforceDate(job.createdDate) >= since) {
        found.push(job.id);
      }
    }
    path = list.nextRecordsUrl ? list.nextRecordsUrl.replace(/^\/services\/data\/v[\d.]+\//, '') : undefined;
  }
  return found;
}

export interface WaitOptions {
  signal: AbortSignal;
  timeoutMs: number;
  pollInitialMs: number;
  pollMaxMs: number;
  /** The run's pace: it learns from each job seen done and adds a poll when a job should be done. */
  pace?: JobPace | undefined;
  /** The rows the job was counted to hold, which the pace predicts its time from. */
  expectedRows?: number | undefined;
}

/** A predicted poll lands this long after the predicted end, so that it finds the job done. */
const PACE_MARGIN_MS = 100;

/**
 * Polls a job until it is done: waits that grow by `pollFactor`, plus one poll when the pace
 * says the job should be done. If that poll finds it still running the waits start again short
 * (a twentieth of the predicted time), so a job is seen done soon after it is.
 */
export async function waitForJob(client: SalesforceClient, id: string, options: WaitOptions): Promise<BulkJobInfo> {
  const createdAt = Date.now();
  const deadline = createdAt + options.timeoutMs;
  let delay = options.pollInitialMs;
  const predicted = options.pace && options.expectedRows !== undefined ? options.pace.predict(options.expectedRows) : undefined;
  let predictedPollAt = predicted === undefined ? undefined : createdAt + predicted + PACE_MARGIN_MS;
  for (;;) {
    const job = await client.json<BulkJobInfo>(`jobs/query/${id}`, { signal: options.signal, shape: JOB_INFO });
    if (job.state === 'JobComplete') {
      options.pace?.observe(job.numberRecordsProcessed, job.totalProcessingTime);
      return job;
    }
    if (job.state === 'Failed') {
      throw new SalesforceApiError(400, [{ errorCode: 'BULK_JOB_FAILED', message: job.errorMessage ?? 'job failed' }], `Bulk API 2.0 job ${id} failed: ${job.errorMessage ?? 'no reason given'}`);
    }
    if (job.state === 'Aborted') throw new TapError('TAP_BULK_JOB_ABORTED', `Bulk API 2.0 job ${id} was aborted in the org.`, { kind: 'salesforce' });
    if (Date.now() + delay > deadline) {
      throw new TapError('TAP_BULK_JOB_TIMEOUT', `Bulk API 2.0 job ${id} did not finish within ${Math.round(options.timeoutMs / 1000)} s.`, { kind: 'transient' });
    }
    if (predictedPollAt !== undefined && predictedPollAt - Date.now() < delay) {
      await sleep(Math.max(0, predictedPollAt - Date.now()), options.signal);
      predictedPollAt = undefined;
      delay = Math.min(options.pollMaxMs, Math.max(options.pollInitialMs, Math.round(predicted! / 20)));
      continue;
    }
    await sleep(delay, options.signal);
    delay = Math.min(options.pollMaxMs, Math.round(delay * DEFAULTS.pollFactor));
  }
}

export async function abortJob(client: SalesforceClient, id: string): Promise<void> {
  await client.json(`jobs/query/${id}`, { method: 'PATCH', body: { state: 'Aborted' } });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
