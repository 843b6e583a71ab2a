/**
 * Hard-delete tombstones: a record that says "this Id is gone, since then". The key that holds
 * the time is the protocol's (`_sdc_deleted_at` for Singer, `_ab_cdc_deleted_at` for Airbyte),
 * so it is passed in; the rest is the same for every source of deletes (change events,
 * getDeleted, queryAll's IsDeleted rows).
 */
import type { SelectedStream } from '../../catalog/types.js';
import type { RecordBatch } from '../events.js';

/** Tombstones of deleted Ids: `Id`, `IsDeleted: true` when selected, and the deletion time. */
export function buildTombstones(stream: SelectedStream, deleted: ReadonlyMap<string, number>, deletedAtKey: string): RecordBatch {
  const hasIsDeleted = stream.fields.includes('IsDeleted');
  const objects: Record<string, unknown>[] = [];
  for (const [id, at] of deleted) {
    const record: Record<string, unknown> = { Id: id };
    if (hasIsDeleted) record['IsDeleted'] = true;
    record[deletedAtKey] = new Date(at).toISOString();
    objects.push(record);
  }
  return { count: objects.length, objects };
}

/** The stream's schema with the tombstone key added (a nullable date-time). */
export function withDeletedAtProperty(stream: SelectedStream, deletedAtKey: string): SelectedStream {
  const schema = stream.definition.schema;
  if (schema.properties?.[deletedAtKey]) return stream;
  return {
    ...stream,
    definition: { ...stream.definition, schema: { ...schema, properties: { ...schema.properties, [deletedAtKey]: { type: ['null', 'string'], format: 'date-time' } } } },
  };
}
