/**
 * Bulk API 1.0 query jobs and their batches. A job holds batches; each query batch runs its SOQL
 * and keeps its rows in result files. With PK chunking the added batch is split into one batch per
 * Id range and itself ends `NotProcessed`. Batch state is derived from elapsed time when read,
 * as for Bulk 2.0 jobs, so no timers run and an idle emulator holds only this metadata.
 */
import type { PreparedQuery } from '../../org/types.js';
import { buildId } from '../ids.js';

export type AsyncJobState = 'Open' | 'Closed' | 'Aborted' | 'Failed';
export type BatchState = 'Queued' | 'InProgress' | 'Completed' | 'Failed' | 'NotProcessed';
/** The job's `contentType`: how its batches, batch infos and results are written. */
export type AsyncContentType = 'CSV' | 'JSON' | 'XML';

export interface PkChunking {
  chunkSize: number;
  startRow?: string;
  parent?: string;
}

export interface AsyncBatch {
  id: string;
  jobId: string;
  /** Real-clock ms when it was queued; its state follows from `delayMs` after that. */
  createdAt: number;
  createdDate: string;
  delayMs: number;
  /** Its rows at the org's scan rate, after the start latency (0: no scan time). */
  scanMs?: number;
  /** A query batch's rows; absent for the original batch of a chunked job. */
  query?: PreparedQuery;
  /** Set once processing decided how the batch ends. */
  fate: { kind: 'run' } | { kind: 'fail'; stateMessage: string } | { kind: 'never' } | { kind: 'split' };
  /** Batches a job abort caught before they finished. */
  notProcessed: boolean;
  /** Row count, fixed when the batch completes. */
  rows?: number;
}

export interface AsyncJob {
  id: string;
  operation: 'query' | 'queryAll';
  object: string;
  contentType: AsyncContentType;
  createdById: string;
  createdDate: string;
  systemModstamp: string;
  apiVersion: number;
  state: AsyncJobState;
  pkChunking?: PkChunking;
  batches: AsyncBatch[];
}

export class AsyncJobStore {
  readonly #jobs = new Map<string, AsyncJob>();
  #jobCounter = 0;
  #batchCounter = 0;

  add(job: Omit<AsyncJob, 'id' | 'batches' | 'state'>): AsyncJob {
    // Another pod letter than Bulk 2.0 jobs: both live under the 750 prefix.
    const full: AsyncJob = { ...job, id: buildId('750', ++this.#jobCounter, '1a'), state: 'Open', batches: [] };
    this.#jobs.set(full.id, full);
    return full;
  }

  get(id: string): AsyncJob | undefined {
    return this.#jobs.get(id);
  }

  addBatch(job: AsyncJob, batch: Omit<AsyncBatch, 'id' | 'jobId' | 'notProcessed'>): AsyncBatch {
    const full: AsyncBatch = { ...batch, id: buildId('751', ++this.#batchCounter, '1a'), jobId: job.id, notProcessed: false };
    job.batches.push(full);
    return full;
  }

  stateOf(batch: AsyncBatch, now = Date.now()): BatchState {
    if (batch.fate.kind === 'split') return 'NotProcessed';
    const elapsed = now - batch.createdAt;
    const done = batch.fate.kind !== 'never' && elapsed >= batch.delayMs + (batch.scanMs ?? 0);
    if (batch.notProcessed && !done) return 'NotProcessed';
    if (!done) return elapsed >= batch.delayMs / 2 ? 'InProgress' : 'Queued';
    if (batch.fate.kind === 'fail') return 'Failed';
    batch.rows ??= batch.query?.totalSize() ?? 0;
    return 'Completed';
  }

  /** Aborting a job stops the batches that have not finished. */
  abort(job: AsyncJob, now = Date.now()): void {
    for (const batch of job.batches) {
      const state = this.stateOf(batch, now);
      if (state === 'Queued' || state === 'InProgress') batch.notProcessed = true;
    }
    job.state = 'Aborted';
  }
}

/** `Sforce-Enable-PKChunking: TRUE | FALSE | chunkSize=…; startRow=…; parent=…`; undefined = off. */
export function parsePkChunkingHeader(value: string | undefined, defaults: { chunkSize: number; maxChunkSize: number }): PkChunking | undefined | string {
  if (value === undefined || value.trim() === '') return undefined;
  const parts = value.split(';').map((p) => p.trim()).filter(Boolean);
  const out: PkChunking = { chunkSize: defaults.chunkSize };
  let enabled = false;
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (/^true$/i.test(part)) enabled = true;
      else if (/^false$/i.test(part)) return undefined;
      else return `Unrecognized PK chunking option: ${part}`;
      continue;
    }
    const key = part.slice(0, eq).trim();
    const val = part.slice(eq + 1).trim();
    enabled = true;
    if (/^chunkSize$/i.test(key)) {
      const n = Number(val);
      if (!/^\d+$/.test(val) || n < 1) return `Invalid chunkSize: ${val}`;
      if (n > defaults.maxChunkSize) return `chunkSize ${n} exceeds the maximum of ${defaults.maxChunkSize}`;
      out.chunkSize = n;
    } else if (/^startRow$/i.test(key)) {
      if (!/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(val)) return `Invalid startRow: ${val}`;
      out.startRow = val;
    } else if (/^parent$/i.test(key)) {
      out.parent = val;
    } else {
      return `Unrecognized PK chunking option: ${key}`;
    }
  }
  return enabled ? out : undefined;
}
