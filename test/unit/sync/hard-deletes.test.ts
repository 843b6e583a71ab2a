import { describe, expect, it } from 'vitest';
import type { SelectedStream, StreamDefinition } from '../../../src/catalog/types.js';
import { SalesforceApiError } from '../../../src/salesforce/client.js';
import { readHardDeletes, readsHardDeletes, type HardDeleteSettings } from '../../../src/sync/hard-deletes.js';
import { buildTombstone, toTombstoneRecord } from '../../../src/sync/tombstones.js';

const definition: StreamDefinition = {
  name: 'Account', sobject: 'Account', custom: false, keyProperties: ['Id'], replicationKey: 'SystemModstamp', validReplicationKeys: ['SystemModstamp'],
  bulkSupported: true, hasIsDeleted: true, capturesDeletes: true, fields: [], schema: { type: 'object', properties: {} },
};
const stream: SelectedStream = { definition, fields: ['Id', 'SystemModstamp'], method: 'INCREMENTAL', replicationKey: 'SystemModstamp' };
const syncStart = new Date('2026-06-30T12:00:00.000Z');
const signal = new AbortController().signal;

function settings(reply: () => unknown): HardDeleteSettings & { calls: { start: string; end: string }[] } {
  const calls: { start: string; end: string }[] = [];
  return {
    calls,
    maxDays: 30,
    marginSeconds: 120,
    lookbackSeconds: 600,
    fetchDeleted: async (_sobject, range) => {
      calls.push(range);
      return reply() as never;
    },
  };
}

describe('tombstones', () => {
  it('carry the key, IsDeleted, the cursor and the deletion time in the column the protocol names', () => {
    const tombstone = buildTombstone(definition, '001000000000001AAA', '2026-06-30T10:00:00.000+0000', 'SystemModstamp');
    expect(toTombstoneRecord(tombstone, '_sdc_deleted_at')).toEqual({ Id: '001000000000001AAA', IsDeleted: true, SystemModstamp: '2026-06-30T10:00:00.000Z', _sdc_deleted_at: '2026-06-30T10:00:00.000Z' });
    const plain = buildTombstone({ keyProperties: ['Id'], hasIsDeleted: false }, '02i000000000001AAA', '2026-06-30T10:00:00Z');
    expect(toTombstoneRecord(plain, '_ab_cdc_deleted_at')).toEqual({ Id: '02i000000000001AAA', _ab_cdc_deleted_at: '2026-06-30T10:00:00.000Z' });
  });
});

describe('readHardDeletes', () => {
  it('reads incremental streams of objects getDeleted serves only', () => {
    expect(readsHardDeletes(stream, true)).toBe(true);
    expect(readsHardDeletes(stream, false)).toBe(false);
    expect(readsHardDeletes({ ...stream, method: 'FULL_TABLE', replicationKey: undefined }, true)).toBe(false);
    expect(readsHardDeletes({ ...stream, definition: { ...definition, capturesDeletes: false } }, true)).toBe(false);
    expect(readsHardDeletes({ ...stream, definition: { ...definition, query: 'SELECT Id FROM Account' } }, true)).toBe(false);
  });

  it('makes no call on a first run and starts the next run at this one\'s start, less the lookback', async () => {
    const s = settings(() => ({ deletedRecords: [] }));
    expect(await readHardDeletes(stream, {}, syncStart, s, signal)).toEqual({ tombstones: [], coveredUntil: '2026-06-30T11:50:00.000Z' });
    expect(s.calls).toEqual([]);
  });

  it('turns every listed row into a tombstone and continues from latestDateCovered', async () => {
    const s = settings(() => ({
      deletedRecords: [{ id: '001000000000001AAA', deletedDate: '2026-06-30T10:00:00.000+0000' }],
      earliestDateAvailable: '2026-06-01T00:00:00.000+0000',
      latestDateCovered: '2026-06-30T11:59:00.000+0000',
    }));
    const read = await readHardDeletes(stream, { coveredUntil: '2026-06-29T00:00:00.000Z' }, syncStart, s, signal);
    expect(s.calls).toEqual([{ start: '2026-06-29T00:00:00.000Z', end: '2026-06-30T12:00:00.000Z' }]);
    expect(read.tombstones.map((t) => t.key.Id)).toEqual(['001000000000001AAA']);
    expect(read.coveredUntil).toBe('2026-06-30T11:59:00.000Z');
    expect(read.gap).toBeUndefined();
  });

  it('reports the whole uncovered range as one gap, from the last coverage to what Salesforce still knows', async () => {
    const s = settings(() => ({ deletedRecords: [], earliestDateAvailable: '2026-06-10T00:00:00.000+0000', latestDateCovered: '2026-06-30T11:59:00.000+0000' }));
    const read = await readHardDeletes(stream, { coveredUntil: '2026-04-01T00:00:00.000Z' }, syncStart, s, signal);
    expect(read.gap).toEqual({ start: '2026-04-01T00:00:00.000Z', end: '2026-06-10T00:00:00.000Z' });
  });

  it('treats INVALID_REPLICATION_DATE as a gap over the range asked for', async () => {
    const s = settings(() => {
      throw new SalesforceApiError(400, [{ errorCode: 'INVALID_REPLICATION_DATE', message: 'startDate is before earliestDateAvailable' }], 'bad date');
    });
    const read = await readHardDeletes(stream, { coveredUntil: '2026-06-20T00:00:00.000Z' }, syncStart, s, signal);
    expect(read.gap).toEqual({ start: '2026-06-20T00:00:00.000Z', end: syncStart.toISOString() });
    expect(read.coveredUntil).toBe(syncStart.toISOString());
  });
});
