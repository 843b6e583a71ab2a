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
  delayMs: number;
  aborted: boolean;
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

/** Bulk API 2.0 query jobs; state is derived from elapsed time when read, so no timers run. */
export class BulkJobStore {
  readonly #jobs = new Map<string, BulkJob>();
  #counter = 0;

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

  stateOf(job: BulkJob, now = Date.now()): JobState {
    if (job.aborted) return 'Aborted';
    const elapsed = now - job.createdAt;
    if (job.fate.kind === 'never') return elapsed >= job.delayMs / 2 ? 'InProgress' : 'UploadComplete';
    if (elapsed >= job.delayMs) {
      if (job.fate.kind === 'fail') return 'Failed';
      job.numberRecordsProcessed ??= job.query.totalSize();
      return 'JobComplete';
    }
    return elapsed >= job.delayMs / 2 ? 'InProgress' : 'UploadComplete';
  }
}
