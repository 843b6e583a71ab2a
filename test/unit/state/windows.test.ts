import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeTimestamp, planWindows, splitWindow } from '../../../src/state/windows.js';

const syncStart = new Date('2026-06-01T00:00:00.000Z');

describe('planWindows', () => {
  it('starts at the bookmark minus the lookback and ends exactly at the sync start', () => {
    const windows = planWindows({ bookmark: '2026-05-31T00:00:00.000Z', lookbackSeconds: 600, syncStart, windowSeconds: 86_400 * 365 });
    expect(windows).toEqual([{ start: '2026-05-30T23:50:00.000Z', end: '2026-06-01T00:00:00.000Z' }]);
  });

  it('lets the bookmark win over the start date, and falls back to the first row without either', () => {
    expect(planWindows({ bookmark: '2026-05-01T00:00:00Z', startDate: '2020-01-01T00:00:00Z', lookbackSeconds: 0, syncStart, windowSeconds: 1e9 })[0]!.start).toBe('2026-05-01T00:00:00.000Z');
    expect(planWindows({ earliest: '2025-01-01T00:00:00Z', lookbackSeconds: 0, syncStart, windowSeconds: 1e9 })[0]!.start).toBe('2025-01-01T00:00:00.000Z');
    expect(planWindows({ lookbackSeconds: 0, syncStart, windowSeconds: 1e9 })).toEqual([]);
  });

  it('plans nothing for a bookmark in the future', () => {
    expect(planWindows({ bookmark: '2999-01-01T00:00:00Z', lookbackSeconds: 600, syncStart, windowSeconds: 86_400 })).toEqual([]);
  });

  it('tiles [start, sync start) exactly: no gap, no overlap, never past the sync start', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4e8 }), fc.integer({ min: 1, max: 500 }), (secondsBefore, windowCount) => {
        const windowSeconds = Math.max(1, Math.ceil(secondsBefore / windowCount));
        const start = new Date(syncStart.getTime() - secondsBefore * 1000).toISOString();
        const windows = planWindows({ startDate: start, lookbackSeconds: 0, syncStart, windowSeconds });
        if (secondsBefore === 0) {
          expect(windows).toEqual([]);
          return;
        }
        expect(windows[0]!.start).toBe(start);
        expect(windows.at(-1)!.end).toBe(syncStart.toISOString());
        for (let i = 1; i < windows.length; i += 1) expect(windows[i]!.start).toBe(windows[i - 1]!.end);
      }),
      { examples: [[0, 1], [1, 1], [86_400, 7]] },
    );
  });
});

describe('splitWindow', () => {
  it('halves a window and refuses to go below the floor', () => {
    expect(splitWindow({ start: '2026-01-01T00:00:00.000Z', end: '2026-01-03T00:00:00.000Z' }, 60)).toEqual([
      { start: '2026-01-01T00:00:00.000Z', end: '2026-01-02T00:00:00.000Z' },
      { start: '2026-01-02T00:00:00.000Z', end: '2026-01-03T00:00:00.000Z' },
    ]);
    expect(splitWindow({ start: '2026-01-01T00:00:00.000Z', end: '2026-01-01T00:01:00.000Z' }, 60)).toBeUndefined();
  });
});

describe('normalizeTimestamp', () => {
  it('reads Salesforce REST, ISO and offset forms as UTC', () => {
    expect(normalizeTimestamp('2024-01-02T03:04:05.000+0000')).toBe('2024-01-02T03:04:05.000Z');
    expect(normalizeTimestamp('2024-01-02T05:04:05+02:00')).toBe('2024-01-02T03:04:05.000Z');
    expect(normalizeTimestamp('yesterday')).toBeUndefined();
  });
});
