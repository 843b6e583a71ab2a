import { describe, expect, it } from 'vitest';
import type { ChangeEvent, ChangeType } from '../../../src/salesforce/pubsub/change-event.js';
import { decodeBitmap } from '../../../src/salesforce/pubsub/change-event.js';
import { foldChangeEvents } from '../../../src/sync/change-events/fold-events.js';

const event = (changeType: ChangeType, recordIds: string[], commitTimestamp = 1000): ChangeEvent => ({
  replayId: Buffer.from([1]),
  header: { entityName: 'Account', recordIds, changeType, commitTimestamp, transactionKey: 't', sequenceNumber: 1, changedFields: [], nulledFields: [] },
  fields: {},
});

describe('foldChangeEvents', () => {
  it('re-reads creates, updates, undeletes and gap events once each, in first-seen order', () => {
    const folded = foldChangeEvents([event('CREATE', ['a']), event('UPDATE', ['b', 'a']), event('GAP_UPDATE', ['c']), event('UNDELETE', ['d'])]);
    expect(folded.reread).toEqual(['b', 'a', 'c', 'd']);
    expect(folded.deleted.size).toBe(0);
    expect(folded.gaps).toBe(1);
  });

  it('acts on the last change of a record: deleted then undeleted is re-read, updated then deleted is a tombstone', () => {
    const folded = foldChangeEvents([event('DELETE', ['a'], 10), event('UNDELETE', ['a'], 11), event('UPDATE', ['b'], 12), event('DELETE', ['b'], 13)]);
    expect(folded.reread).toEqual(['a']);
    expect([...folded.deleted]).toEqual([['b', 13]]);
    expect(folded.lastCommit).toBe(13);
  });

  it('flags GAP_OVERFLOW for a query-based catch-up', () => {
    expect(foldChangeEvents([event('GAP_OVERFLOW', [])]).overflow).toBe(true);
    expect(foldChangeEvents([event('UPDATE', ['a'])]).overflow).toBe(false);
  });
});

describe('decodeBitmap', () => {
  it('reads bit positions from the end of the hex string, lowest bit first', () => {
    expect(decodeBitmap('0x0')).toEqual([]);
    expect(decodeBitmap('0x5')).toEqual([0, 2]);
    expect(decodeBitmap('0x100000000000000000001')).toEqual([0, 80]);
  });
});
