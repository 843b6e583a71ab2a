/**
 * Hard deletes of one stream for one run: which range to ask getDeleted for (from where the last
 * run's coverage ended), the call itself (at most one per stream per run, more only when
 * Salesforce splits a huge range), the tombstones, and the gap Salesforce can no longer cover.
 */
import type { SelectedStream } from '../catalog/types.js';
import type { GetDeletedReply } from '../salesforce/get-deleted.js';
import { coverageOf, planDeletedRange, type DeletedRange } from '../state/deleted-range.js';
import { buildTombstone, type Tombstone } from './tombstones.js';
import { TapError } from '../core/errors.js';

export interface HardDeleteSettings {
  /** getDeleted's window (30 days). */
  maxDays: number;
  marginSeconds: number;
  /**
   * The tap's and Salesforce's clocks differ a little, as do a delete's commit and its timestamp:
   * where coverage is only inferred (a first run, a bookmark), it starts this much earlier.
   */
  lookbackSeconds: number;
  fetchDeleted(sobject: string, range: DeletedRange, signal: AbortSignal): Promise<GetDeletedReply>;
}

export interface DeletedRead {
  tombstones: Tombstone[];
  /** Where the next run's range starts; undefined when nothing was asked and nothing was covered before. */
  coveredUntil?: string;
  /** Deletes no run can list any more. */
  gap?: DeletedRange;
}

/**
 * Streams whose hard deletes are read: incremental streams of objects getDeleted serves. A full
 * table read already drops nothing (the destination replaces the table); a custom query's rows are
 * a subset whose deletes the object's list does not tell apart.
 */
export function readsHardDeletes(stream: SelectedStream, enabled: boolean): boolean {
  return enabled && stream.method === 'INCREMENTAL' && stream.replicationKey !== undefined && stream.definition.capturesDeletes === true && stream.definition.query === undefined;
}

/**
 * The tombstones of rows deleted since `coveredUntil` (else since the replication bookmark). A
 * first run (neither) asks nothing: the full read that follows is current as of `syncStart`,
 * where (less the lookback) the next run's range starts.
 */
export async function readHardDeletes(
  stream: SelectedStream,
  position: { coveredUntil?: string | undefined; bookmark?: string | undefined },
  syncStart: Date,
  settings: HardDeleteSettings,
  signal: AbortSignal,
): Promise<DeletedRead> {
  const early = (iso: string) => new Date(Date.parse(iso) - settings.lookbackSeconds * 1000).toISOString();
  const bookmark = position.bookmark === undefined ? undefined : early(position.bookmark);
  const plan = planDeletedRange({ coveredUntil: position.coveredUntil, bookmark, syncStart, maxDays: settings.maxDays, marginSeconds: settings.marginSeconds });
  if (!plan.range) {
    const carried = position.coveredUntil ?? (position.bookmark === undefined ? early(syncStart.toISOString()) : undefined);
    return { tombstones: [], ...(carried !== undefined ? { coveredUntil: carried } : {}) };
  }
  let reply: GetDeletedReply;
  try {
    reply = await settings.fetchDeleted(stream.definition.sobject, plan.range, signal);
  } catch (error) {
    // The org's own window is shorter than planned (or its clock ahead): nothing of the range can be listed.
    if (error instanceof TapError && error.code === 'SF_INVALID_REPLICATION_DATE') {
      return { tombstones: [], coveredUntil: plan.range.end, gap: { start: plan.gap?.start ?? plan.range.start, end: plan.range.end } };
    }
    throw error;
  }
  const coverage = coverageOf(plan.range, reply);
  const tombstones = reply.deletedRecords.map((r) => buildTombstone(stream.definition, r.id, r.deletedDate, stream.replicationKey));
  const gap = plan.gap && coverage.gap ? { start: plan.gap.start, end: coverage.gap.end } : plan.gap ?? coverage.gap;
  return { tombstones, coveredUntil: coverage.coveredUntil, ...(gap ? { gap } : {}) };
}

/** The one warning for a gap: the stream, the missed range, and what to do about it. */
export function describeDeletedGap(stream: string, gap: DeletedRange, maxDays: number, fullRefresh: boolean): string {
  const what = `${stream}: rows deleted from ${gap.start} to ${gap.end} cannot be listed any more (Salesforce keeps deletes for ${maxDays} days and the last run is older)`;
  return fullRefresh
    ? `${what}; re-reading the stream in full (deleted_gap: full_refresh) so the destination can drop the rows that are gone.`
    : `${what}; rows hard-deleted in that range stay in the destination. Set deleted_gap to full_refresh to re-read such streams in full.`;
}
