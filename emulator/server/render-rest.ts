import type { FieldDescribe, FieldValue, PreparedQuery, QueryRow } from '../org/types.js';

/**
 * Renders the org's internal values the way REST JSON shows them: datetimes with `+0000`,
 * compound fields as objects with alphabetical keys, base64 as the blob's URL.
 */
export function toRestValue(value: FieldValue, field: FieldDescribe, blobUrl: () => string): unknown {
  if (value === null) return null;
  switch (field.type) {
    case 'datetime':
      return typeof value === 'string' ? value.replace(/Z$/, '+0000') : value;
    case 'base64':
      return blobUrl();
    case 'address':
    case 'location':
      if (typeof value === 'object') {
        return Object.fromEntries(Object.keys(value).sort().map((k) => [k, value[k] ?? null]));
      }
      return value;
    default:
      return value;
  }
}

export function recordUrl(version: string, type: string, id: string): string {
  return `/services/data/v${version}/sobjects/${type}/${id}`;
}

/** A record as `/sobjects/{name}/{id}` serves it: attributes first, then every field. */
export function renderRecord(
  version: string,
  type: string,
  id: string,
  values: Record<string, FieldValue>,
  fields: FieldDescribe[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: { type, url: recordUrl(version, type, id) } };
  for (const field of fields) {
    if (!(field.name in values)) continue;
    out[field.name] = toRestValue(values[field.name] ?? null, field, () => `${recordUrl(version, type, id)}/${field.name}`);
  }
  return out;
}

/**
 * A query row as REST nests it: parents become objects with their own `attributes`, or null when
 * the lookup is empty; each column lands under its canonical name.
 */
export function renderQueryRow(version: string, query: PreparedQuery, row: QueryRow): Record<string, unknown> {
  const record: Record<string, unknown> = { attributes: { type: row.type, url: recordUrl(version, row.type, row.id) } };
  const columns = query.columns;
  for (let c = 0; c < columns.length; c++) {
    const column = columns[c]!;
    let target: Record<string, unknown> | null = record;
    let owner = { type: row.type, id: row.id };
    let prefix = '';
    const rels = column.relationships;
    for (let r = 0; r < rels.length && target; r++) {
      const name = rels[r]!;
      prefix = prefix ? `${prefix}.${name}` : name;
      const parent: QueryRow['parents'][string] | undefined = row.parents[prefix];
      const existing: unknown = target[name];
      if (existing === undefined) {
        target[name] = parent ? { attributes: { type: parent.type, url: recordUrl(version, parent.sobject ?? parent.type, parent.id) } } : null;
      }
      target = (target[name] as Record<string, unknown> | null) ?? null;
      if (parent) owner = { type: parent.sobject ?? parent.type, id: parent.id };
    }
    if (!target) continue;
    const field = column.field;
    const ownerNow = owner;
    target[field.name] = toRestValue(row.values[c] ?? null, field, () => `${recordUrl(version, ownerNow.type, ownerNow.id)}/${field.name}`);
  }
  return record;
}
