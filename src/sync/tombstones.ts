/**
 * Tombstones: the rows that left the org (hard-deleted, purged from the recycle bin), as the
 * sync reports them whatever told it (getDeleted, or a change event's DELETE). Protocol-neutral:
 * the protocol encoders decide the column the deletion time goes in (`_sdc_deleted_at` for
 * Singer targets, `_ab_cdc_deleted_at` for Airbyte destinations) through `toTombstoneRecord`.
 */
import type { StreamDefinition } from '../catalog/types.js';
import { normalizeTimestamp } from '../state/windows.js';

export interface Tombstone {
  /** The record's key, `{Id: '001…'}`. */
  key: Record<string, string>;
  /** When the row was deleted, ISO-8601 UTC. */
  deletedAt: string;
  /** The stream's soft-delete flag (IsDeleted), set true on the tombstone; absent if the stream has none. */
  deletedFlag?: string;
  /**
   * The stream's cursor (SystemModstamp), set to the deletion time: a soft delete moves it there
   * too, and destinations that keep the latest row per key by cursor then keep the tombstone.
   */
  cursor?: string;
}

/**
 * A tombstone for a row of `definition` deleted at `deletedAt` (any Salesforce datetime form);
 * `cursor` is the stream's replication key, when it has one.
 */
export function buildTombstone(definition: Pick<StreamDefinition, 'keyProperties' | 'hasIsDeleted'>, id: string, deletedAt: string, cursor?: string): Tombstone {
  const keyField = definition.keyProperties[0] ?? 'Id';
  return {
    key: { [keyField]: id },
    deletedAt: normalizeTimestamp(deletedAt) ?? deletedAt,
    ...(definition.hasIsDeleted ? { deletedFlag: 'IsDeleted' } : {}),
    ...(cursor !== undefined ? { cursor } : {}),
  };
}

/** The record a destination receives: key, `IsDeleted: true`, cursor and `column` at the deletion time. */
export function toTombstoneRecord(tombstone: Tombstone, column: string): Record<string, unknown> {
  return {
    ...tombstone.key,
    ...(tombstone.deletedFlag ? { [tombstone.deletedFlag]: true } : {}),
    ...(tombstone.cursor ? { [tombstone.cursor]: tombstone.deletedAt } : {}),
    [column]: tombstone.deletedAt,
  };
}
