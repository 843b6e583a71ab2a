/**
 * The rows a query matched, fixed when it is first counted (a Bulk job's rows are those of its
 * completion). In row order they are a bitmap, one bit per candidate row, with the row of every
 * 1,024th match kept so a page can start anywhere without a scan from the top: a million-row
 * result is 125 KB, not a million-element array. Sorted results keep their row list.
 */

const CHECKPOINT = 1024;

export interface RowSet {
  /** Matches after OFFSET and LIMIT. */
  readonly size: number;
  /** Row indices from result position `position` on, in result order. */
  from(position: number): Iterable<number>;
}

/** Rows in [first, end) marked one by one, in any order. */
export class RowBitmap {
  readonly #bits: Uint32Array;
  #count = 0;

  constructor(
    readonly first: number,
    readonly end: number,
  ) {
    this.#bits = new Uint32Array(Math.ceil(Math.max(0, end - first) / 32));
  }

  add(row: number): void {
    const at = row - this.first;
    const word = at >>> 5;
    const bit = 1 << (at & 31);
    if ((this.#bits[word]! & bit) === 0) {
      this.#bits[word]! |= bit;
      this.#count += 1;
    }
  }

  /** The marked rows in row order, `offset` skipped and at most `limit` kept. */
  toRowSet(offset: number, limit: number | undefined): RowSet {
    const bits = this.#bits;
    const first = this.first;
    const start = Math.min(offset, this.#count);
    const stop = limit === undefined ? this.#count : Math.min(this.#count, start + limit);
    // checkpoints[j] = the row of match number j * CHECKPOINT.
    const checkpoints: number[] = [];
    let n = 0;
    for (let word = 0; word < bits.length; word++) {
      let w = bits[word]!;
      if (w === 0) continue;
      const ones = popcount(w);
      if (Math.floor((n + ones - 1) / CHECKPOINT) >= checkpoints.length) {
        while (w !== 0) {
          const lowest = w & -w;
          if (n % CHECKPOINT === 0) checkpoints.push(first + word * 32 + (31 - Math.clz32(lowest)));
          n += 1;
          w ^= lowest;
        }
      } else n += ones;
    }
    return {
      size: stop - start,
      *from(position: number): Iterable<number> {
        let p = start + position;
        if (p >= stop) return;
        const j = Math.floor(p / CHECKPOINT);
        let n = j * CHECKPOINT;
        const at = checkpoints[j]! - first;
        let word = at >>> 5;
        let w = bits[word]! & (-1 << (at & 31));
        for (;;) {
          while (w !== 0) {
            const lowest = w & -w;
            w ^= lowest;
            if (n++ < p) continue;
            yield first + word * 32 + (31 - Math.clz32(lowest));
            if (++p >= stop) return;
          }
          word += 1;
          if (word >= bits.length) return;
          w = bits[word]!;
        }
      },
    };
  }
}

/** Rows already in result order (ORDER BY), `offset` skipped and at most `limit` kept. */
export function listRowSet(rows: number[], offset: number, limit: number | undefined): RowSet {
  const kept = Uint32Array.from(rows.slice(offset, limit === undefined ? undefined : offset + limit));
  return {
    size: kept.length,
    *from(position: number): Iterable<number> {
      for (let k = position; k < kept.length; k++) yield kept[k]!;
    },
  };
}

function popcount(word: number): number {
  let w = word - ((word >>> 1) & 0x55555555);
  w = (w & 0x33333333) + ((w >>> 2) & 0x33333333);
  return (Math.imul((w + (w >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}
