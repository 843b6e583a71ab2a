/**
 * The column each ecosystem reads a row's deletion from. Singer targets (pipelinewise, Meltano
 * SDK targets with `hard_delete`) delete rows whose `_sdc_deleted_at` is set; Airbyte
 * destinations in deduplication mode drop rows whose `_ab_cdc_deleted_at` is set.
 */
import type { JsonSchema } from '../catalog/types.js';

export const SINGER_DELETED_AT = '_sdc_deleted_at';
export const AIRBYTE_DELETED_AT = '_ab_cdc_deleted_at';

/** The deleted-at column's schema: null on every ordinary record, the deletion time on a tombstone. */
export function deletedAtSchema(): JsonSchema {
  return { type: ['null', 'string'], format: 'date-time', description: 'Set on tombstones only: when the row was deleted from Salesforce (hard delete or recycle bin purge).' };
}
