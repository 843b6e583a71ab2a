import type { PreparedQuery } from '../org/types.js';
import { buildId } from './ids.js';

export type JobState = 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
export type ColumnDelimiter = 'BACKQUOTE' | 'CARET' | 'COMMA' | 'PIPE' | 'SEMICOLON' | 'TAB';
export type LineEnding = 'LF' | 'CRLF';

/** How a job ends, decided at creation (faults may pick `fail` or `never`). */
export type JobFate = { kind: 'complete' } | { kind: 'fail'; errorMessage: string } | { kind: 'never' };

export interface BulkJob {
  id: string;
  operation: 'query' | 'queryAll';
  object: string;
  query: PreparedQuery;
  createdById: string;
  /** REST-style timestamps from the org clock. */
  createdDate: string;
  systemModstamp: string;
  /** The creating request's version, e.g. 62: results must use the same one. */
  apiVersion: number;
  lineEnding: LineEnding;
  columnDelimiter: ColumnDelimiter;
  fate: JobFate;
  /** Real-clock ms: the state machine runs on wall time so a frozen org clock still completes jobs. */
  createdAt: number;
  /** Fixed start latency of the job once it is processed. */
  delayMs: number;
  aborted: boolean;
  abortedAt?: number;
  /** When the org began processing it (it waited in UploadComplete for a free slot until then). */
  startedAt?: number;
  /** Start latency plus its rows at the scan rate, fixed when processing begins. */
  durationMs?: number;
  /** Row count fixed when the job completes. */
  numberRecordsProcessed?: number;
}

export const COLUMN_DELIMITERS: Record<ColumnDelimiter, string> = {
  BACKQUOTE: '`',
  CARET: '^',
  COMMA: ',',
  PIPE: '|',
  SEMICOLON: ';',
  TAB: '\t',
};

/** How the org processes query jobs: at most `concurrentJobs` at once (0 = no limit), each taking its start latency plus its rows at `scanRowsPerSec` (0 = no scan time). */
export interface JobTiming {
  concurrentJobs: number;
  scanRowsPerSec: number;
}

/**
 * Bulk API 2.0 query jobs. State is derived from the clock when read, so no timers run: jobs are
 * processed in creation order, each in a free slot, later ones waiting in UploadComplete.
 */
export class BulkJobStore {
  readonly #jobs = new Map<string, BulkJob>();
  #counter = 0;

  constructor(
    private readonly timing: () => JobTiming = () => ({ concurrentJobs: 0, scanRowsPerSec: 0 }),
    private readonly clock: () => number = Date.now,
  ) {}

  now(): number {
    return this.clock();
  }

  add(job: Omit<BulkJob, 'id'>): BulkJob {
    const full = { ...job, id: buildId('750', ++this.#counter, '8c') };
    this.#jobs.set(full.id, full);
    return full;
  }

  get(id: string): BulkJob | undefined {
    return this.#jobs.get(id);
  }

  delete(id: string): void {
    this.#jobs.delete(id);
  }

  all(): BulkJob[] {
    return [...this.#jobs.values()];
  }

  abort(job: BulkJob): void {
    job.aborted = true;
    job.abortedAt = this.clock();
  }

  /** Gives `job`, and every earlier job that has a free slot by `now`, its start time and duration, in creation order. */
  #schedule(now: number, job: BulkJob): void {
    const { concurrentJobs, scanRowsPerSec } = this.timing();
    const begin = (j: BulkJob, at: number) => {
      j.startedAt = at;
      const scanMs = scanRowsPerSec > 0 && j.fate.kind === 'complete' ? Math.ceil((j.query.totalSize() * 1000) / scanRowsPerSec) : 0;
      j.durationMs = j.delayMs + scanMs;
    };
    // Without a cap every job starts when created: no other job matters.
    if (concurrentJobs <= 0) {
      if (job.createdAt <= now) begin(job, job.createdAt);
      return;
    }
    let ends: number[] = [];
    let previousStart = 0;
    for (const j of this.#jobs.values()) {
      if (j.fate.kind === 'never') continue;
      if (j.startedAt === undefined) {
        if (j.aborted) continue;
        // Jobs start in order, each once fewer than `concurrentJobs` earlier jobs are still running.
        ends = ends.filter((end) => end > previousStart).sort((a, b) => b - a);
        const at = Math.max(j.createdAt, previousStart, ends.length >= concurrentJobs ? ends[concurrentJobs - 1]! : 0);
        if (at > now) return;
        begin(j, at);
      }
      if (j === job) return;
      previousStart = j.startedAt!;
      const end = j.startedAt! + j.durationMs!;
      ends.push(j.abortedAt !== undefined ? Math.min(end, j.abortedAt) : end);
    }
  }

  stateOf(job: BulkJob, now = this.clock()): JobState {
    if (job.aborted) return 'Aborted';
    if (job.fate.kind === 'never') return now - job.createdAt >= job.delayMs / 2 ? 'InProgress' : 'UploadComplete';
    if (job.startedAt === undefined) this.#schedule(now, job);
    if (job.startedAt === undefined) return 'UploadComplete';
    const elapsed = now - job.startedAt;
    if (elapsed >= job.durationMs!) {
      if (job.fate.kind === 'fail') return 'Failed';
      job.numberRecordsProcessed ??= job.query.totalSize();
      return 'JobComplete';
    }
    // Half the start latency in UploadComplete, then InProgress.
    return elapsed >= job.delayMs / 2 ? 'InProgress' : 'UploadComplete';
  }
}
