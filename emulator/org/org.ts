/**
 * The emulated org: its table of rows (generated plus the changes clients made), queried through
 * the SOQL compiler, changed through record calls that each end in one commit.
 */
import { prepareQuery } from '../soql/prepare.js';
import { CommitLog, type CommitListener, type OrgCommit } from './commits.js';
import { globalEntry } from './describe.js';
import { DAY_MS } from './generate.js';
import { isWellFormedId, makeId } from './ids.js';
import { OBJECTS, type ObjectSpec } from './schema.js';
import { buildTable, DEFAULT_API_VERSION, type ObjectState } from './table.js';
import {
  OrgError,
  type FieldValue,
  type GetDeletedResult,
  type GetUpdatedResult,
  type Org,
  type OrgOptions,
  type SObjectDescribe,
} from './types.js';
import { indexOfId } from './ids.js';

export { DEFAULT_API_VERSION } from './table.js';
export type { ChangeType, CommitListener, OrgCommit } from './commits.js';
/** Generated history ends here unless the caller picks another anchor: runs are reproducible. */
export const DEFAULT_ANCHOR = Date.UTC(2026, 0, 1);

export interface EmulatedOrg extends Org {
  /** Describe as served for an API version (its URLs carry the version). */
  describe(name: string, version?: string): SObjectDescribe | undefined;
  describeGlobal(version?: string): ReturnType<Org['describeGlobal']>;
  /** Rows of an object (generated and created), deleted ones included. */
  rowCount(sobject: string): number;
  readonly anchorMs: number;
  /** Counts the changes clients made (create, update, delete): what was read at one revision reads the same while it lasts. */
  revision(): number;
  /**
   * Makes the integration user (the row every session logs in as) carry the login's username and
   * the names derived from it, so that the identity documents and `SELECT Username FROM User` agree.
   */
  setIntegrationUser(username: string): void;
  /**
   * Calls `listener` after every commit (create, update, delete), whichever API made it, in
   * commit order; returns the function that stops it.
   */
  onCommit(listener: CommitListener): () => void;
}

export function createOrg(options: OrgOptions & { anchorMs?: number; objects?: ObjectSpec[]; organizationName?: string }): EmulatedOrg {
  const now = options.now ?? Date.now;
  const specs = options.objects ?? OBJECTS;
  const anchorMs = options.anchorMs ?? DEFAULT_ANCHOR;
  const table = buildTable(specs, options.records, options.seed, anchorMs);
  const commits = new CommitLog();
  // describeGlobal lists objects in name order, as real orgs do.
  const byName = [...specs].sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : 0));
  // The org id is the Id of the Organization object's one row.
  const orgId = makeId('00D', 0).slice(0, 15);
  const organization = table.objectOf('organization');
  if (organization) {
    table.seedRow(organization, 0, {
      Name: options.organizationName ?? 'Emulated Org', InstanceName: 'NA1', IsSandbox: false, OrganizationType: 'Enterprise Edition',
      NamespacePrefix: null, TrialExpirationDate: null, Division: null, PrimaryContact: null,
    });
  }
  const userState = table.objectOf('user');
  const userId = userState ? makeId(userState.spec.keyPrefix!, 0) : makeId('005', 0);
  let lastTick = 0;
  const tick = () => {
    lastTick = Math.max(now(), lastTick + 1);
    return lastTick;
  };
  const { value, isDeleted, materialize } = table;
  let purges = 0;
  const deleteRow = (o: ObjectState, row: number) => {
    const record = [...materialize(o, row)];
    const at = tick();
    if (o.isDeletedField >= 0) record[o.isDeletedField] = true;
    stamp(o, record, at);
    o.deletedAt.set(row, at);
    write(o, row, record, { changeType: 'delete', fields: o.isDeletedField >= 0 ? [o.isDeletedField] : [], at });
  };
  const purge = (o: ObjectState, row: number) => {
    o.purged.add(row);
    purges += 1;
  };

  const requireObject = (sobject: string): ObjectState => {
    const o = table.objectOf(sobject);
    if (!o || o.spec.queryable === false) throw new OrgError('NOT_FOUND', 'The requested resource does not exist', 404);
    return o;
  };
  const requireWritable = (sobject: string, verb: 'inserted' | 'updated' | 'deleted'): ObjectState => {
    const o = requireObject(sobject);
    if (o.spec.readOnly) throw new OrgError('INVALID_TYPE_FOR_OPERATION', `entity type cannot be ${verb}: ${o.spec.name}`, 400);
    return o;
  };
  const requireRow = (o: ObjectState, id: string): number => {
    if (!isWellFormedId(id)) throw new OrgError('MALFORMED_ID', `${o.spec.label} ID: id value of incorrect type: ${id}`, 400, ['Id']);
    const row = indexOfId(o.spec.keyPrefix ?? '', id);
    if (row < 0 || !table.exists(o, row)) throw new OrgError('NOT_FOUND', 'The requested resource does not exist', 404);
    return row;
  };
  const checkFields = (o: ObjectState, fields: Record<string, FieldValue>, mode: 'create' | 'update'): [number, FieldValue][] =>
    Object.entries(fields).map(([name, v]) => {
      const f = o.fieldIndex.get(name.toLowerCase());
      if (f === undefined) throw new OrgError('INVALID_FIELD', `No such column '${name}' on sobject of type ${o.spec.name}`, 400);
      const spec = o.fields[f]!;
      const allowed = mode === 'create' ? spec.createable !== false && !spec.calculatedFormula && spec.type !== 'id' : spec.updateable !== false && !spec.calculatedFormula && spec.type !== 'id';
      if (!allowed || spec.type === 'address' || spec.type === 'location') {
        throw new OrgError('INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${spec.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`, 400, [spec.name]);
      }
      return [f, v];
    });
  const STAMPS = ['LastModifiedDate', 'SystemModstamp', 'LastModifiedById'];
  const stamp = (o: ObjectState, record: FieldValue[], at: number) => {
    const set = (name: string, v: FieldValue) => {
      const f = o.fieldIndex.get(name.toLowerCase());
      if (f !== undefined) record[f] = v;
    };
    set('LastModifiedDate', new Date(at).toISOString());
    set('SystemModstamp', new Date(at).toISOString());
    set('LastModifiedById', userId);
  };
  /** Stores a row's new values and commits the change: the one way rows change. */
  const write = (o: ObjectState, row: number, record: FieldValue[], change: Pick<OrgCommit, 'changeType'> & { fields: number[]; at: number }) => {
    o.overlay.set(row, record);
    const names = [...new Set([...change.fields, ...STAMPS.map((n) => o.fieldIndex.get(n.toLowerCase()) ?? -1).filter((f) => f >= 0)])];
    // A create or an undelete reports every field with a value: the row (re)appears whole.
    const whole = change.changeType === 'create' || change.changeType === 'undelete';
    const changed = whole ? o.fields.map((_, f) => f).filter((f) => record[f] !== null) : names;
    const id = record[o.fieldIndex.get('id')!] as string;
    commits.commit({
      sobject: o.spec.name,
      changeType: change.changeType,
      recordIds: [id],
      changedFields: changed.map((f) => o.fields[f]!.name),
      nulledFields: change.changeType === 'update' ? names.filter((f) => record[f] === null).map((f) => o.fields[f]!.name) : [],
      values: new Map([[id, Object.fromEntries(changed.map((f) => [o.fields[f]!.name, record[f] ?? null]))]]),
      commitTimestamp: change.at,
    });
  };

  return {
    orgId,
    userId,
    anchorMs,
    describeGlobal(version = DEFAULT_API_VERSION) {
      return { encoding: 'UTF-8', maxBatchSize: 200, sobjects: byName.map((s) => globalEntry(s, version)) };
    },
    describe(name, version = DEFAULT_API_VERSION) {
      const o = table.objectOf(name);
      return o ? table.describeFor(o, version) : undefined;
    },
    isBulkSupported(sobject) {
      return table.objectOf(sobject)?.spec.bulkSupported !== false;
    },
    // Purges change what queryAll returns without a commit (no change event reports them).
    revision: () => commits.sequence + purges,
    setIntegrationUser(username) {
      if (!userState) return;
      const local = username.split('@')[0] ?? username;
      const [first = 'Integration', last = 'User'] = local.split(/[._-]+/).filter(Boolean).map((w) => w.charAt(0).toUpperCase() + w.slice(1));
      table.seedRow(userState, 0, {
        Username: username, Email: username.includes('@') ? username : `${username}@example.com`, FirstName: first, LastName: last,
        Name: `${first} ${last}`, Alias: `${first.slice(0, 1)}${last}`.toLowerCase().slice(0, 8), CommunityNickname: local.slice(0, 40), IsActive: true,
        UserType: 'Standard', TimeZoneSidKey: 'America/Los_Angeles', LocaleSidKey: 'en_US', LanguageLocaleKey: 'en_US',
      });
    },
    onCommit: (listener) => commits.listen(listener),
    rowCount(sobject) {
      const o = table.objectOf(sobject);
      return o ? o.nextIndex : 0;
    },
    prepareQuery: (soql, queryOptions) => prepareQuery(table, soql, queryOptions, now(), () => commits.sequence),
    getRecord(sobject, id) {
      const o = requireObject(sobject);
      const row = requireRow(o, id);
      const values = materialize(o, row);
      return Object.fromEntries(o.fields.map((f, i) => [f.name, values[i] ?? null]));
    },
    create(sobject, fields) {
      const o = requireWritable(sobject, 'inserted');
      const given = checkFields(o, fields, 'create');
      const missing = o.fields.filter((f) => f.nillable === false && f.type !== 'boolean' && f.createable !== false && f.type !== 'id' && f.name !== 'OwnerId' && !given.some(([i]) => o.fields[i] === f));
      if (missing.length > 0) throw new OrgError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.map((f) => f.name).join(', ')}]`, 400, missing.map((f) => f.name));
      const row = o.nextIndex;
      o.nextIndex += 1;
      const at = tick();
      const record: FieldValue[] = o.fields.map((f) => (f.type === 'boolean' ? false : null));
      for (const [f, v] of given) record[f] = v;
      const set = (name: string, v: FieldValue) => {
        const f = o.fieldIndex.get(name.toLowerCase());
        if (f !== undefined && (record[f] === null || name === 'Id')) record[f] = v;
      };
      const id = makeId(o.spec.keyPrefix!, row);
      set('Id', id);
      set('OwnerId', userId);
      set('CreatedById', userId);
      set('CreatedDate', new Date(at).toISOString());
      stamp(o, record, at);
      write(o, row, record, { changeType: 'create', fields: [], at });
      return { id };
    },
    update(sobject, id, fields) {
      const o = requireWritable(sobject, 'updated');
      const row = requireRow(o, id);
      if (isDeleted(o, row)) throw new OrgError('ENTITY_IS_DELETED', 'entity is deleted', 400);
      const given = checkFields(o, fields, 'update');
      const record = [...materialize(o, row)];
      for (const [f, v] of given) record[f] = v;
      const at = tick();
      stamp(o, record, at);
      write(o, row, record, { changeType: 'update', fields: given.map(([f]) => f), at });
    },
    delete(sobject, id) {
      const o = requireWritable(sobject, 'deleted');
      const row = requireRow(o, id);
      if (isDeleted(o, row)) throw new OrgError('ENTITY_IS_DELETED', 'entity is deleted', 400);
      deleteRow(o, row);
    },
    undelete(sobject, id) {
      const o = requireWritable(sobject, 'deleted');
      const row = requireRow(o, id);
      if (!o.deletedAt.has(row)) throw new OrgError('UNDELETE_FAILED', 'Entity is not in the recycle bin', 400);
      const record = [...materialize(o, row)];
      if (o.isDeletedField >= 0) record[o.isDeletedField] = false;
      const at = tick();
      stamp(o, record, at);
      o.deletedAt.delete(row);
      write(o, row, record, { changeType: 'undelete', fields: o.isDeletedField >= 0 ? [o.isDeletedField] : [], at });
    },
    hardDelete(sobject, ids) {
      const o = requireObject(sobject);
      const rows = ids.map((id) => requireRow(o, id));
      for (const row of rows) {
        if (!o.deletedAt.has(row)) deleteRow(o, row);
        purge(o, row);
      }
    },
    emptyRecycleBin(sobject, ids) {
      const objects = sobject === undefined ? [...table.objects()] : [requireObject(sobject)];
      const wanted = ids === undefined ? undefined : new Set(ids.map((id) => id.slice(0, 15)));
      let count = 0;
      for (const o of objects) {
        const idField = o.fieldIndex.get('id');
        for (const row of o.deletedAt.keys()) {
          if (o.purged.has(row) || idField === undefined) continue;
          if (wanted && !wanted.has(String(value(o, row, idField)).slice(0, 15))) continue;
          purge(o, row);
          count += 1;
        }
      }
      return count;
    },
    getDeleted(sobject, start, end): GetDeletedResult {
      const o = requireObject(sobject);
      // Salesforce ignores the seconds of both ends and keeps deletes for 30 days.
      const a = floorMinute(Date.parse(start));
      const b = floorMinute(Date.parse(end));
      if (Number.isNaN(a) || Number.isNaN(b)) throw new OrgError('INVALID_REPLICATION_DATE', 'start and end must be valid dateTime values', 400);
      const earliest = floorMinute(now() - DELETED_RETENTION_DAYS * DAY_MS);
      if (a < earliest) throw new OrgError('INVALID_REPLICATION_DATE', `startDate cannot be more than ${DELETED_RETENTION_DAYS} days ago; earliestDateAvailable is ${restDate(earliest)}`, 400);
      if (b < a) throw new OrgError('INVALID_REPLICATION_DATE', 'endDate must chronologically follow startDate', 400);
      const idField = o.fieldIndex.get('id')!;
      const deletedRecords = [...o.deletedAt.entries()]
        .filter(([, at]) => at >= a && at < b)
        .sort((x, y) => x[1] - y[1])
        .map(([row, at]) => ({ id: value(o, row, idField) as string, deletedDate: restDate(at) }));
      return { deletedRecords, earliestDateAvailable: restDate(earliest), latestDateCovered: restDate(Math.min(b, floorMinute(now()))) };
    },
    getUpdated(sobject, start, end): GetUpdatedResult {
      const o = requireObject(sobject);
      const a = Date.parse(start);
      const b = Date.parse(end);
      if (Number.isNaN(a) || Number.isNaN(b)) throw new OrgError('INVALID_REPLICATION_DATE', 'start and end must be valid dateTime values', 400);
      const q = prepareQuery(table, `SELECT Id FROM ${o.spec.name} WHERE SystemModstamp >= ${new Date(a).toISOString()} AND SystemModstamp <= ${new Date(b).toISOString()}`, { includeDeleted: false }, now(), () => commits.sequence);
      return { ids: [...q.rows()].map((r) => r.id), latestDateCovered: restDate(Math.min(b, now())) };
    },
  };
}

/** How long getDeleted lists deleted rows (Salesforce: 30 days). */
const DELETED_RETENTION_DAYS = 30;

function floorMinute(ms: number): number {
  return Math.floor(ms / 60_000) * 60_000;
}

/** REST style: `2024-01-02T03:04:05.000+0000`. */
function restDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}
