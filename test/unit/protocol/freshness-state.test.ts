import { describe, expect, it } from 'vitest';
import { encodeAirbyteStreamState, parseAirbyteState } from '../../../src/protocol/airbyte/state.js';
import { encodeSingerBookmark, parseSingerState } from '../../../src/protocol/singer/state.js';

const bookmark = { replicationKey: 'SystemModstamp', value: '2026-06-30T00:00:00.000Z', deletesCoveredUntil: '2026-06-30T11:59:00.000Z', formulasRefreshedAt: '2026-06-29T12:00:00.000Z' };

describe('freshness positions in state', () => {
  it('round-trip through Singer and Airbyte state beside the replication key', () => {
    const singer = encodeSingerBookmark(bookmark);
    expect(singer).toMatchObject({ SystemModstamp: bookmark.value, deletes_covered_until: bookmark.deletesCoveredUntil, formulas_refreshed_at: bookmark.formulasRefreshedAt });
    expect(parseSingerState({ bookmarks: { Invoice__c: singer } }).get('Invoice__c')).toEqual(bookmark);
    const airbyte = encodeAirbyteStreamState(bookmark);
    expect(airbyte).toEqual({ SystemModstamp: bookmark.value, deletes_covered_until: bookmark.deletesCoveredUntil, formulas_refreshed_at: bookmark.formulasRefreshedAt });
    expect(parseAirbyteState({ Invoice__c: airbyte }).get('Invoice__c')).toEqual(bookmark);
  });

  it('leaves them out when unknown, and drops unreadable ones instead of failing the run', () => {
    expect(encodeSingerBookmark({ replicationKey: 'SystemModstamp', value: bookmark.value })).not.toHaveProperty('deletes_covered_until');
    expect(parseSingerState({ bookmarks: { A: { SystemModstamp: bookmark.value, deletes_covered_until: 'soon' } } }).get('A')).toEqual({ replicationKey: 'SystemModstamp', value: bookmark.value });
  });
});
