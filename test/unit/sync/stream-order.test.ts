import { describe, expect, it } from 'vitest';
import type { SelectedStream } from '../../../src/catalog/types.js';
import type { StreamBookmark } from '../../../src/sync/events.js';
import { largestFirst } from '../../../src/sync/stream-order.js';

const stream = (name: string, replicationKey?: string) => ({ definition: { name, sobject: name }, replicationKey }) as unknown as SelectedStream;
const names = (streams: SelectedStream[]) => streams.map((s) => s.definition.name);

describe('largestFirst', () => {
  const streams = [stream('Account', 'SystemModstamp'), stream('Campaign', 'SystemModstamp'), stream('Contact', 'SystemModstamp'), stream('AccountHistory', 'CreatedDate'), stream('RecordType'), stream('Lead', 'SystemModstamp')];
  const counts = new Map([['account', 500], ['campaign', 10], ['contact', 900], ['recordtype', 20], ['lead', 500]]);

  it('starts uncounted objects first, then the biggest, ties in catalog order', () => {
    expect(names(largestFirst(streams, new Map(), counts))).toEqual(['AccountHistory', 'Contact', 'Account', 'Lead', 'RecordType', 'Campaign']);
  });

  it('puts streams that go on from a bookmark last: their read is small whatever the object holds', () => {
    const bookmarks = new Map<string, StreamBookmark>([['Contact', { replicationKey: 'SystemModstamp', value: '2026-01-01T00:00:00.000Z' }], ['RecordType', { complete: true }]]);
    // A full-table stream reads everything again, bookmark or not.
    expect(names(largestFirst(streams, bookmarks, counts))).toEqual(['AccountHistory', 'Account', 'Lead', 'RecordType', 'Campaign', 'Contact']);
  });
});
