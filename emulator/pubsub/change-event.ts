/**
 * Turns one committed change into the Avro record of its change event: the header, the field
 * values (unchanged fields null), and the `changedFields` / `nulledFields` / `diffFields`
 * bitmaps over the schema's field positions.
 */
import type { FieldValue } from '../org/types.js';
import type { ChangeEventSchema, EventField, ValueEncoding } from './avro-schema.js';

export type ChangeType = 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE' | 'GAP_CREATE' | 'GAP_UPDATE' | 'GAP_DELETE' | 'GAP_UNDELETE' | 'GAP_OVERFLOW';

/**
 * One committed change of one object, as the org reports it after commit. Several records
 * changed the same way in one transaction share one commit.
 */
export interface OrgCommit {
  sobject: string;
  changeType: ChangeType;
  recordIds: string[];
  /** Values after the commit of the fields that changed (all set fields for a create). */
  changed: Record<string, FieldValue>;
  /** Fields the commit set to null. */
  nulled: string[];
  /** Epoch ms. */
  commitTimestamp: number;
  transactionKey: string;
  sequenceNumber: number;
  commitNumber: number;
  commitUser: string;
}

/** Hex bitmap, lowest bit = position 0, read from the end of the string. */
export function encodeBitmap(positions: Iterable<number>): string {
  let bits = 0n;
  for (const p of positions) bits |= 1n << BigInt(p);
  return `0x${bits.toString(16).toUpperCase()}`;
}

export function decodeBitmap(hex: string): number[] {
  let bits = BigInt(hex);
  const out: number[] = [];
  for (let i = 0; bits > 0n; i += 1, bits >>= 1n) if (bits & 1n) out.push(i);
  return out;
}

function toAvroValue(kind: ValueEncoding, value: FieldValue | undefined): unknown {
  if (value === null || value === undefined || typeof value === 'object') return null;
  switch (kind) {
    case 'boolean':
      return value === true || value === 'true';
    case 'int':
      return Math.trunc(Number(value));
    case 'long':
    case 'double':
      return Number(value);
    case 'datetime':
      return Date.parse(String(value));
    case 'date':
      return Math.floor(Date.parse(`${String(value).slice(0, 10)}T00:00:00Z`) / 86_400_000);
    case 'time': {
      const m = /^(\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?/.exec(String(value));
      return m ? ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number((m[4] ?? '0').padEnd(3, '0')) : null;
    }
    default:
      return String(value);
  }
}

/** The Avro record of a change event, ready for `Type.toBuffer`. */
export function buildChangeEventRecord(schema: ChangeEventSchema, commit: OrgCommit): Record<string, unknown> {
  const changedTop: number[] = [];
  const nulledTop: number[] = [];
  const changedSub = new Map<number, number[]>();
  const nulledSub = new Map<number, number[]>();
  const nulled = new Set(commit.nulled);
  const gap = commit.changeType.startsWith('GAP_');
  const record: Record<string, unknown> = {};
  schema.fields.forEach((field: EventField, i) => {
    const position = i + 1;
    if ('column' in field) {
      const isChanged = !gap && field.column in commit.changed;
      record[field.name] = isChanged ? toAvroValue(field.kind, commit.changed[field.column]) : null;
      if (isChanged) changedTop.push(position);
      if (!gap && nulled.has(field.column)) nulledTop.push(position);
      return;
    }
    const sub: Record<string, unknown> = {};
    let any = false;
    field.compound.forEach((c, j) => {
      const isChanged = !gap && c.column in commit.changed;
      sub[c.name] = isChanged ? toAvroValue(c.kind, commit.changed[c.column]) : null;
      if (isChanged) {
        any = true;
        changedSub.set(position, [...(changedSub.get(position) ?? []), j]);
      }
      if (!gap && nulled.has(c.column)) nulledSub.set(position, [...(nulledSub.get(position) ?? []), j]);
    });
    record[field.name] = any ? sub : null;
    if (any) changedTop.push(position);
  });
  const bitmaps = (top: number[], sub: Map<number, number[]>) =>
    top.length === 0 && sub.size === 0 ? [] : [encodeBitmap(top), ...[...sub].map(([p, bits]) => `${p}-${encodeBitmap(bits)}`)];
  // Creates list no changed fields: every non-null field of the event is the new record's value.
  const changedFields = commit.changeType === 'UPDATE' ? bitmaps(changedTop, changedSub) : [];
  const nulledFields = commit.changeType === 'UPDATE' ? bitmaps(nulledTop, nulledSub) : [];
  record['ChangeEventHeader'] = {
    entityName: commit.sobject,
    recordIds: commit.changeType === 'GAP_OVERFLOW' ? [] : commit.recordIds,
    changeType: commit.changeType,
    changeOrigin: 'com/salesforce/api/rest/65.0',
    transactionKey: commit.transactionKey,
    sequenceNumber: commit.sequenceNumber,
    commitTimestamp: commit.commitTimestamp,
    commitNumber: commit.commitNumber,
    commitUser: commit.commitUser,
    nulledFields,
    diffFields: [],
    changedFields,
  };
  return record;
}
