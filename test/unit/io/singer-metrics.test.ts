import { describe, expect, it } from 'vitest';
import { SingerEncoder } from '../../../src/protocol/singer/encoder.js';

describe('Singer record_count counters', () => {
  it('go out per stream at most every 30 s and at stream end, each the count since the last', () => {
    let now = 0;
    const lines: string[] = [];
    const encoder = new SingerEncoder({ bookmarks: new Map(), log: (level, message) => lines.push(`${level.toUpperCase()} ${message}`), now: () => now });
    const records = (stream: string, count: number) => encoder.encode({ kind: 'records', stream, batch: { count, objects: Array.from({ length: count }, (_, i) => ({ Id: `${stream}${i}` })) } });
    records('Account', 10);
    now = 10_000;
    records('Account', 5);
    records('Contact', 7);
    now = 30_000;
    records('Account', 1);
    now = 31_000;
    records('Account', 4);
    encoder.encode({ kind: 'status', stream: 'Account', status: 'COMPLETE' });
    encoder.encode({ kind: 'status', stream: 'Contact', status: 'INCOMPLETE' });
    const metrics = lines.filter((l) => l.startsWith('INFO METRIC: ')).map((l) => JSON.parse(l.slice('INFO METRIC: '.length)) as { type: string; metric: string; value: number; tags: { endpoint: string } });
    expect(metrics).toEqual([
      { type: 'counter', metric: 'record_count', value: 16, tags: { endpoint: 'Account' } },
      { type: 'counter', metric: 'record_count', value: 4, tags: { endpoint: 'Account' } },
      { type: 'counter', metric: 'record_count', value: 7, tags: { endpoint: 'Contact' } },
    ]);
  });
});
