/**
 * What one batch of change events asks of the tap, as a pure fold: which records to re-read by
 * Id (creates, updates, undeletes and their gap events), which to send as tombstones (deletes),
 * and whether an overflow asks for a query over a time range. A record changed several times in
 * the batch is acted on once, by its last change: the re-read returns its current row anyway.
 */
import type { ChangeEvent } from '../../salesforce/pubsub/change-event.js';

export interface FoldedChanges {
  /** Ids to re-read, in first-seen order. */
  reread: string[];
  /** Deleted ids with their commit time (epoch ms). */
  deleted: Map<string, number>;
  /** A GAP_OVERFLOW was seen: the entity's changes must be re-read by SystemModstamp. */
  overflow: boolean;
  /** Ids named by GAP_* events (logged: they were re-read without field data). */
  gaps: number;
  /** Latest commit time seen (epoch ms), or undefined when the batch had none. */
  lastCommit: number | undefined;
}

export function foldChangeEvents(events: readonly ChangeEvent[]): FoldedChanges {
  const actions = new Map<string, 'reread' | number>();
  let overflow = false;
  let gaps = 0;
  let lastCommit: number | undefined;
  for (const { header } of events) {
    if (Number.isFinite(header.commitTimestamp) && header.commitTimestamp > 0) lastCommit = Math.max(lastCommit ?? 0, header.commitTimestamp);
    const type = header.changeType;
    if (type === 'GAP_OVERFLOW') {
      overflow = true;
      continue;
    }
    if (type.startsWith('GAP_')) gaps += header.recordIds.length;
    const deleted = type === 'DELETE' || type === 'GAP_DELETE';
    for (const id of header.recordIds) {
      // Re-inserted so the map's order follows the last change.
      actions.delete(id);
      actions.set(id, deleted ? header.commitTimestamp : 'reread');
    }
  }
  const reread: string[] = [];
  const deleted = new Map<string, number>();
  for (const [id, action] of actions) {
    if (action === 'reread') reread.push(id);
    else deleted.set(id, action);
  }
  return { reread, deleted, overflow, gaps, lastCommit };
}
