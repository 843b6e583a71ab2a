import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listRowSet, RowBitmap } from '../../../emulator/org/row-set.js';

describe('row sets', () => {
  it('give the marked rows in row order from any position, with OFFSET and LIMIT applied', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 9000 }), { maxLength: 4000 }),
        fc.integer({ min: 0, max: 4500 }),
        fc.option(fc.integer({ min: 0, max: 4500 }), { nil: undefined }),
        fc.integer({ min: 0, max: 4500 }),
        (first, offsets, offset, limit, position) => {
          const rows = offsets.map((o) => first + o);
          const bitmap = new RowBitmap(first, first + 9001);
          for (const row of rows) bitmap.add(row);
          bitmap.add(rows[0] ?? first);
          const expected = [...new Set(rows.length ? rows : [first])].sort((a, b) => a - b).slice(offset, limit === undefined ? undefined : offset + limit);
          const set = bitmap.toRowSet(offset, limit);
          expect(set.size).toBe(expected.length);
          expect([...set.from(position)]).toEqual(expected.slice(position));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('hold a million matches in about 125 KB, paging from the middle without a scan from the top', () => {
    const bitmap = new RowBitmap(0, 1_000_000);
    for (let row = 0; row < 1_000_000; row++) if (row % 50 !== 0) bitmap.add(row);
    const set = bitmap.toRowSet(0, undefined);
    expect(set.size).toBe(980_000);
    const page = [...take(set.from(500_000), 3)];
    // Position p is row p + floor(p / 49) + 1 once every 50th row is missing.
    expect(page).toEqual([510_205, 510_206, 510_207]);
  });

  it('keep a sorted list in its order', () => {
    const set = listRowSet([5, 3, 9, 1], 1, 2);
    expect(set.size).toBe(2);
    expect([...set.from(0)]).toEqual([3, 9]);
    expect([...set.from(1)]).toEqual([9]);
  });
});

function* take<T>(items: Iterable<T>, n: number): Iterable<T> {
  if (n <= 0) return;
  for (const item of items) {
    yield item;
    if (--n === 0) return;
  }
}
