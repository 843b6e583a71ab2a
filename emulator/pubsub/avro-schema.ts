/**
 * The Avro schema of an object's change event, built from its describe as Salesforce builds it:
 * `ChangeEventHeader` first, then every stored field (formula fields never appear), compound
 * fields (addresses, locations, a person's Name) as nested records of their components. Every
 * field is a union with null: in Pub/Sub API events unchanged fields are null.
 */
import { createHash } from 'node:crypto';
import type { FieldDescribe, SObjectDescribe } from '../org/types.js';

export type AvroType = string | Record<string, unknown> | AvroType[];

export interface AvroField {
  name: string;
  type: AvroType;
  doc?: string;
  default?: unknown;
}

/** One top-level field of the event: a plain column, or a compound and its component columns. */
export type EventField =
  | { name: string; column: string; kind: ValueEncoding }
  | { name: string; compound: { name: string; column: string; kind: ValueEncoding }[] };

export type ValueEncoding = 'string' | 'boolean' | 'int' | 'long' | 'double' | 'date' | 'datetime' | 'time';

export interface ChangeEventSchema {
  schemaId: string;
  json: string;
  /** Top-level fields after the header (position i + 1 in the schema). */
  fields: EventField[];
}

const HEADER_FIELDS: AvroField[] = [
  { name: 'entityName', type: 'string' },
  { name: 'recordIds', type: { type: 'array', items: 'string' } },
  { name: 'changeType', type: { type: 'enum', name: 'ChangeType', namespace: 'com.salesforce.eventbus', symbols: ['CREATE', 'UPDATE', 'DELETE', 'UNDELETE', 'GAP_CREATE', 'GAP_UPDATE', 'GAP_DELETE', 'GAP_UNDELETE', 'GAP_OVERFLOW', 'SNAPSHOT'] } },
  { name: 'changeOrigin', type: 'string' },
  { name: 'transactionKey', type: 'string' },
  { name: 'sequenceNumber', type: 'int' },
  { name: 'commitTimestamp', type: 'long' },
  { name: 'commitNumber', type: 'long' },
  { name: 'commitUser', type: 'string' },
  { name: 'nulledFields', type: { type: 'array', items: 'string' } },
  { name: 'diffFields', type: { type: 'array', items: 'string' } },
  { name: 'changedFields', type: { type: 'array', items: 'string' } },
];

function encodingOf(type: string): ValueEncoding | undefined {
  switch (type) {
    case 'boolean':
      return 'boolean';
    case 'int':
      return 'int';
    case 'long':
      return 'long';
    case 'double':
    case 'currency':
    case 'percent':
      return 'double';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'time':
      return 'time';
    case 'base64':
    case 'address':
    case 'location':
    case 'anyType':
    case 'complexvalue':
      return undefined;
    default:
      return 'string';
  }
}

function avroOf(kind: ValueEncoding): AvroType {
  switch (kind) {
    case 'date':
      return { type: 'int', logicalType: 'date' };
    case 'datetime':
      return { type: 'long', logicalType: 'timestamp-millis' };
    case 'time':
      return { type: 'int', logicalType: 'time-millis' };
    default:
      return kind;
  }
}

/** `BillingStreet` of `BillingAddress` → `Street`; `FirstName` of `Name` stays `FirstName`. */
function componentName(compound: string, column: string): string {
  const base = compound.replace(/__c$/, '').replace(/Address$/, '');
  const rest = base && column.startsWith(base) ? column.slice(base.length) : column;
  return rest.replace(/^_+/, '') || column;
}

/** Topic name of an object's change events: `Account` → `AccountChangeEvent`, `Invoice__c` → `Invoice__ChangeEvent`. */
export function changeEventName(sobject: string): string {
  return sobject.endsWith('__c') ? `${sobject.slice(0, -1)}ChangeEvent` : `${sobject}ChangeEvent`;
}

export function buildChangeEventSchema(describe: SObjectDescribe): ChangeEventSchema {
  const byCompound = new Map<string, FieldDescribe[]>();
  for (const f of describe.fields) {
    if (f.compoundFieldName && f.compoundFieldName !== f.name) {
      const list = byCompound.get(f.compoundFieldName) ?? [];
      list.push(f);
      byCompound.set(f.compoundFieldName, list);
    }
  }
  const fields: EventField[] = [];
  const avroFields: AvroField[] = [{ name: 'ChangeEventHeader', type: { type: 'record', name: 'ChangeEventHeader', namespace: 'com.salesforce.eventbus', fields: HEADER_FIELDS } }];
  const definedRecords = new Set<string>();
  for (const f of describe.fields) {
    if (f.calculated || (f.compoundFieldName && f.compoundFieldName !== f.name && describe.fields.some((c) => c.name === f.compoundFieldName))) continue;
    const parts = byCompound.get(f.name);
    if (parts && parts.length > 0) {
      const compound = parts.flatMap((p) => {
        const kind = encodingOf(p.type);
        return kind ? [{ name: componentName(f.name, p.name), column: p.name, kind }] : [];
      });
      const recordName = f.type === 'address' ? 'Address' : f.type === 'location' ? `${f.name.replace(/__c$/, '')}Location` : `${f.name}Compound`;
      let type: AvroType = `com.sforce.eventbus.${recordName}`;
      if (!definedRecords.has(recordName)) {
        definedRecords.add(recordName);
        type = { type: 'record', name: recordName, namespace: 'com.sforce.eventbus', fields: compound.map((c) => ({ name: c.name, type: ['null', avroOf(c.kind)], default: null })) };
      }
      fields.push({ name: f.name, compound });
      avroFields.push({ name: f.name, type: ['null', type], default: null });
      continue;
    }
    const kind = encodingOf(f.type);
    if (!kind) continue;
    fields.push({ name: f.name, column: f.name, kind });
    avroFields.push({ name: f.name, type: ['null', avroOf(kind)], default: null });
  }
  const schema = { type: 'record', name: changeEventName(describe.name), namespace: 'com.sforce.eventbus', fields: avroFields };
  const json = JSON.stringify(schema);
  // Salesforce's schema ids are opaque strings that change when the schema changes.
  const schemaId = createHash('sha256').update(json).digest('base64url').slice(0, 22);
  return { schemaId, json, fields };
}
