import type { PreparedQuery } from '../org/types.js';
import { secureToken } from './ids.js';

export interface QueryCursor {
  id: string;
  query: PreparedQuery;
  batchSize: number;
  createdAt: number;
}

/**
 * Open REST query cursors. Since API v56.0 there is no cap on open cursors and a locator lives
 * two days; expired or unknown locators answer INVALID_QUERY_LOCATOR.
 */
export class QueryCursorStore {
  readonly #cursors = new Map<string, QueryCursor>();

  constructor(
    private readonly ttlMs: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  open(query: PreparedQuery, batchSize: number): QueryCursor {
    this.#sweep();
    // Modern locators: 18 characters starting with 0r8.
    const cursor = { id: `0r8${secureToken(15)}`, query, batchSize, createdAt: this.now() };
    this.#cursors.set(cursor.id, cursor);
    return cursor;
  }

  get(id: string): QueryCursor | undefined {
    const cursor = this.#cursors.get(id);
    if (cursor && this.now() - cursor.createdAt > this.ttlMs()) {
      this.#cursors.delete(id);
      return undefined;
    }
    return cursor;
  }

  /** Ends every cursor now (tests of INVALID_QUERY_LOCATOR). */
  expireAll(): void {
    this.#cursors.clear();
  }

  #sweep(): void {
    if (this.#cursors.size < 1000) return;
    for (const [id, cursor] of this.#cursors) if (this.now() - cursor.createdAt > this.ttlMs()) this.#cursors.delete(id);
  }
}
