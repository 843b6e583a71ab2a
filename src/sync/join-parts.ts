/**
 * Wide objects are read as several queries over the same rows, each selecting a slice of the
 * columns plus `Id`. This joins the parts back into whole records.
 *
 * Correctness never depends on the parts' order: a row is emitted once every part has delivered
 * it. When the parts are sorted the same way (the sync asks for `ORDER BY Id`), they advance in
 * lockstep and only a few rows wait at any time, so memory stays flat.
 *
 * A row can be missing from some parts when it changed between the part queries (its
 * SystemModstamp moved past the window). Such rows are never dropped: they come back from
 * `incomplete()` with the columns that did arrive, for the caller to complete by Id.
 */
export type PartRecord = Record<string, unknown>;

export interface JoinedRow {
  id: string;
  /** Index of each part that delivered this row. */
  parts: number[];
  record: PartRecord;
}

interface PendingRow {
  byPart: (PartRecord | undefined)[];
  delivered: number;
}

export class PartJoiner {
  readonly #partCount: number;
  readonly #keyField: string;
  readonly #pending = new Map<string, PendingRow>();

  constructor(partCount: number, keyField = 'Id') {
    if (!Number.isInteger(partCount) || partCount < 1) throw new RangeError(`Expected \`partCount\` to be a positive integer, got \`${partCount}\``);
    this.#partCount = partCount;
    this.#keyField = keyField;
  }

  /** Rows waiting for at least one part. */
  get waiting(): number {
    return this.#pending.size;
  }

  /**
   * Adds records of part `part`; returns the rows that became complete, their columns merged
   * in part order (so the column order is the same whatever order the parts arrive in).
   */
  add(part: number, records: readonly PartRecord[]): PartRecord[] {
    const complete: PartRecord[] = [];
    for (const record of records) {
      const id = record[this.#keyField];
      if (typeof id !== 'string') throw new TypeError(`A record of part ${part} has no \`${this.#keyField}\``);
      let row = this.#pending.get(id);
      if (!row) {
        row = { byPart: new Array<PartRecord | undefined>(this.#partCount), delivered: 0 };
        this.#pending.set(id, row);
      }
      if (row.byPart[part]) continue; // the same row twice in one part: keep the first
      row.byPart[part] = record;
      row.delivered += 1;
      if (row.delivered === this.#partCount) {
        this.#pending.delete(id);
        complete.push(merge(row));
      }
    }
    return complete;
  }

  /** Rows some part never delivered, merged from the parts that did. Empties the joiner. */
  incomplete(): JoinedRow[] {
    const rows: JoinedRow[] = [];
    for (const [id, row] of this.#pending) {
      const parts = row.byPart.flatMap((r, i) => (r ? [i] : []));
      rows.push({ id, parts, record: merge(row) });
    }
    this.#pending.clear();
    return rows;
  }
}

function merge(row: PendingRow): PartRecord {
  const merged: PartRecord = {};
  for (const partRecord of row.byPart) if (partRecord) Object.assign(merged, partRecord);
  return merged;
}
