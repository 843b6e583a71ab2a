import { describe, expect, it } from 'vitest';
import { planWindowsByCount } from '../../../src/state/plan-by-count.js';
import type { SyncWindow } from '../../../src/sync/read-apis.js';

/** Rows at these instants; counts ask which fall in [start, end). */
function org(stamps: number[]) {
  const counts: SyncWindow[] = [];
  const count = async (w: SyncWindow) => {
    counts.push(w);
    return stamps.filter((t) => t >= Date.parse(w.start) && t < Date.parse(w.end)).length;
  };
  return { count, counts, total: (w: SyncWindow) => stamps.filter((t) => t >= Date.parse(w.start) && t < Date.parse(w.end)).length };
}

const at = (iso: string) => Date.parse(iso);
const range = { start: '2000-01-01T00:00:00.000Z', end: '2026-01-01T00:00:00.000Z' };

describe('planWindowsByCount', () => {
  it('reads 26 years holding one busy month as one window, with no query beyond the total', async () => {
    const stamps = Array.from({ length: 500 }, (_, i) => at('2025-06-01T00:00:00Z') + i * 60_000);
    const o = org(stamps);
    const windows = await planWindowsByCount(range, 500, o.count, { windowRows: 1000, minWindowSeconds: 60 });
    expect(windows).toEqual([{ ...range, rows: 500 }]);
    expect(o.counts).toEqual([]);
  });

  it('splits by rows, not days: windows tile the range, hold at most windowRows, none empty', async () => {
    const stamps = [
      ...Array.from({ length: 3000 }, (_, i) => at('2010-01-01T00:00:00Z') + i * 3_600_000),
      ...Array.from({ length: 2000 }, (_, i) => at('2024-03-01T00:00:00Z') + i * 1000),
    ];
    const o = org(stamps);
    const windows = await planWindowsByCount(range, stamps.length, o.count, { windowRows: 1500, minWindowSeconds: 60 });
    expect(windows[0]!.start).toBe(range.start);
    expect(windows.at(-1)!.end).toBe(range.end);
    for (let i = 1; i < windows.length; i += 1) expect(windows[i]!.start).toBe(windows[i - 1]!.end);
    for (const w of windows) {
      expect(w.rows).toBe(o.total(w));
      expect(w.rows).toBeGreaterThan(0);
      expect(w.rows).toBeLessThanOrEqual(1500);
    }
    expect(windows.reduce((n, w) => n + w.rows, 0)).toBe(stamps.length);
    // Merged while neighbours fit: no two neighbours could have been one window.
    for (let i = 1; i < windows.length; i += 1) expect(windows[i - 1]!.rows + windows[i]!.rows).toBeGreaterThan(1500);
  });

  it('keeps a burst it cannot split below the minimum window as one window', async () => {
    const stamps = Array.from({ length: 50 }, () => at('2020-01-01T00:00:00Z'));
    const o = org(stamps);
    const windows = await planWindowsByCount(range, 50, o.count, { windowRows: 10, minWindowSeconds: 60 });
    expect(windows).toHaveLength(1);
    expect(windows[0]!.rows).toBe(50);
  });

  it('plans nothing for an empty range', async () => {
    expect(await planWindowsByCount(range, 0, org([]).count, { windowRows: 10, minWindowSeconds: 60 })).toEqual([]);
  });
});
