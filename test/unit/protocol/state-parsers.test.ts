import { describe, expect, it } from 'vitest';
import type { TapError } from '../../../src/core/errors.js';
import { encodeAirbyteStreamState, parseAirbyteState } from '../../../src/protocol/airbyte/state.js';
import { encodeSingerBookmark, parseSingerState } from '../../../src/protocol/singer/state.js';

const at = '2024-05-01T10:00:00.000Z';

describe('parseAirbyteState', () => {
  it('reads per-stream arrays, GLOBAL, a single message, LEGACY blobs and empty forms', () => {
    const stream = { type: 'STREAM', stream: { stream_descriptor: { name: 'Account' }, stream_state: { SystemModstamp: at } } };
    expect(parseAirbyteState([stream]).get('Account')).toEqual({ replicationKey: 'SystemModstamp', value: at });
    expect(parseAirbyteState(stream).get('Account')?.value).toBe(at);
    expect(parseAirbyteState([{ type: 'GLOBAL', global: { stream_states: [stream.stream] } }]).get('Account')?.value).toBe(at);
    expect(parseAirbyteState({ Account: { SystemModstamp: '2024-05-01T10:00:00.000+0000' } }).get('Account')?.value).toBe(at);
    expect(parseAirbyteState([{ type: 'LEGACY', data: { Account: { SystemModstamp: at } } }]).get('Account')?.value).toBe(at);
    expect(parseAirbyteState([]).size).toBe(0);
    expect(parseAirbyteState({}).size).toBe(0);
    expect(parseAirbyteState(undefined).size).toBe(0);
  });

  it('treats a null stream_state as a reset', () => {
    expect(parseAirbyteState([{ type: 'STREAM', stream: { stream_descriptor: { name: 'Account' }, stream_state: null } }]).has('Account')).toBe(false);
  });

  it('names the place of a bad value', () => {
    const bad = () => parseAirbyteState([{ type: 'STREAM', stream: { stream_descriptor: { name: 'Account' }, stream_state: { SystemModstamp: 'soon' } } }]);
    expect(bad).toThrow(/\[0\]\.stream\.stream_state\.SystemModstamp/);
    try {
      bad();
    } catch (error) {
      expect((error as TapError).code).toBe('TAP_STATE_INVALID');
    }
  });

  it('round-trips what the encoder writes', () => {
    const blob = encodeAirbyteStreamState({ replicationKey: 'SystemModstamp', value: at });
    expect(parseAirbyteState({ Account: blob }).get('Account')).toEqual({ replicationKey: 'SystemModstamp', value: at });
    expect(encodeAirbyteStreamState({ complete: true })).toEqual({ __ab_full_refresh_sync_complete: true });
  });
});

describe('parseSingerState', () => {
  it('reads this tap, singer-io, Meltano SDK and Meltano-wrapped states', () => {
    expect(parseSingerState({ bookmarks: { Account: { SystemModstamp: at } } }).get('Account')?.value).toBe(at);
    expect(parseSingerState({ bookmarks: { Account: { replication_key: 'SystemModstamp', replication_key_value: at } } }).get('Account')).toEqual({ replicationKey: 'SystemModstamp', value: at });
    expect(parseSingerState({ singer_state: { bookmarks: { LoginHistory: { LoginTime: at } } } }).get('LoginHistory')).toEqual({ replicationKey: 'LoginTime', value: at });
    expect(parseSingerState({ currently_syncing: null, bookmarks: {} }).size).toBe(0);
  });

  it('round-trips what the encoder writes', () => {
    const blob = encodeSingerBookmark({ replicationKey: 'SystemModstamp', value: at });
    expect(blob).toEqual({ SystemModstamp: at, replication_key: 'SystemModstamp', replication_key_value: at });
    expect(parseSingerState({ bookmarks: { Account: blob } }).get('Account')).toEqual({ replicationKey: 'SystemModstamp', value: at });
  });

  it('refuses a state that is not an object', () => {
    expect(() => parseSingerState([1, 2])).toThrow(/JSON object/);
  });
});
