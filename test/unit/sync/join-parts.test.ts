import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PartJoiner } from '../../../src/sync/join-parts.js';

describe('PartJoiner', () => {
  it('emits a row once every part delivered it, columns in part order', () => {
    const joiner = new PartJoiner(2);
    expect(joiner.add(1, [{ Id: 'a', C: 3 }])).toEqual([]);
    const [row] = joiner.add(0, [{ Id: 'a', B: 2 }]);
    expect(Object.keys(row!)).toEqual(['Id', 'B', 'C']);
    expect(row).toEqual({ Id: 'a', B: 2, C: 3 });
    expect(joiner.waiting).toBe(0);
  });

  it('keeps only a few rows waiting when the parts arrive in the same order', () => {
    const joiner = new PartJoiner(3);
    let maxWaiting = 0;
    for (let i = 0; i < 1000; i += 1) {
      for (let p = 0; p < 3; p += 1) {
        joiner.add(p, [{ Id: `r${i}`, [`f${p}`]: i }]);
        maxWaiting = Math.max(maxWaiting, joiner.waiting);
      }
    }
    expect(maxWaiting).toBe(1);
  });

  it('returns rows a part never delivered instead of dropping them', () => {
    const joiner = new PartJoiner(2);
    joiner.add(0, [{ Id: 'a', B: 1 }, { Id: 'b', B: 2 }]);
    joiner.add(1, [{ Id: 'a', C: 1 }]);
    expect(joiner.incomplete()).toEqual([{ id: 'b', parts: [0], record: { Id: 'b', B: 2 } }]);
    expect(joiner.waiting).toBe(0);
  });

  it('joins every row exactly once whatever the arrival order and batching', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(2), fc.nat(40)), { maxLength: 300 }), (deliveries) => {
        const joiner = new PartJoiner(3);
        const emitted: string[] = [];
        const seen = new Set<string>();
        for (const [part, n] of deliveries) {
          const key = `${part}:${n}`;
          if (seen.has(key)) continue;
          seen.add(key);
          for (const r of joiner.add(part, [{ Id: `r${n}`, [`p${part}`]: n }])) emitted.push(r.Id as string);
        }
        const complete = new Set([...Array(41).keys()].filter((n) => [0, 1, 2].every((p) => seen.has(`${p}:${n}`))).map((n) => `r${n}`));
        expect(new Set(emitted)).toEqual(complete);
        expect(emitted.length).toBe(complete.size);
        const rest = joiner.incomplete().map((r) => r.id);
        expect(rest.every((id) => !complete.has(id))).toBe(true);
      }),
    );
  });
});
