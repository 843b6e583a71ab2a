/**
 * The contract between the emulator's org (schema, seeded data, mutations, SOQL) and its HTTP
 * layer (REST, Bulk API 2.0, auth). The org knows nothing of HTTP; the HTTP layer renders what
 * the org returns in each API's wire format (REST JSON with `+0000` datetimes and `attributes`,
 * Bulk CSV with `Z` datetimes, ...). Shapes follow shared/reference/salesforce-api.md.
 */

/** A describe field exactly as Salesforce serves it (the 57 keys of §3.3, alphabetical). */
export type FieldDescribe = Record<string, unknown> & {
  name: string;
  type: string;
  soapType: string;
  nillable: boolean;
  calculated: boolean;
  compoundFieldName: string | null;
  referenceTo: string[];
  relationshipName: string | null;
};

/** A describe result exactly as `/sobjects/{name}/describe` serves it (keys alphabetical). */
export type SObjectDescribe = Record<string, unknown> & {
  name: string;
  fields: FieldDescribe[];
  queryable: boolean;
  custom: boolean;
  keyPrefix: string | null;
};

/** One entry of describeGlobal's `sobjects` array. */
export type GlobalSObject = Record<string, unknown> & { name: string; queryable: boolean };

/**
 * Internal value of one field of one row:
 * - string types, id, reference, picklist, ...: string
 * - boolean: boolean; int/long/double/currency/percent: number
 * - date: "YYYY-MM-DD"; datetime: ISO UTC with ms and Z ("2024-01-02T03:04:05.000Z");
 *   time: "HH:MM:SS.sssZ"
 * - address: {street, city, state, postalCode, country, latitude, longitude, geocodeAccuracy}
 * - location: {latitude, longitude}
 * - base64: the content as a base64 string (REST renders a blob URL, Bulk refuses the field)
 * - null: no value
 */
export type FieldValue = string | number | boolean | null | { [component: string]: string | number | null };

/** A selected column of a prepared query. */
export interface QueryColumn {
  /** As written in SELECT, canonical case (`Owner.Name`, `Name`). */
  path: string;
  /** Relationship names walked before the field (`['Owner']` for `Owner.Name`). */
  relationships: string[];
  /** The sobject each relationship step lands on (`['User']`). */
  relationshipTypes: string[];
  /** The describe of the final field. */
  field: FieldDescribe;
}

export interface QueryRow {
  /** The row's own sobject type and Id (for REST `attributes`). */
  type: string;
  id: string;
  /** Values aligned with `PreparedQuery.columns`. */
  values: FieldValue[];
  /**
   * For each relationship prefix used by the columns (`"Owner"`, `"Account.Owner"`), the parent
   * it resolved to, or null when the lookup is empty (REST renders `"Owner": null`). Through a
   * polymorphic relationship `type` is `Name` and `sobject` the parent's own object.
   */
  parents: Record<string, { type: string; id: string; sobject?: string } | null>;
}

export interface PreparedQuery {
  /** The FROM object, canonical case. */
  sobject: string;
  /** `SELECT COUNT() FROM ...`: only `totalSize` is meaningful, rows are empty. */
  isCount: boolean;
  columns: QueryColumn[];
  /** Number of matching rows after WHERE and LIMIT. */
  totalSize(): number;
  /**
   * What the rows depend on once fixed: the query's meaning and the org revision they were
   * counted at. Two queries with equal keys give the same rows while the org stays unchanged.
   */
  resultKey(): string;
  /**
   * Matching rows from `offset` on, in ORDER BY order (else Id order), generated lazily so that
   * millions of rows never sit in memory at once. Iterating twice gives the same rows.
   */
  rows(offset?: number): Iterable<QueryRow>;
}

/** Errors the org raises, rendered by the HTTP layer as `[{"message","errorCode"}]` with `status`. */
export class OrgError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
    readonly status = 400,
    readonly fields?: string[],
  ) {
    super(message);
    this.name = 'OrgError';
  }
}

export interface QueryOptions {
  /** queryAll / Bulk `queryAll`: include soft-deleted rows (IsDeleted = true). */
  includeDeleted: boolean;
}

export interface GetDeletedResult {
  deletedRecords: { id: string; deletedDate: string }[];
  earliestDateAvailable: string;
  latestDateCovered: string;
}

export interface GetUpdatedResult {
  ids: string[];
  latestDateCovered: string;
}

export interface OrgOptions {
  /** Seed of the deterministic generator. */
  seed: number;
  /** Account rows; other objects scale from it. */
  records: number;
  /** The org's clock; tests may move it. Defaults to Date.now. */
  now?: (() => number) | undefined;
}

export interface Org {
  /** 15-character org id, `00D...`. */
  readonly orgId: string;
  /** The 18-character id of the integration user the emulator's credentials log in as. */
  readonly userId: string;
  /** describeGlobal body without the envelope: `{encoding, maxBatchSize, sobjects}`. */
  describeGlobal(): { encoding: string; maxBatchSize: number; sobjects: GlobalSObject[] };
  /** Case-insensitive; undefined when the object does not exist. */
  describe(name: string): SObjectDescribe | undefined;
  /** Objects Bulk API 2.0 refuses with INVALIDENTITY. */
  isBulkSupported(sobject: string): boolean;
  /** Parses and plans SOQL; throws OrgError (MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE, ...). */
  prepareQuery(soql: string, options: QueryOptions): PreparedQuery;
  /** Record reads and writes, as `/sobjects/{name}[/{id}]` do them. Each write advances SystemModstamp. */
  getRecord(sobject: string, id: string): Record<string, FieldValue> | undefined;
  create(sobject: string, fields: Record<string, FieldValue>): { id: string };
  update(sobject: string, id: string, fields: Record<string, FieldValue>): void;
  delete(sobject: string, id: string): void;
  /**
   * Restores a soft-deleted row from the recycle bin (SOAP `undelete()`, Apex `undelete`):
   * IsDeleted false, SystemModstamp and LastModifiedDate advanced; getDeleted lists it no more.
   */
  undelete(sobject: string, id: string): void;
  /**
   * Hard deletes (Bulk `hardDelete`, `Database.delete` + `emptyRecycleBin`): the rows are deleted
   * if they were not, and leave the recycle bin at once. getDeleted still lists them; no query does.
   */
  hardDelete(sobject: string, ids: string[]): void;
  /** Empties the recycle bin (`emptyRecycleBin`): of one object, or only the given ids. Returns the rows purged. */
  emptyRecycleBin(sobject?: string, ids?: string[]): number;
  getDeleted(sobject: string, start: string, end: string): GetDeletedResult;
  getUpdated(sobject: string, start: string, end: string): GetUpdatedResult;
}
