/**
 * Values rewritten to follow a catalog's schema (src/catalog/schema-overrides.ts decides which).
 * Only streams with such a field pay for it: their batches are turned back into objects, the
 * values cast, and the records framed again; every other stream keeps the byte path.
 */
import type { ValueCast } from '../catalog/types.js';
import type { RecordBatch } from '../sync/events.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function castValue(value: unknown, cast: ValueCast): unknown {
  if (value === null || value === undefined) return value;
  switch (cast) {
    case 'to-string':
      return typeof value === 'string' ? value : String(value);
    case 'date-to-datetime':
      return typeof value === 'string' && DATE.test(value) ? `${value}T00:00:00.000Z` : value;
    case 'none':
      return value;
  }
}

/**
 * The batch as objects with `casts` applied. `unframe` takes the record out of a whole protocol
 * message, for batches the byte path wrote inside the envelope already.
 */
export function castBatch(batch: RecordBatch, casts: readonly (readonly [string, ValueCast])[], unframe: (message: Record<string, unknown>) => Record<string, unknown>): RecordBatch {
  let objects: Record<string, unknown>[];
  if (batch.objects) objects = batch.objects.map((record) => ({ ...record }));
  else {
    const lines = (batch.json ?? Buffer.alloc(0)).toString('utf8').split('\n').filter((line) => line !== '');
    objects = lines.map((line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      return batch.framed ? unframe(parsed) : parsed;
    });
  }
  for (const record of objects) {
    for (const [field, cast] of casts) if (field in record) record[field] = castValue(record[field], cast);
  }
  return { count: objects.length, objects };
}
