/**
 * Protocol-neutral stream definitions: what discovery builds from Salesforce describes and what
 * the sync reads. The Singer and Airbyte catalog encoders/parsers translate to and from these.
 */

export type JsonSchema = {
  type?: string | string[];
  format?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: boolean;
  [keyword: string]: unknown;
};

/** Salesforce `describe` field `type` values (Schema.DisplayType), lower case as on the wire. */
export type SalesforceFieldType =
  | 'id' | 'reference' | 'string' | 'textarea' | 'email' | 'phone' | 'url' | 'picklist'
  | 'multipicklist' | 'combobox' | 'encryptedstring' | 'boolean' | 'int' | 'long' | 'double'
  | 'currency' | 'percent' | 'date' | 'datetime' | 'time' | 'base64' | 'address' | 'location'
  | 'anyType' | 'json' | 'complexvalue' | 'datacategorygroupreference' | (string & {});

/** How a value travels from Salesforce text to a typed JSON value. */
export type ValueKind = 'string' | 'boolean' | 'integer' | 'number' | 'date' | 'datetime' | 'time' | 'object' | 'any';

export interface FieldDefinition {
  /** Column name as selected in SOQL; relationship paths keep their dots (`Owner.Name`). */
  name: string;
  sfType: SalesforceFieldType;
  valueKind: ValueKind;
  schema: JsonSchema;
  nullable: boolean;
  /** Formula field (`calculated: true`): its changes may not move SystemModstamp. */
  calculated: boolean;
  /** The formula's text (`calculatedFormula` of the describe), for formula fields. */
  formula?: string;
  /** Compound address/location: the component columns that rebuild it (Bulk cannot select it). */
  components?: string[];
  /** Set on address/location components: the compound they belong to. */
  compoundFieldName?: string;
  /** Bulk API 2.0 can select this column (false for base64, json, address, location). */
  bulkSelectable: boolean;
}

export interface StreamDefinition {
  /** Stream name: the sobject name, or a custom query stream's configured name. */
  name: string;
  /** The FROM object. */
  sobject: string;
  /** A custom SOQL stream's query, as configured. */
  query?: string;
  /** A custom SOQL stream's own WHERE condition, ANDed with the sync's window and `stream_where`. */
  filter?: string;
  label?: string;
  custom: boolean;
  keyProperties: string[];
  /** SystemModstamp, else LastModifiedDate, else CreatedDate, else LoginTime; none: full table. */
  replicationKey?: string | undefined;
  validReplicationKeys: string[];
  /** The object can be read through Bulk API 2.0 (as far as discovery can tell). */
  bulkSupported: boolean;
  /** The object has IsDeleted, so queryAll returns soft-deleted rows. */
  hasIsDeleted: boolean;
  /** getDeleted lists the object's deleted rows (the describe says `replicateable` and `deletable`). */
  capturesDeletes?: boolean;
  fields: FieldDefinition[];
  /** `{type: object, properties: {...}}` built from `fields`. */
  schema: JsonSchema;
}

/** LOG_BASED: Change Data Capture events through the Pub/Sub API, SystemModstamp as the fallback cursor. */
export type ReplicationMethod = 'FULL_TABLE' | 'INCREMENTAL' | 'LOG_BASED';

/** How a value is rewritten to follow the catalog's schema of its field. */
export type ValueCast = 'none' | 'to-string' | 'date-to-datetime';

/** A field whose catalog schema differs from the discovered one: what to send as its schema, and how its values change. */
export interface FieldOverride {
  schema: JsonSchema;
  cast: ValueCast;
}

/** One stream as a catalog selects it for a read. */
export interface SelectedStream {
  definition: StreamDefinition;
  /** The name messages give the stream (Singer `stream_alias`); state keeps `definition.name`. */
  alias?: string | undefined;
  /** Selected fields whose catalog schema differs from the discovered one. */
  overrides?: Record<string, FieldOverride> | undefined;
  /** Selected columns (always including key and replication key), in definition order. */
  fields: string[];
  method: ReplicationMethod;
  /** The cursor for INCREMENTAL. */
  replicationKey?: string | undefined;
  /** This read may emit tombstones for the stream: its schema carries the deleted-at column. */
  tombstones?: boolean;
}
