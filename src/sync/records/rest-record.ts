/**
 * A REST query record (`/query`, `/queryAll`) → the record Bulk API 2.0 gives for the same row.
 *
 * REST nests parents (`"Owner": {"attributes": {...}, "Name": "Dana"}` or `"Owner": null`),
 * types numbers and booleans, and writes datetimes with `+0000`. Each selected column is looked
 * up by its dotted path, turned into the text Bulk would have written (null → '', numbers and
 * booleans → their JavaScript text, which a double always reads back exactly) and then goes
 * through the very converter Bulk records use. One path, so the same row cannot type two ways.
 *
 * Limits: REST numbers have been through a double when the response was parsed, so digits
 * beyond a double's precision are already gone (Bulk keeps them as text, value-kinds.ts).
 */
import type { RecordShape } from './record-converter.js';
import { recordConverterFor } from './record-converter.js';
import { createValueIssues, type ValueIssues } from './value-kinds.js';

/** A record of a REST query response; `attributes` and nested parent objects included. */
export type RestRecord = Record<string, unknown>;

const TEXT_KINDS = new Set(['string', 'any', 'object']);

/** Column paths split once per shape. */
const columnPaths = new WeakMap<RecordShape, string[][]>();

function pathsOf(shape: RecordShape): string[][] {
  let paths = columnPaths.get(shape);
  if (paths === undefined) {
    paths = shape.columns.map((column) => column.name.split('.'));
    columnPaths.set(shape, paths);
  }
  return paths;
}

function valueAt(record: RestRecord, path: readonly string[]): unknown {
  let value: unknown = record;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return null;
    value = (value as Record<string, unknown>)[key];
  }
  return value ?? null;
}

export function fromRestRecord(record: RestRecord, shape: RecordShape, issues: ValueIssues = createValueIssues()): Record<string, unknown> {
  const paths = pathsOf(shape);
  const fields = new Array<unknown>(paths.length);
  for (let i = 0; i < paths.length; i++) {
    const value = valueAt(record, paths[i] as string[]);
    if (value === null) fields[i] = '';
    else if (typeof value === 'string') fields[i] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') fields[i] = String(value);
    else fields[i] = TEXT_KINDS.has(shape.columns[i]?.kind ?? 'string') ? value : JSON.stringify(value);
  }
  return recordConverterFor(shape)(fields, issues);
}
