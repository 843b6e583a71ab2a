/**
 * Change events as the tap uses them: the decoded `ChangeEventHeader` and the replay id. Field
 * values are decoded too but the tap re-reads full rows by Id, so it relies on the header alone.
 */
import avro from 'avsc';
import { TapError } from '../../core/errors.js';

export type ChangeType = 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE' | 'GAP_CREATE' | 'GAP_UPDATE' | 'GAP_DELETE' | 'GAP_UNDELETE' | 'GAP_OVERFLOW';

export interface ChangeEventHeader {
  entityName: string;
  recordIds: string[];
  changeType: ChangeType;
  /** Epoch ms. */
  commitTimestamp: number;
  transactionKey: string;
  sequenceNumber: number;
  changedFields: string[];
  nulledFields: string[];
}

export interface ChangeEvent {
  replayId: Buffer;
  header: ChangeEventHeader;
  /** The event's other fields (unchanged ones null). */
  fields: Record<string, unknown>;
}

/** Positions set in a Pub/Sub bitmap (`0x…`, lowest bit = position 0, read from the end). */
export function decodeBitmap(hex: string): number[] {
  const out: number[] = [];
  let bits = BigInt(hex);
  for (let i = 0; bits > 0n; i += 1, bits >>= 1n) if (bits & 1n) out.push(i);
  return out;
}

/**
 * Names of the top-level fields a bitmap list marks (`changedFields`, `nulledFields`), with
 * compound sub-fields (`P-0x…`) as `Compound.Sub`.
 */
export function fieldsOfBitmaps(type: avro.Type, bitmaps: string[]): string[] {
  const fields = (type as avro.types.RecordType).fields;
  const names: string[] = [];
  for (const entry of bitmaps) {
    const dash = entry.indexOf('-');
    if (dash < 0) {
      for (const p of decodeBitmap(entry)) if (fields[p]) names.push(fields[p].name);
      continue;
    }
    const parent = fields[Number(entry.slice(0, dash))];
    const union = parent?.type as avro.types.UnwrappedUnionType | undefined;
    const record = union?.types?.find((t: avro.Type) => t.typeName === 'record') as avro.types.RecordType | undefined;
    for (const p of decodeBitmap(entry.slice(dash + 1))) {
      const sub = record?.fields[p];
      if (parent && sub) names.push(`${parent.name}.${sub.name}`);
    }
  }
  return names;
}

/** Decodes one event's Avro payload with its writer schema. */
export function decodeChangeEvent(type: avro.Type, payload: Buffer, replayId: Buffer): ChangeEvent {
  let value: Record<string, unknown>;
  try {
    value = type.fromBuffer(payload) as Record<string, unknown>;
  } catch (error) {
    throw new TapError('TAP_PUBSUB_UNDECODABLE_EVENT', `A change event could not be decoded with its schema: ${(error as Error).message}`, { kind: 'salesforce', cause: error });
  }
  const { ChangeEventHeader: raw, ...fields } = value;
  const h = raw as Record<string, unknown>;
  const header: ChangeEventHeader = {
    entityName: String(h['entityName']),
    recordIds: (h['recordIds'] as string[]) ?? [],
    changeType: String(h['changeType']) as ChangeType,
    commitTimestamp: Number(h['commitTimestamp']),
    transactionKey: String(h['transactionKey'] ?? ''),
    sequenceNumber: Number(h['sequenceNumber'] ?? 0),
    changedFields: (h['changedFields'] as string[]) ?? [],
    nulledFields: (h['nulledFields'] as string[]) ?? [],
  };
  return { replayId, header, fields };
}

/** Avro types by schema id: a schema is fetched once per run (a describe change gives a new id). */
export class SchemaCache {
  #types = new Map<string, Promise<avro.Type>>();

  constructor(private readonly fetchSchema: (schemaId: string) => Promise<string>) {}

  get(schemaId: string): Promise<avro.Type> {
    let type = this.#types.get(schemaId);
    if (!type) {
      type = this.fetchSchema(schemaId).then((json) => avro.Type.forSchema(JSON.parse(json) as avro.Schema));
      type.catch(() => this.#types.delete(schemaId));
      this.#types.set(schemaId, type);
    }
    return type;
  }
}
